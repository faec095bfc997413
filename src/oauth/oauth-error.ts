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

export { NetworkError } from '../net/network-error.js';

/**
 * The start of a body we could not use, for the error message: markup stripped, and every value
 * that could be a credential (JSON fields named like token/secret/code, long opaque runs) redacted.
 */
export function bodyExcerpt(body: string, max = 160): string {
  const text = body
    .replace(
      /("[^"]*(?:token|secret|code|password|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
      '$1"[redacted]"',
    )
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // Long opaque runs may be tokens; a URL's scheme, host and port (an api_domain, a proxy's link)
    // are kept, but not `user:password@` before a host.
    .replace(/[A-Za-z0-9+/=:._~-]{24,}/g, (run) =>
      /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?$/.test(run) ? run : '[redacted]',
    );
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An HTTP answer we cannot use: not JSON, or missing what must be there. */
export class BadResponseError extends Error {
  constructor(
    url: string,
    readonly status: number,
    what: string,
    body?: string,
  ) {
    const excerpt = body === undefined ? '' : bodyExcerpt(body);
    super(
      `unexpected answer from ${url} (HTTP ${status}): ${what}${excerpt ? `; it begins: «${excerpt}»` : ''}`,
    );
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
    return new BadResponseError(url, res.status, 'the error body is not JSON', res.body);
  }
  const code = field(body, 'error') ?? '';
  const message = field(body, 'message') ?? field(body, 'error_description');
  return new OAuthError(res.status, code, message, url);
}
