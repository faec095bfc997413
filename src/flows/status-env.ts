import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { type EnvCredentials, environmentProfile } from './env-credentials.js';
import { envCacheKey } from './env-refresh.js';
import type { ProfileStatus } from './status-offline.js';

/**
 * `status` with credentials from the environment: one entry, named "(environment)", whose token is
 * the cached one when there is a cache (offline) or a valid one (live, refreshing when needed).
 */
export async function envStatus(
  creds: EnvCredentials,
  names: string[] | 'all',
  deps: Deps,
): Promise<ProfileStatus> {
  if (names === 'all') {
    throw new UsageError(
      '--all lists the stored profiles, which are not used while PIPEDRIVE_REFRESH_TOKEN is set',
      'drop --all to see the credentials from the environment, or unset PIPEDRIVE_REFRESH_TOKEN',
    );
  }
  const cached = await deps.store
    .read()
    .then((d) => d.envCache?.[envCacheKey(creds)])
    .catch(() => undefined);
  const t = cached?.tokens;
  return {
    name: environmentProfile,
    active: true,
    // Offline, no cached token means the next use refreshes: "expired" says exactly that.
    state: t && t.expiresAt > deps.now() ? 'valid' : 'expired',
    checked: 'offline',
    user: null,
    company: null,
    apiDomain: t?.apiDomain ?? null,
    scopes: t?.scope ?? [],
    accessTokenExpiresAt: t?.expiresAt ?? null,
    refreshTokenLapsesAt: null,
    clientId: creds.clientId,
    clientSecret: undefined,
    storage: 'environment',
    storageFallback: null,
    redirectUri: '',
    oauthUrl: creds.oauthUrl,
    error: null,
  };
}
