import { deadlineCode, NetworkError, type TimeoutSettings } from './network-error.js';

/** The one HTTP seam: protocol code takes this, tests can hand it anything that speaks it. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Throws NetworkError when no complete answer came (the signal's own abort error on an abort). */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** What is left of the deadline, in ms (the whole of it before the first request). */
  remainingMs(): number;
}

export type HttpTimeouts = TimeoutSettings;

/** Documented in the README: PD_AUTH_HTTP_TIMEOUT=SECONDS sets the deadline. */
export const defaultTimeouts: HttpTimeouts = { totalMs: 30_000, connectMs: 10_000 };

export function timeoutsFromSeconds(seconds: number | undefined): HttpTimeouts {
  if (seconds === undefined) return defaultTimeouts;
  const totalMs = Math.round(seconds * 1000);
  return { totalMs, connectMs: Math.min(defaultTimeouts.connectMs, totalMs) };
}

/** Largest body we read; a token response is well under 10 KiB, an API page rarely over a few MiB. */
export const maxBodyBytes = 32 * 1024 * 1024;

/**
 * The HTTP client, on undici: loaded on first request, so commands that never touch the network
 * don't pay for it (about 45 ms on Node 26). EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY, which Node's own fetch does not on every Node version pd-auth runs on.
 */
export function createHttpClient(timeouts: HttpTimeouts = defaultTimeouts, now = Date.now): HttpClient {
  let dispatcher: Promise<import('undici').Dispatcher> | undefined;
  const getDispatcher = () => {
    dispatcher ??= import('undici').then(
      (u) =>
        new u.EnvHttpProxyAgent({
          connect: { timeout: timeouts.connectMs },
          // The deadline below bounds a silent server; these only must not cut in before it.
          headersTimeout: timeouts.totalMs,
          bodyTimeout: timeouts.totalMs,
        }),
    );
    return dispatcher;
  };
  // The deadline starts with the first request: a login's wait for the browser is not part of it.
  let deadline: number | undefined;
  const remainingMs = () => (deadline === undefined ? timeouts.totalMs : Math.max(0, deadline - now()));
  const ranOut = (url: string) =>
    new NetworkError(url, Object.assign(new Error('deadline'), { code: deadlineCode }), timeouts);
  return {
    remainingMs,
    async request(req) {
      deadline ??= now() + timeouts.totalMs;
      const left = remainingMs();
      if (left <= 0) throw ranOut(req.url);
      const timer = AbortSignal.timeout(left);
      const signal = req.signal ? AbortSignal.any([req.signal, timer]) : timer;
      try {
        return await send({ ...req, signal });
      } catch (err) {
        // An abort is the caller's own doing (Ctrl+C): pass it on as it is.
        if (req.signal?.aborted) throw err;
        if (timer.aborted) throw ranOut(req.url);
        if (err instanceof NetworkError) throw err;
        throw new NetworkError(req.url, err, timeouts);
      }
    },
  };
  async function send(req: HttpRequest): Promise<HttpResponse> {
    const { request } = await import('undici');
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers ?? {},
      body: req.body ?? null,
      signal: req.signal ?? null,
      dispatcher: await getDispatcher(),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) {
        res.body.destroy();
        throw new Error(`response body from ${req.url} is larger than ${maxBodyBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
  }
}
