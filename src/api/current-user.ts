import type { HttpClient } from '../net/http-client.js';
import { requestWithRetry } from '../net/retry.js';
import { BadResponseError, parseJson } from '../oauth/oauth-error.js';
import type { CompanyInfo, UserInfo } from '../store/profile.js';

export interface CurrentUser {
  user: UserInfo;
  company: CompanyInfo;
}

/** Thrown when the API refuses the access token (401): revoked, expired or from another company. */
export class ApiAuthError extends Error {
  constructor(readonly url: string) {
    super(`${url} refused the access token (401)`);
    this.name = 'ApiAuthError';
  }
}

/** `GET {api_domain}/api/v1/users/me`: needs only the always-granted `base` scope (pipedrive-oauth.md §8). */
export async function fetchCurrentUser(
  http: HttpClient,
  apiDomain: string,
  accessToken: string,
  signal?: AbortSignal,
): Promise<CurrentUser> {
  const url = `${apiDomain.replace(/\/+$/, '')}/api/v1/users/me`;
  const res = await requestWithRetry(
    http,
    {
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      ...(signal ? { signal } : {}),
    },
    { policy: 'safe' },
  );
  if (res.status === 401) throw new ApiAuthError(url);
  if (res.status < 200 || res.status > 299) throw new BadResponseError(url, res.status, 'not a success');
  const body = parseJson(res, url) as { data?: Record<string, unknown> } | null;
  const d = body?.data;
  if (!d || typeof d !== 'object') throw new BadResponseError(url, res.status, 'no data object');
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : Number(d[k] ?? Number.NaN));
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  if (!Number.isFinite(num('id'))) throw new BadResponseError(url, res.status, 'no user id');
  return {
    user: { id: num('id'), name: str('name'), email: str('email') },
    company: {
      id: Number.isFinite(num('company_id')) ? num('company_id') : 0,
      name: str('company_name'),
      domain: str('company_domain'),
    },
  };
}
