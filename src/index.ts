/**
 * pd-auth as a library: the same store, lock and refresh logic as the CLI, for Node scripts and
 * the test suites of Pipedrive apps. It shares one bundle with the CLI (src/bundle.ts), so what it
 * needs is imported on first call: loading the bundle for `pd-auth token` runs none of it.
 *
 *   import { getAccessToken } from 'pd-auth';
 *   const { accessToken, apiDomain } = await getAccessToken({ profile: 'sandbox' });
 */
import { resolveProfileName } from './flows/profile-name.js';
import type { LibraryOptions } from './library-options.js';
import type { CompanyInfo, UserInfo } from './store/profile.js';

export { CancelledError, ExitCode, LoginNeededError, PdAuthError, UsageError } from './errors.js';
export type { LibraryOptions } from './library-options.js';
export type { CompanyInfo, UserInfo } from './store/profile.js';

export interface AccessTokenOptions extends LibraryOptions {
  /** Refresh first when the token expires within this many seconds (default 300). */
  minValidSeconds?: number;
}

export interface AccessToken {
  profile: string;
  accessToken: string;
  /** The company's API base URL, e.g. https://acme.pipedrive.com: call `${apiDomain}/api/v1/...`. */
  apiDomain: string;
  expiresAt: Date;
  scope: string[];
}

/**
 * A valid access token for the profile, refreshed first when needed (under the same cross-process
 * lock as the CLI). Throws LoginNeededError (exitCode 4) when a login is needed, PdAuthError otherwise.
 */
export async function getAccessToken(options: AccessTokenOptions = {}): Promise<AccessToken> {
  const [{ libraryDeps }, { getValidToken }] = await Promise.all([
    import('./library.js'),
    import('./flows/refresh.js'),
  ]);
  const deps = libraryDeps(options);
  const profile = await resolveProfileName(options.profile, deps);
  const p = await getValidToken(profile, deps, {
    ...(options.minValidSeconds !== undefined ? { minValidMs: options.minValidSeconds * 1000 } : {}),
  });
  return {
    profile,
    accessToken: p.tokens.accessToken,
    apiDomain: p.tokens.apiDomain,
    expiresAt: new Date(p.tokens.expiresAt),
    scope: [...p.tokens.scope],
  };
}

/** What is stored for a profile, without any token or secret; undefined when there is no such profile. */
export interface ProfileInfo {
  profile: string;
  clientId: string;
  redirectUri: string;
  oauthUrl: string;
  loggedIn: boolean;
  apiDomain: string | undefined;
  scope: string[];
  accessTokenExpiresAt: Date | undefined;
  user: UserInfo | undefined;
  company: CompanyInfo | undefined;
}

export async function getProfile(options: LibraryOptions = {}): Promise<ProfileInfo | undefined> {
  const { libraryDeps } = await import('./library.js');
  const deps = libraryDeps(options);
  const profile = await resolveProfileName(options.profile, deps);
  const p = await deps.store.getProfile(profile);
  if (!p) return undefined;
  return {
    profile,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    oauthUrl: p.oauthUrl,
    loggedIn: Boolean(p.tokens),
    apiDomain: p.tokens?.apiDomain,
    scope: p.tokens ? [...p.tokens.scope] : [],
    accessTokenExpiresAt: p.tokens ? new Date(p.tokens.expiresAt) : undefined,
    user: p.user,
    company: p.company,
  };
}
