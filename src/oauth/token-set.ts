import { BadResponseError } from './oauth-error.js';

/** A token response of Pipedrive's /oauth/token, checked at the boundary (pipedrive-oauth.md §3). */
export interface TokenResponse {
  accessToken: string;
  refreshToken: string | undefined;
  tokenType: string;
  expiresIn: number;
  scope: string[];
  apiDomain: string | undefined;
}

/** What we persist: absolute times in epoch milliseconds, so expiry survives restarts. */
export interface StoredTokens {
  accessToken: string;
  /** Absent while it is in the OS keyring and not loaded (ProfileStore.loadSecrets). */
  refreshToken?: string;
  tokenType: string;
  expiresAt: number;
  /** When this access token was issued: its lifetime is expiresAt - obtainedAt. */
  obtainedAt: number;
  scope: string[];
  apiDomain: string;
  /** When the refresh token was last issued or used: it lapses 60 days after (§3). */
  refreshTokenUsedAt: number;
}

/** Pipedrive refresh tokens expire after 60 days unused, sliding with each use (§3). */
export const refreshTokenIdleMs = 60 * 24 * 60 * 60 * 1000;

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    // No surrounding whitespace (URL() would trim it silently), no credentials in the URL.
    return (
      text === text.trim() &&
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      u.hostname !== '' &&
      !u.username &&
      !u.password
    );
  } catch {
    return false;
  }
}

export function parseTokenResponse(body: unknown, url: string, status: number): TokenResponse {
  const bad = (what: string) => new BadResponseError(url, status, what, JSON.stringify(body) ?? String(body));
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('the body is not a JSON object');
  const o = body as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  // Tokens go into HTTP headers and shell lines: no whitespace or control characters, ever.
  const opaque = (k: string) => {
    const v = str(k);
    if (v !== undefined && !/^[\x21-\x7e]+$/.test(v)) throw bad(`${k} contains spaces or control characters`);
    return v;
  };
  const accessToken = opaque('access_token');
  if (!accessToken) throw bad('no access_token');
  // Docs say "Always 'bearer'" while examples show "Bearer": compare case-insensitively (§3).
  const tokenType = str('token_type') ?? 'Bearer';
  if (tokenType.toLowerCase() !== 'bearer') throw bad(`token_type is ${tokenType}, not Bearer`);
  const expiresIn =
    typeof o.expires_in === 'string' && /^\d+$/.test(o.expires_in) ? Number(o.expires_in) : o.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw bad('expires_in is missing or not a positive number');
  }
  const apiDomain = str('api_domain');
  if (apiDomain !== undefined && !isHttpUrl(apiDomain)) throw bad('api_domain is not a URL');
  return {
    accessToken,
    refreshToken: opaque('refresh_token'),
    tokenType: 'Bearer',
    expiresIn,
    // Pipedrive's scope string is comma-separated ("deals:full,base"); accept spaces too (RFC 6749).
    scope: (str('scope') ?? '').split(/[\s,]+/).filter(Boolean),
    apiDomain: apiDomain?.replace(/\/+$/, ''),
  };
}

/**
 * Merge a token response into what was stored. A refresh response may omit the refresh token or
 * api_domain: keep the old ones then (both SDKs do the same, §10).
 */
export function toStoredTokens(
  res: TokenResponse,
  now: number,
  previous?: StoredTokens,
  fallbackApiDomain?: string,
): StoredTokens {
  const refreshToken = res.refreshToken ?? previous?.refreshToken;
  if (!refreshToken) throw new BadResponseError('the token endpoint', 200, 'no refresh_token');
  const apiDomain = res.apiDomain ?? previous?.apiDomain ?? fallbackApiDomain;
  if (!apiDomain) throw new BadResponseError('the token endpoint', 200, 'no api_domain');
  return {
    accessToken: res.accessToken,
    refreshToken,
    tokenType: res.tokenType,
    expiresAt: now + res.expiresIn * 1000,
    obtainedAt: now,
    scope: res.scope.length > 0 ? res.scope : (previous?.scope ?? []),
    apiDomain,
    refreshTokenUsedAt: now,
  };
}

export function isExpired(tokens: StoredTokens, now: number, marginMs = 0): boolean {
  return tokens.expiresAt - marginMs <= now;
}

export function refreshTokenLapsesAt(tokens: StoredTokens): number {
  return tokens.refreshTokenUsedAt + refreshTokenIdleMs;
}

/** The refresh margin when the caller sets none. */
export const defaultMinValidMs = 5 * 60 * 1000;

/**
 * Whether a stored token must be refreshed before use. With the default margin, a token that lives
 * less than twice the margin would look stale the moment it is issued and every call would refresh:
 * the default is at most half its lifetime. A margin the caller asks for is taken as given.
 */
export function needsRefresh(t: StoredTokens, now: number, minValidMs?: number): boolean {
  const margin = minValidMs ?? Math.min(defaultMinValidMs, Math.max(0, (t.expiresAt - t.obtainedAt) / 2));
  return isExpired(t, now, margin);
}
