import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiError, RATE_LIMIT, UNAUTHORIZED } from './api-common.js';
import type { FaultSpec } from './faults.js';

/**
 * What a 429 carries unless the fault says otherwise: a client honouring either Retry-After or
 * the x-ratelimit-reset window waits one second.
 */
const RATE_LIMITED_HEADERS: Record<string, string> = {
  'retry-after': '1',
  'x-ratelimit-limit': String(RATE_LIMIT),
  'x-ratelimit-remaining': '0',
  'x-ratelimit-reset': '1',
};

/** Answers (or drops) a request with an injected fault. Never rejects. */
export async function serveFault(req: IncomingMessage, res: ServerResponse, fault: FaultSpec): Promise<void> {
  if (fault.delayMs) {
    // Unreferenced: a pending delay must not keep a closing process alive.
    await sleep(fault.delayMs, undefined, { ref: false });
  }
  // close() may have destroyed the socket during the delay.
  if (req.socket.destroyed) return;
  if (fault.dropConnection) {
    req.socket.destroy();
    return;
  }
  const body = fault.body ?? JSON.stringify(defaultBody(fault.status));
  const headers: Record<string, string> = {
    'content-type': looksLikeJson(body) ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...(fault.status === 429 ? RATE_LIMITED_HEADERS : {}),
    ...fault.headers,
  };
  // 204 and 304 have no body by definition; Node would drop it anyway.
  const payload = fault.status === 204 || fault.status === 304 ? '' : body;
  res.writeHead(fault.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

/** Pipedrive's API error shape; success statuses get an empty success body. */
function defaultBody(status: number): unknown {
  if (status < 300) return { success: true, data: null };
  if (status === 401) return UNAUTHORIZED;
  if (status === 429) return apiError(429, 'Rate limit exceeded');
  return apiError(status, STATUS_CODES[status] ?? 'Error');
}

function looksLikeJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
