import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type HttpTimeouts,
  maxBodyBytes,
} from './http-client.js';
import { NetworkError } from './network-error.js';

/** An error carrying the same codes undici uses, so NetworkError words both clients alike. */
const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

async function send(req: HttpRequest, t: HttpTimeouts): Promise<HttpResponse> {
  const url = new URL(req.url);
  // node:http and node:https start in a few milliseconds; undici (or Node's fetch) takes tens.
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let request: ClientRequest;
    const arm = (ms: number, code: string, what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => request.destroy(coded(code, `${what} timed out`)), ms);
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    request = mod.request(url, {
      method: req.method,
      headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      // One connection per request: nothing keeps the process alive once the command is done.
      agent: false,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    arm(t.connectMs, 'UND_ERR_CONNECT_TIMEOUT', 'connect');
    request.once('socket', (socket) => {
      const connected = () => arm(t.headersMs, 'UND_ERR_HEADERS_TIMEOUT', 'headers');
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    request.once('error', fail);
    request.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      arm(t.bodyMs, 'UND_ERR_BODY_TIMEOUT', 'body');
      res.on('data', (chunk: Buffer) => {
        arm(t.bodyMs, 'UND_ERR_BODY_TIMEOUT', 'body');
        size += chunk.length;
        if (size > maxBodyBytes)
          request.destroy(new Error(`the response body is larger than ${maxBodyBytes} bytes`));
        else chunks.push(chunk);
      });
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    request.end(body);
  });
}

/**
 * The HTTP client when no proxy is configured: plain node:http/https with connect, header and body
 * timeouts. (With HTTPS_PROXY/HTTP_PROXY set, createHttpClient picks undici's EnvHttpProxyAgent.)
 */
export function createNodeHttpClient(timeouts: HttpTimeouts): HttpClient {
  return {
    async request(req) {
      try {
        return await send(req, timeouts);
      } catch (err) {
        if (req.signal?.aborted || err instanceof NetworkError) throw err;
        throw new NetworkError(req.url, err, timeouts);
      }
    },
  };
}
