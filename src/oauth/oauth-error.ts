import type { HttpResponse } from '../net/http-client.js';

/**
 * A refusal from Pipedrive's OAuth host. Pipedrive's body is `{success:false, message, error}`
 * (pipedrive-oauth.md §5: shape UNCONFIRMED, so we also read a plain RFC 6749 `error_description`
 * and fall back to the status). We match on `error`, never on the message text.
 */
export class OAuthError extends Error {
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string | undefined;

  constructor(status: number, code: string, serverMessage: string | undefined, url: string) {
    super(`${url} answered ${status}${code ? ` ${code}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
    this.name = 'OAuthError';
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/** The request never got an HTTP answer (DNS, refused, reset, timeout). */
export class NetworkError extends Error {
  constructor(url: string, cause: unknown) {
    const reason =
      cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
    super(`could not reach ${url} (${reason})`, { cause });
    this.name = 'NetworkError';
  }
}

/** An HTTP answer we cannot use: not JSON, or missing what must be there. */
export class BadResponseError extends Error {
  constructor(
    url: string,
    readonly status: number,
    what: string,
  ) {
    super(`unexpected answer from ${url} (HTTP ${status}): ${what}`);
    this.name = 'BadResponseError';
  }
}

function field(obj: unknown, key: string): string | undefined {
  if (obj && typeof obj === 'object' && key in obj) {
    const v = (obj as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

export function parseJson(res: HttpResponse, url: string): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new BadResponseError(
      url,
      res.status,
      res.body.trim() === '' ? 'empty body' : 'the body is not JSON',
    );
  }
}

/** Turn a non-2xx answer of the OAuth host into an OAuthError (or BadResponseError when unreadable). */
export function toOAuthError(res: HttpResponse, url: string): Error {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return new BadResponseError(url, res.status, 'the error body is not JSON');
  }
  const code = field(body, 'error') ?? '';
  const message = field(body, 'message') ?? field(body, 'error_description');
  return new OAuthError(res.status, code, message, url);
}
