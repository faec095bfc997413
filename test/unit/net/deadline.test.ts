import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient, type HttpResponse } from '../../../src/net/http-client.js';
import { deadlineCode, NetworkError } from '../../../src/net/network-error.js';
import { minAttemptMs, requestWithRetry } from '../../../src/net/retry.js';
import { type SilentServer, startSilentServer } from '../../helpers/silent-server.js';

describe('createHttpClient: one deadline for the whole conversation', () => {
  let silent: SilentServer;
  beforeEach(async () => {
    silent = await startSilentServer();
  });
  afterEach(() => silent.close());

  it('gives up on a silent server with a NetworkError that says so, and then refuses at once', async () => {
    const http = createHttpClient({ totalMs: 300, connectMs: 300 });
    const req = { method: 'POST' as const, url: `${silent.url}/oauth/token`, body: 'x' };

    const first = await http.request(req).catch((e: unknown) => e);
    const second = await http.request(req).catch((e: unknown) => e);

    expect(first).toBeInstanceOf(NetworkError);
    expect((first as NetworkError).code).toBe(deadlineCode);
    expect((first as Error).message).toBe(
      `${new URL(silent.url).host} did not answer in time (${req.url}: no complete answer within 0.3s, retries included)`,
    );
    expect((second as NetworkError).code).toBe(deadlineCode);
    expect(http.remainingMs()).toBe(0);
  });

  it('starts the deadline with the first request, not when the client is made', () => {
    let now = 1_000;
    const http = createHttpClient({ totalMs: 30_000, connectMs: 10_000 }, () => now);
    now += 60_000;

    expect(http.remainingMs()).toBe(30_000);
  });

  it("a Ctrl+C abort is passed on as the caller's own abort, not as a deadline", async () => {
    const http = createHttpClient({ totalMs: 30_000, connectMs: 10_000 });
    const controller = new AbortController();
    const pending = http.request({ method: 'GET', url: `${silent.url}/x`, signal: controller.signal });
    await silent.asked;
    controller.abort();

    const err = await pending.catch((e: unknown) => e);

    expect(err).not.toBeInstanceOf(NetworkError);
    expect(controller.signal.aborted).toBe(true);
  });
});

/** A client that answers from a script and has as much of its deadline left as the test says. */
function scripted(answers: Array<HttpResponse | Error>, remaining: () => number) {
  let calls = 0;
  const http: HttpClient = {
    remainingMs: remaining,
    request: async () => {
      const a = answers[Math.min(calls++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a as HttpResponse;
    },
  };
  return { http, calls: () => calls };
}

const unavailable: HttpResponse = { status: 503, headers: {}, body: '' };
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const req = { method: 'POST' as const, url: 'http://127.0.0.1:9/oauth/token' };
const opts = { policy: 'safe' as const, baseMs: 1, capMs: 1, random: () => 1 };

describe('requestWithRetry inside the deadline', () => {
  it('retries while a wait and an attempt still fit', async () => {
    const s = scripted([unavailable, unavailable, { status: 200, headers: {}, body: '{}' }], () => 10_000);

    const res = await requestWithRetry(s.http, req, opts);

    expect(res.status).toBe(200);
    expect(s.calls()).toBe(3);
  });

  it('does not start a retry that cannot finish in time: the last answer is returned', async () => {
    const s = scripted([unavailable], () => minAttemptMs);

    const res = await requestWithRetry(s.http, req, opts);

    expect(res.status).toBe(503);
    expect(s.calls()).toBe(1);
  });

  it('does not start a retry that cannot finish in time: the last error is thrown', async () => {
    const s = scripted([refused], () => minAttemptMs);

    const err = await requestWithRetry(s.http, req, opts).catch((e: unknown) => e);

    expect(err).toBe(refused);
    expect(s.calls()).toBe(1);
  });
});
