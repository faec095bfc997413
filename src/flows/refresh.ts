import type { Deps } from '../deps.js';
import { LoginNeededError, PdAuthError, profileFlag } from '../errors.js';
import { createTokenClient } from '../oauth/token-client.js';
import { isExpired, needsRefresh, type StoredTokens, toStoredTokens } from '../oauth/token-set.js';
import type { Profile } from '../store/profile.js';
import { environmentProfile } from './env-credentials.js';
import { envValidToken } from './env-token.js';
import { explainTokenError, type TokenCall } from './explain.js';
import { activeFromStore, implicitProfile } from './profile-name.js';

/** The profile with tokens, or the "run login" error (exit 4). */
export async function loggedInProfile(name: string, deps: Deps): Promise<Profile & { tokens: StoredTokens }> {
  const profile = await deps.store.getProfile(name);
  if (!profile?.tokens) {
    throw new LoginNeededError(`profile "${name}" is not logged in`, name, {
      implicit: await implicitProfile(deps),
    });
  }
  return profile as Profile & { tokens: StoredTokens };
}

/**
 * One refresh grant with the given secret. Returns the new tokens without saving them: the caller
 * decides what to write, so a failure can never touch what is stored.
 */
export async function requestRefresh(
  profile: Profile & { tokens: StoredTokens & { refreshToken: string } },
  clientSecret: string,
  call: TokenCall,
  name: string,
  deps: Deps,
): Promise<StoredTokens> {
  const oauthUrl = deps.env.oauthUrl ?? profile.oauthUrl;
  const client = createTokenClient(deps.http, oauthUrl, { clientId: profile.clientId, clientSecret });
  deps.log.debug(`POST ${oauthUrl}/oauth/token grant_type=refresh_token (profile ${name})`);
  try {
    const res = await client.refresh(profile.tokens.refreshToken, deps.signal);
    deps.log.redact(res.accessToken);
    deps.log.redact(res.refreshToken);
    return toStoredTokens(res, deps.now(), profile.tokens);
  } catch (err) {
    throw explainTokenError(err, call, { profile: name, implicit: await implicitProfile(deps) });
  }
}

type LoggedIn = Profile & { tokens: StoredTokens };
type WithRefreshToken = Profile & { tokens: StoredTokens & { refreshToken: string } };

/** A logged-in profile with its secrets loaded (from the OS keyring when they are there). */
export async function withSecrets(
  loading: Promise<Profile | undefined>,
  name: string,
  implicit: string,
): Promise<WithRefreshToken> {
  const p = await loading;
  if (!p?.tokens?.refreshToken)
    throw new LoginNeededError(`profile "${name}" is not logged in`, name, { implicit });
  return p as WithRefreshToken;
}

/**
 * Refresh under the cross-process store lock. `needed` looks at the profile as re-read under the
 * lock: another process may have refreshed while this one waited, and then its token is used.
 * Nothing is written unless the refresh succeeded.
 */
async function refreshLocked(
  name: string,
  deps: Deps,
  needed: (current: LoggedIn) => boolean,
): Promise<LoggedIn> {
  return deps.store.transaction(async (tx) => {
    const data = await tx.read();
    const current = data.profiles[name];
    const implicit = activeFromStore(deps.env.profile, data);
    if (!current?.tokens)
      throw new LoginNeededError(`profile "${name}" is not logged in`, name, { implicit });
    if (!needed(current as LoggedIn)) return current as LoggedIn;
    const loaded = await withSecrets(tx.loadSecrets(name), name, implicit);
    if (!loaded.clientSecret) {
      throw new PdAuthError(`profile "${name}" has no client secret stored`, {
        hint: `run \`pd-auth rotate-secret${profileFlag(name, implicit)}\` to store it`,
      });
    }
    deps.log.redact(loaded.clientSecret);
    deps.log.redact(loaded.tokens.refreshToken);
    const tokens = await requestRefresh(loaded, loaded.clientSecret, 'refresh', name, deps);
    const saved: LoggedIn = { ...loaded, tokens, updatedAt: deps.now() };
    await tx.write({ ...data, profiles: { ...data.profiles, [name]: saved } });
    return saved;
  });
}

/** `pd-auth refresh`: always refreshes (with the refresh token current under the lock). */
export async function refreshProfile(name: string, deps: Deps): Promise<LoggedIn> {
  if (name === environmentProfile) return envValidToken(deps, { force: true });
  await loggedInProfile(name, deps);
  return refreshLocked(name, deps, () => true);
}

export interface ValidTokenOptions {
  /** Refresh when the access token expires within this margin (default 5 minutes). */
  minValidMs?: number;
  /** A token the API just refused (401): refresh even though it looks valid. */
  rejectedToken?: string;
}

/**
 * The one way every command and the library get an access token: the stored one while it is valid
 * for `minValidMs` more, else a refreshed one; parallel processes refresh once between them.
 */
export async function getValidToken(
  name: string,
  deps: Deps,
  opts: ValidTokenOptions = {},
): Promise<LoggedIn> {
  if (name === environmentProfile) return envValidToken(deps, opts);
  const stale = (t: StoredTokens) =>
    t.accessToken === opts.rejectedToken || needsRefresh(t, deps.now(), opts.minValidMs);
  const profile = await loggedInProfile(name, deps);
  if (!stale(profile.tokens)) return profile;
  const seen = profile.tokens.accessToken;
  return refreshLocked(name, deps, (current) => {
    // Refreshed by another process meanwhile: use its token while it is unexpired, even when its
    // lifetime is shorter than the margin (else every waiting process would refresh once more).
    if (current.tokens.accessToken !== seen && !isExpired(current.tokens, deps.now())) return false;
    return stale(current.tokens);
  });
}
