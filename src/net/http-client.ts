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
 * undici-based client, loaded on first use so commands that never touch the network don't pay for it.
 * EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (Node's own fetch does not).
 */
export function createUndiciClient(timeouts: HttpTimeouts = defaultTimeouts): HttpClient {
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

/** Proxy variables as undici's EnvHttpProxyAgent reads them. */
const proxyVars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * undici's EnvHttpProxyAgent when a proxy is configured (it honours HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY), else plain node:http, which starts far faster.
 */
export async function createHttpClient(timeouts: HttpTimeouts, env: NodeJS.ProcessEnv): Promise<HttpClient> {
  if (proxyVars.some((k) => env[k])) return createUndiciClient(timeouts);
  const { createNodeHttpClient } = await import('./node-http-client.js');
  return createNodeHttpClient(timeouts);
}

/** A client chosen on first use, so nothing about HTTP loads for commands that make no request. */
export function lazyHttpClient(timeouts: HttpTimeouts, env: NodeJS.ProcessEnv): HttpClient {
  let client: Promise<HttpClient> | undefined;
  return {
    async request(req) {
      client ??= createHttpClient(timeouts, env);
      return (await client).request(req);
    },
  };
}
