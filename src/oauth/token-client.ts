import type { HttpClient } from '../net/http-client.js';
import { type RetryOptions, type RetryPolicy, requestWithRetry } from '../net/retry.js';
import { parseJson, toOAuthError } from './oauth-error.js';
import { parseTokenResponse, type TokenResponse } from './token-set.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenClient {
  exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenResponse>;
  refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenResponse>;
  /** RFC 7009: 200 also for unknown tokens, so success proves nothing (pipedrive-oauth.md §4). */
  revoke(token: string, hint: 'refresh_token' | 'access_token', signal?: AbortSignal): Promise<void>;
}

export function basicAuth({ clientId, clientSecret }: ClientCredentials): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
}

/**
 * Pipedrive's token endpoint: form body, HTTP Basic client auth (pipedrive-oauth.md §2). Form
 * encoding via URLSearchParams, because tokens contain `+ / = :` (§3). Refresh and revoke are
 * retried on network errors, 5xx and 429 with backoff and jitter.
 */
export function createTokenClient(
  http: HttpClient,
  oauthUrl: string,
  creds: ClientCredentials,
  retry?: Omit<RetryOptions, 'policy'>,
): TokenClient {
  const post = async (
    path: string,
    form: Record<string, string>,
    policy: RetryPolicy,
    signal?: AbortSignal,
  ) => {
    const url = `${oauthUrl.replace(/\/+$/, '')}${path}`;
    const res = await requestWithRetry(
      http,
      {
        method: 'POST',
        url,
        headers: {
          authorization: basicAuth(creds),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        ...(signal ? { signal } : {}),
      },
      { policy, ...(retry ?? {}) },
    );
    if (res.status < 200 || res.status > 299) throw toOAuthError(res, url);
    return { res, url };
  };
  const tokenGrant = async (form: Record<string, string>, policy: RetryPolicy, signal?: AbortSignal) => {
    const { res, url } = await post('/oauth/token', form, policy, signal);
    return parseTokenResponse(parseJson(res, url), url, res.status);
  };
  return {
    // The code is single-use: the exchange is repeated only when it provably never left this machine.
    exchangeCode: (code, redirectUri, signal) =>
      tokenGrant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, 'unsent', signal),
    refresh: (refreshToken, signal) =>
      tokenGrant({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'safe', signal),
    revoke: async (token, hint, signal) => {
      await post('/oauth/revoke', { token, token_type_hint: hint }, 'safe', signal);
    },
  };
}
