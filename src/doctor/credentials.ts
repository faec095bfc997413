import type { Deps } from '../deps.js';
import type { Env } from '../env.js';
import { PdAuthError, profileFlag } from '../errors.js';
import { envCredentials, environmentProfile } from '../flows/env-credentials.js';
import { envCacheKey } from '../flows/env-refresh.js';
import type { StoredTokens } from '../oauth/token-set.js';
import { isExpired, refreshTokenLapsesAt } from '../oauth/token-set.js';
import type { Profile, StoreData } from '../store/profile.js';
import { formatExpiry } from '../ui/format.js';
import { failure, type Outcome, ok, skipped, warning } from './check.js';

/** A refresh token this close to its 60-day idle lapse gets a warning. */
export const lapseWarnMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Where the credentials doctor checks come from, decided in `credentialSource` alone. Another
 * source (credentials from the environment) is one more member here, a branch in credentialSource,
 * and a case in each switch below (apiDomainOf, checkCredentials, checkLive): none has a default,
 * so the compiler points at every one that must say what the new source means.
 */
export type CredentialSource =
  | { kind: 'store'; profile: string; implicit: string; stored: Profile | undefined }
  | { kind: 'environment'; cached: StoredTokens | undefined }
  | { kind: 'invalid'; error: PdAuthError }
  | { kind: 'unavailable'; why: string };

/**
 * Credentials from the environment (PIPEDRIVE_REFRESH_TOKEN and co.) win, as in every command; half
 * a set, or a profile named as well, is what those commands refuse, reported here as a failure.
 */
export function credentialSource(
  profile: string,
  implicit: string,
  store: { readable: boolean; path: string; data: StoreData | undefined },
  env: Env,
  named: string | undefined,
): CredentialSource {
  try {
    const creds = envCredentials(env);
    if (creds) {
      if (named) {
        throw new PdAuthError(`both PIPEDRIVE_REFRESH_TOKEN and ${named} choose credentials`, {
          hint: 'unset PIPEDRIVE_REFRESH_TOKEN to use the stored profile, or drop the profile',
        });
      }
      return { kind: 'environment', cached: store.data?.envCache?.[envCacheKey(creds)]?.tokens };
    }
  } catch (err) {
    if (err instanceof PdAuthError) return { kind: 'invalid', error: err };
    throw err;
  }
  if (!store.readable) return { kind: 'unavailable', why: `the store ${store.path} could not be read` };
  return { kind: 'store', profile, implicit, stored: store.data?.profiles[profile] };
}

/** The api_domain the tokens are for, when known. */
export function apiDomainOf(source: CredentialSource): string | undefined {
  switch (source.kind) {
    case 'store':
      return source.stored?.tokens?.apiDomain;
    case 'environment':
      return source.cached?.apiDomain;
    case 'invalid':
    case 'unavailable':
      return undefined;
  }
  return unhandled(source);
}

/** Fails to compile when a switch above misses a kind of source. */
function unhandled(source: never): never {
  throw new Error(`doctor does not know the credential source ${JSON.stringify(source)}`);
}

const login = (s: { profile: string; implicit: string }) =>
  `run \`pd-auth login${profileFlag(s.profile, s.implicit)}\``;

type FromStore = Extract<CredentialSource, { kind: 'store' }>;

/** The credentials judged offline: the access token's expiry and the refresh token's idle lapse. */
export function checkCredentials(source: CredentialSource, now: number): Outcome {
  switch (source.kind) {
    case 'store':
      return storedCredentials(source, now);
    case 'environment':
      return ok(
        `${fromEnv}; ${source.cached ? `the cached access token expires ${formatExpiry(source.cached.expiresAt, now)}` : 'no cached access token: the first use refreshes'}`,
      );
    case 'invalid':
      return failure(source.error.message, source.error.hint ?? 'see the reason');
    case 'unavailable':
      return skipped(source.why);
  }
}

const fromEnv =
  'credentials from the environment (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET, PIPEDRIVE_REFRESH_TOKEN); stored profiles are not used';

function storedCredentials(source: FromStore, now: number): Outcome {
  const { stored: p, profile } = source;
  if (!p) return warning(`there is no profile "${profile}" yet: not logged in`, login(source));
  if (!p.tokens) return warning(`profile "${profile}" is not logged in`, login(source));
  const who = p.user ? `${p.user.name} <${p.user.email}>${p.company ? ` at ${p.company.name}` : ''}; ` : '';
  const access = isExpired(p.tokens, now)
    ? `the access token expired ${formatExpiry(p.tokens.expiresAt, now)} (the next use refreshes it)`
    : `the access token expires ${formatExpiry(p.tokens.expiresAt, now)}`;
  const lapses = refreshTokenLapsesAt(p.tokens);
  if (lapses <= now)
    return failure(
      `${who}the refresh token lapsed ${formatExpiry(lapses, now)}, 60 days after its last use`,
      login(source),
    );
  const lapse = `the refresh token lapses ${formatExpiry(lapses, now)} unless used`;
  if (lapses - now <= lapseWarnMs)
    return warning(
      `${who}${lapse}`,
      `run \`pd-auth refresh${profileFlag(profile, source.implicit)}\` (each use restarts its 60 days)`,
    );
  return ok(`${who}${access}; ${lapse}`);
}

/**
 * With --live: one real refresh through the product's own flow (which stores the new tokens), the
 * only proof that Pipedrive still accepts the client secret and the refresh token. Its errors are
 * the refresh command's: invalid_client says rotate-secret, invalid_grant says login.
 */
export async function checkLive(source: CredentialSource, live: boolean, deps: Deps): Promise<Outcome> {
  if (!live)
    return skipped('not tried: --live refreshes with the stored refresh token (and stores the new tokens)');
  switch (source.kind) {
    case 'store':
      return source.stored?.tokens
        ? refreshStored(source.profile, deps)
        : skipped(`profile "${source.profile}" is not logged in`);
    case 'environment':
      return refreshStored(environmentProfile, deps);
    case 'invalid':
      return skipped(source.error.message);
    case 'unavailable':
      return skipped(source.why);
  }
}

async function refreshStored(profile: string, deps: Deps): Promise<Outcome> {
  try {
    const { refreshProfile } = await import('../flows/refresh.js');
    const saved = await refreshProfile(profile, deps);
    const until = formatExpiry(saved.tokens.expiresAt, deps.now());
    const kept =
      profile === environmentProfile ? 'cached where the config directory can be written' : 'stored';
    return ok(
      `Pipedrive accepted the client secret and the refresh token; the new access token (${kept}) expires ${until}`,
    );
  } catch (err) {
    if (err instanceof PdAuthError) return failure(err.message, err.hint ?? 'see the reason');
    throw err;
  }
}
