import type { Deps } from '../deps.js';
import { LoginNeededError, UsageError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../net/http-client.js';
import { minAttemptMs, requestWithRetry, serverDelayMs } from '../net/retry.js';
import { implicitProfile } from './profile-name.js';
import { getValidToken } from './refresh.js';

export interface ApiRequestOptions {
  profile: string;
  method: HttpRequest['method'];
  path: string;
  body?: string;
  headers: Record<string, string>;
  /** How many times a 429 is retried (default 3). */
  maxRateLimitRetries?: number;
}

/** Longest single wait for a rate limit; a longer one (a spent daily budget) is reported instead. */
const maxWaitMs = 60_000;

/**
 * `{api_domain}/api/v1/PATH`; `v1/…`, `v2/…` and `/api/…` are used as given. Only paths: a full URL
 * could send the token to another host.
 */
export function apiUrl(apiDomain: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    throw new UsageError(`give a path such as deals or v2/deals, not a URL: ${path}`);
  }
  const p = path.replace(/^\/+/, '');
  const full = /^api\//.test(p) ? p : /^v\d+\//.test(p) ? `api/${p}` : `api/v1/${p}`;
  return `${apiDomain.replace(/\/+$/, '')}/${full}`;
}

/** Retry-After or x-ratelimit-reset when the server gives one, else 1, 2, 4… seconds. */
export function rateLimitDelayMs(headers: HttpResponse['headers'], attempt: number, now: number): number {
  return serverDelayMs(headers, now) ?? 1000 * 2 ** attempt;
}

/**
 * One API call as the app: a valid token first, a refresh and one more try on a 401 (the token was
 * revoked or expired early), and bounded waits on 429 as Pipedrive's headers say (§9).
 */
export async function apiRequest(
  opts: ApiRequestOptions,
  deps: Deps,
): Promise<HttpResponse & { url: string }> {
  const maxRetries = opts.maxRateLimitRetries ?? 3;
  // A bad path is a usage error before anything else happens (no refresh, no store write).
  apiUrl('https://example.invalid', opts.path);
  let profile = await getValidToken(opts.profile, deps);
  const url = apiUrl(profile.tokens.apiDomain, opts.path);
  let refreshed = false;
  for (let attempt = 0; ; ) {
    deps.log.debug(`${opts.method} ${url}`);
    // Reads are retried on network errors and 5xx; writes only when they provably never left.
    const res = await requestWithRetry(
      deps.http,
      {
        method: opts.method,
        url,
        headers: {
          accept: 'application/json',
          ...opts.headers,
          authorization: `Bearer ${profile.tokens.accessToken}`,
        },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        signal: deps.signal,
      },
      {
        policy: opts.method === 'GET' ? 'safe' : 'unsent',
        retryOn429: false,
        onRetry: (why, wait, n) => deps.log.debug(`${why}: retrying in ${wait} ms (${n})`),
      },
    );
    if (res.status === 401) {
      if (refreshed)
        throw new LoginNeededError('Pipedrive refuses even a freshly refreshed access token', opts.profile, {
          implicit: await implicitProfile(deps),
        });
      refreshed = true;
      deps.log.debug('401: refreshing the access token and trying once more');
      profile = await getValidToken(opts.profile, deps, { rejectedToken: profile.tokens.accessToken });
      continue;
    }
    if (res.status === 429 && attempt < maxRetries) {
      const wait = rateLimitDelayMs(res.headers, attempt, deps.now());
      // A wait longer than the cap, or than the deadline leaves, is reported instead.
      if (wait > maxWaitMs || wait + minAttemptMs > deps.http.remainingMs()) return { ...res, url };
      attempt++;
      deps.io.stderr.write(
        `Rate limited by Pipedrive (429); retrying in ${Math.ceil(wait / 1000)}s (${attempt}/${maxRetries})\n`,
      );
      await (await import('node:timers/promises')).setTimeout(wait, undefined, { signal: deps.signal });
      continue;
    }
    return { ...res, url };
  }
}
