import type { Deps } from '../deps.js';
import { isExpired, needsRefresh, type StoredTokens } from '../oauth/token-set.js';
import type { EnvCacheEntry, Profile, StoreData } from '../store/profile.js';
import { type EnvCredentials, envCredentials } from './env-credentials.js';
import { envCacheKey, refreshFromEnv } from './env-refresh.js';

type LoggedIn = Profile & { tokens: StoredTokens };

export interface EnvTokenOptions {
  minValidMs?: number;
  rejectedToken?: string;
  /** `pd-auth refresh`: refresh even when the cached token is valid. */
  force?: boolean;
}

/** Errors of a file system that cannot hold the cache: read-only, not ours, no home. Not worth a word. */
const quietCodes = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR']);
function fsCode(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

/**
 * A valid access token from the environment's credentials. The store is a cache: where it can be
 * written, the token is kept there under the store lock (so fifty calls in a job refresh once), and
 * where it cannot, every call refreshes. No secret from the environment is written anywhere.
 */
export async function envValidToken(deps: Deps, opts: EnvTokenOptions = {}): Promise<LoggedIn> {
  const creds = envCredentials(deps.env) as EnvCredentials;
  const key = envCacheKey(creds);
  const stale = (t: StoredTokens) =>
    opts.force === true ||
    t.accessToken === opts.rejectedToken ||
    needsRefresh(t, deps.now(), opts.minValidMs);
  const asProfile = (tokens: StoredTokens): LoggedIn => ({
    clientId: creds.clientId,
    redirectUri: '',
    oauthUrl: creds.oauthUrl,
    tokens,
    updatedAt: tokens.obtainedAt,
  });
  const noCache = (err: unknown) => {
    const code = fsCode(err);
    const why = `the cache in ${deps.store.path} is not usable (${(err as Error).message})`;
    if (code && quietCodes.has(code)) deps.log.debug(`${why}; going on without it`);
    else deps.warn(`${why}; going on without it`);
  };
  let seen: EnvCacheEntry | undefined;
  try {
    const data = await deps.store.read();
    seen = data.envCache?.[key];
    if (Object.keys(data.profiles).length > 0) {
      deps.warn(
        `using the credentials from the environment (PIPEDRIVE_REFRESH_TOKEN); the profiles stored in ${deps.store.path} are not used while it is set`,
      );
    }
  } catch (err) {
    noCache(err);
    return asProfile(await refreshed(creds, creds.refreshToken, deps));
  }
  if (seen && !stale(seen.tokens)) return asProfile(seen.tokens);
  let fresh: StoredTokens | undefined;
  let refreshError: unknown;
  try {
    return await deps.store.transaction(async (tx) => {
      const data = await tx.read();
      const now = data.envCache?.[key];
      // Refreshed by another process while this one waited: its token, while it is unexpired.
      const changed = now && now.tokens.accessToken !== seen?.tokens.accessToken;
      if (now && changed && !opts.force && !isExpired(now.tokens, deps.now())) return asProfile(now.tokens);
      const used = now?.rotatedRefreshToken ?? creds.refreshToken;
      const { tokens, refreshToken } = await refreshFromEnv(creds, used, deps).catch((err: unknown) => {
        refreshError = err;
        throw err;
      });
      fresh = tokens;
      if (refreshToken !== used) rotated(deps);
      const entry: EnvCacheEntry = {
        tokens,
        ...(refreshToken === creds.refreshToken ? {} : { rotatedRefreshToken: refreshToken }),
        updatedAt: deps.now(),
      };
      await tx.write(withEntry(data, key, entry));
      return asProfile(tokens);
    });
  } catch (err) {
    // A store that cannot be locked or written: the token just obtained still answers this call.
    if (err === refreshError || fsCode(err) === undefined) throw err;
    noCache(err);
    return asProfile(fresh ?? (await refreshed(creds, creds.refreshToken, deps)));
  }
}

async function refreshed(creds: EnvCredentials, refreshToken: string, deps: Deps): Promise<StoredTokens> {
  const r = await refreshFromEnv(creds, refreshToken, deps);
  if (r.refreshToken !== refreshToken) rotated(deps);
  return r.tokens;
}

function rotated(deps: Deps): void {
  deps.warn(
    'Pipedrive answered the refresh with a new refresh token, so PIPEDRIVE_REFRESH_TOKEN may stop working once this one is used. ' +
      "pd-auth cannot update your CI's secret: this job goes on with the new token from its cache (where the config directory is writable); " +
      'for the next jobs, log in again for CI on your machine and update the secrets with `pd-auth export`',
  );
}

/** The store with `entry` under `key`, keeping the ten most recent entries (other jobs, other apps). */
function withEntry(data: StoreData, key: string, entry: EnvCacheEntry): StoreData {
  const entries = Object.entries({ ...data.envCache, [key]: entry })
    .sort(([, a], [, b]) => b.updatedAt - a.updatedAt)
    .slice(0, 10);
  return { ...data, envCache: Object.fromEntries(entries) };
}
