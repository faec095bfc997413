import type { HttpClient, HttpResponse } from '../net/http-client.js';
import { NetworkError, parseJson, toOAuthError } from './oauth-error.js';
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
 * encoding via URLSearchParams, because tokens contain `+ / = :` (§3).
 */
export function createTokenClient(http: HttpClient, oauthUrl: string, creds: ClientCredentials): TokenClient {
  const post = async (path: string, form: Record<string, string>, signal?: AbortSignal) => {
    const url = `${oauthUrl.replace(/\/+$/, '')}${path}`;
    let res: HttpResponse;
    try {
      res = await http.request({
        method: 'POST',
        url,
        headers: {
          authorization: basicAuth(creds),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new NetworkError(url, err);
    }
    if (res.status < 200 || res.status > 299) throw toOAuthError(res, url);
    return { res, url };
  };
  const tokenGrant = async (form: Record<string, string>, signal?: AbortSignal) => {
    const { res, url } = await post('/oauth/token', form, signal);
    return parseTokenResponse(parseJson(res, url), url, res.status);
  };
  return {
    exchangeCode: (code, redirectUri, signal) =>
      tokenGrant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, signal),
    refresh: (refreshToken, signal) =>
      tokenGrant({ grant_type: 'refresh_token', refresh_token: refreshToken }, signal),
    revoke: async (token, hint, signal) => {
      await post('/oauth/revoke', { token, token_type_hint: hint }, signal);
    },
  };
}
