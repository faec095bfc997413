import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpClient, HttpResponse } from '../../../src/net/http-client.js';
import { backoffMs, requestWithRetry, serverDelayMs } from '../../../src/net/retry.js';
import { checkAsyncProperty, checkProperty } from '../../helpers/property.js';

/**
 * The retry waits docs/security.md quotes ("Network settings"): before retry n, a random wait from
 * 0 up to 0.3 s · 2^(n-1) (0.3 s, 0.6 s, 1.2 s: exponential backoff with full jitter, capped at
 * 5 s), unless the server's Retry-After or x-ratelimit-reset says how long, and an answer asking
 * for more than 10 s is returned rather than waited for. Retry-After and x-ratelimit-reset are
 * outside input, so their reader gets properties too.
 */

/** A server that always gives `answer`, with the whole deadline left; counts the requests. */
function server(answer: HttpResponse): { http: HttpClient; calls: () => number } {
  let calls = 0;
  const http: HttpClient = {
    request: async () => {
      calls += 1;
      return answer;
    },
    remainingMs: () => 30_000,
  };
  return { http, calls: () => calls };
}

const req = { method: 'GET' as const, url: 'https://api.example/api/v1/users/me' };
const unavailable = (headers: HttpResponse['headers'] = {}): HttpResponse => ({
  status: 503,
  headers,
  body: '',
});

describe('backoff (property-based)', () => {
  it('full jitter: a whole number of ms from 0 to min(cap, base · 2^attempt), in proportion to the draw', () => {
    checkProperty(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, cap, draw) => {
          const most = Math.min(cap, base * 2 ** attempt);
          const wait = backoffMs(attempt, base, cap, () => draw);

          expect(Number.isInteger(wait) && wait >= 0 && wait <= most).toBe(true);
          expect(wait).toBe(Math.round(draw * most));
        },
      ),
    );
  });

  it('requestWithRetry with its defaults: 3 retries, waits of draw × 0.3 s, 0.6 s, 1.2 s', async () => {
    // A draw of 0.1: a tenth of each maximum, so the test waits 0.21 s in all.
    const s = server(unavailable());
    const waits: number[] = [];

    const res = await requestWithRetry(s.http, req, {
      policy: 'safe',
      random: () => 0.1,
      onRetry: (_why, wait) => waits.push(wait),
    });

    expect(res.status).toBe(503);
    expect(s.calls()).toBe(4);
    expect(waits).toEqual([30, 60, 120]);
  });

  it('requestWithRetry with its defaults: a draw of 0 retries at once (the jitter starts at 0)', async () => {
    const s = server(unavailable());
    const waits: number[] = [];

    await requestWithRetry(s.http, req, {
      policy: 'safe',
      random: () => 0,
      onRetry: (_w, wait) => waits.push(wait),
    });

    expect(waits).toEqual([0, 0, 0]);
  });
});

/** Header values as servers and proxies send them, right or wrong. */
const headerValue = fc.oneof(
  fc.constantFrom('', ' ', '0', '1', '-1', '1.5', '1e3', 'NaN', 'Infinity', '0x10', 'soon', '10, 20'),
  fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 01 Jan 2100 00:00:00 GMT', '2030-01-01'),
  fc.double().map(String),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const headers = fc.record(
  {
    'retry-after': fc.oneof(headerValue, fc.array(headerValue, { maxLength: 2 })),
    'x-ratelimit-reset': fc.oneof(headerValue, fc.array(headerValue, { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const now = fc.integer({ min: 0, max: 4_102_444_800_000 });

describe('Retry-After and x-ratelimit-reset (property-based)', () => {
  it('any header values: no delay, or a delay of 0 ms or more (never NaN); never throws', () => {
    checkProperty(
      fc.property(headers, now, (h, at) => {
        const delay = serverDelayMs(h, at);

        // An absurd number of seconds is an infinite delay: more than 10 s, so never waited for.
        expect(delay === undefined || delay >= 0, String(delay)).toBe(true);
      }),
    );
  });

  it('Retry-After in seconds is waited for as given (a negative one as 0), whatever x-ratelimit-reset says', () => {
    checkProperty(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), headerValue, now, (secs, reset, at) => {
        const h = { 'retry-after': String(secs), 'x-ratelimit-reset': reset };

        expect(serverDelayMs(h, at)).toBe(Math.max(0, secs * 1000));
      }),
    );
  });

  it('Retry-After as an HTTP date: the time until then, 0 when it has passed', () => {
    checkProperty(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), now, (secs, at) => {
        const date = new Date(secs * 1000).toUTCString();

        expect(serverDelayMs({ 'retry-after': date }, at)).toBe(Math.max(0, secs * 1000 - at));
      }),
    );
  });

  it('an answer asking for more than 10 s is returned at once, not waited for', async () => {
    await checkAsyncProperty(
      fc.asyncProperty(
        fc.oneof(
          fc.double({ min: 10.001, max: 1e7, noNaN: true }),
          fc.double({ min: 1e7, max: 1e300, noNaN: true }),
        ),
        async (secs) => {
          const s = server(unavailable({ 'retry-after': String(secs) }));

          const res = await requestWithRetry(s.http, req, { policy: 'safe' });

          expect(res.status).toBe(503);
          expect(s.calls()).toBe(1);
        },
      ),
    );
  });
});
