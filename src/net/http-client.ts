import { NetworkError, type TimeoutSettings } from './network-error.js';

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
}

export type HttpTimeouts = TimeoutSettings;

/** Documented in the README; PD_AUTH_HTTP_TIMEOUT=SECONDS sets all three. */
export const defaultTimeouts: HttpTimeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

export function timeoutsFromSeconds(seconds: number | undefined): HttpTimeouts {
  if (seconds === undefined) return defaultTimeouts;
  const ms = Math.round(seconds * 1000);
  return { connectMs: ms, headersMs: ms, bodyMs: ms };
}

/** Largest body we read; a token response is well under 10 KiB, an API page rarely over a few MiB. */
export const maxBodyBytes = 32 * 1024 * 1024;

/**
 * The HTTP client, on undici: loaded on first request, so commands that never touch the network
 * don't pay for it (about 45 ms on Node 26). EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY, which Node's own fetch does not on every Node version pd-auth runs on.
 */
export function createHttpClient(timeouts: HttpTimeouts = defaultTimeouts): HttpClient {
  let dispatcher: Promise<import('undici').Dispatcher> | undefined;
  const getDispatcher = () => {
    dispatcher ??= import('undici').then(
      (u) =>
        new u.EnvHttpProxyAgent({
          connect: { timeout: timeouts.connectMs },
          headersTimeout: timeouts.headersMs,
          bodyTimeout: timeouts.bodyMs,
        }),
    );
    return dispatcher;
  };
  return {
    async request(req) {
      try {
        return await send(req);
      } catch (err) {
        // An abort is the caller's own doing (Ctrl+C): pass it on as it is.
        if (req.signal?.aborted || err instanceof NetworkError) throw err;
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
