import type { Deps } from '../deps.js';
import { LoginNeededError, PdAuthError } from '../errors.js';
import { createTokenClient } from '../oauth/token-client.js';
import { type StoredTokens, toStoredTokens } from '../oauth/token-set.js';
import type { Profile } from '../store/profile.js';
import { explainTokenError, type TokenCall } from './explain.js';

/** The profile with tokens, or the "run login" error (exit 4). */
export async function loggedInProfile(name: string, deps: Deps): Promise<Profile & { tokens: StoredTokens }> {
  const profile = await deps.store.getProfile(name);
  if (!profile?.tokens) throw new LoginNeededError(`profile "${name}" is not logged in`, name);
  return profile as Profile & { tokens: StoredTokens };
}

/**
 * One refresh grant with the given secret. Returns the new tokens without saving them: the caller
 * decides what to write, so a failure can never touch what is stored.
 */
export async function requestRefresh(
  profile: Profile & { tokens: StoredTokens },
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
    throw explainTokenError(err, call, name);
  }
}

export async function refreshProfile(name: string, deps: Deps): Promise<Profile> {
  const profile = await loggedInProfile(name, deps);
  if (!profile.clientSecret) {
    throw new PdAuthError(`profile "${name}" has no client secret stored`, {
      hint: `run \`pd-auth rotate-secret${name === 'default' ? '' : ` --profile ${name}`}\` to store it`,
    });
  }
  deps.log.redact(profile.clientSecret);
  deps.log.redact(profile.tokens.refreshToken);
  const tokens = await requestRefresh(profile, profile.clientSecret, 'refresh', name, deps);
  let saved: Profile = profile;
  await deps.store.update(name, (current) => {
    saved = { ...(current ?? profile), tokens, updatedAt: deps.now() };
    return saved;
  });
  return saved;
}
