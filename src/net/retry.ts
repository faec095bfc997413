import type { HttpClient, HttpRequest, HttpResponse } from './http-client.js';
import { errorCode } from './network-error.js';

/**
 * - `safe`: the request may be repeated (refresh, revoke, API reads): network errors, 5xx and 429.
 * - `unsent`: only when the request provably never reached the server (the authorization code is
 *   single-use, so a request that may have arrived must not be sent twice).
 */
export type RetryPolicy = 'safe' | 'unsent';

export interface RetryOptions {
  policy: RetryPolicy;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  baseMs?: number;
  capMs?: number;
  /** 429 is retried too unless false (the API command waits for it itself, and says so). */
  retryOn429?: boolean;
  onRetry?: (reason: string, waitMs: number, attempt: number) => void;
  random?: () => number;
}

/** Errors raised before a single byte of the request could reach the server. */
const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export const isUnsentError = (err: unknown) => unsentCodes.has(errorCode(err) ?? '');

/** Retry-After (seconds or a date), else Pipedrive's x-ratelimit-reset (seconds), else undefined. */
export function serverDelayMs(headers: HttpResponse['headers'], now: number): number | undefined {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const retryAfter = one(headers['retry-after'])?.trim();
  if (retryAfter) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = one(headers['x-ratelimit-reset'])?.trim();
  const secs = reset ? Number(reset) : Number.NaN;
  return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : undefined;
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)]. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** A retry starts only when at least this much of the deadline is left after its wait. */
export const minAttemptMs = 1_000;

/**
 * One request with bounded retries, all inside the client's deadline. Network errors are rethrown
 * after the last try; a 5xx or 429 answer is returned as it is after the last try, for the caller
 * to report.
 */
export async function requestWithRetry(
  http: HttpClient,
  req: HttpRequest,
  opts: RetryOptions,
): Promise<HttpResponse> {
  const retries = opts.retries ?? 3;
  const baseMs = opts.baseMs ?? 300;
  const capMs = opts.capMs ?? 5_000;
  for (let attempt = 0; ; attempt++) {
    let wait: number;
    let reason: string;
    let giveUp: () => HttpResponse;
    try {
      const res = await http.request(req);
      const retryable =
        opts.policy === 'safe' && (res.status >= 500 || (res.status === 429 && opts.retryOn429 !== false));
      if (!retryable || attempt >= retries) return res;
      const asked = serverDelayMs(res.headers, Date.now());
      // A server that asks for a long wait (a spent daily budget) is not waited for.
      if (asked !== undefined && asked > capMs * 2) return res;
      wait = asked ?? backoffMs(attempt, baseMs, capMs, opts.random);
      reason = `HTTP ${res.status}`;
      giveUp = () => res;
    } catch (err) {
      if (req.signal?.aborted) throw err;
      const retryable = opts.policy === 'safe' || isUnsentError(err);
      if (!retryable || attempt >= retries) throw err;
      wait = backoffMs(attempt, baseMs, capMs, opts.random);
      reason = errorCode(err) ?? (err as Error).message;
      giveUp = () => {
        throw err;
      };
    }
    if (wait + minAttemptMs > http.remainingMs()) return giveUp();
    opts.onRetry?.(reason, wait, attempt + 1);
    await (await import('node:timers/promises')).setTimeout(
      wait,
      undefined,
      req.signal ? { signal: req.signal } : undefined,
    );
  }
}
