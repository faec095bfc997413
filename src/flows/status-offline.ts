import { LoginNeededError, PdAuthError } from '../errors.js';
import { refreshTokenLapsesAt } from '../oauth/token-set.js';
import {
  type CompanyInfo,
  type Profile,
  type Storage,
  type StoreData,
  storageOf,
  type UserInfo,
} from '../store/profile.js';

// What `status` reports from the store alone; flows/status.ts adds the live check.

export type ProfileState = 'valid' | 'expired' | 'login_needed' | 'not_logged_in' | 'error';

/** One profile as `status` reports it; never holds a token or a secret. */
export interface ProfileStatus {
  name: string;
  active: boolean;
  state: ProfileState;
  checked: 'live' | 'offline';
  user: UserInfo | null;
  company: CompanyInfo | null;
  apiDomain: string | null;
  scopes: string[];
  accessTokenExpiresAt: number | null;
  refreshTokenLapsesAt: number | null;
  clientId: string;
  /** The file's copy only: a keyring profile's secret is not read for status. */
  clientSecret: string | undefined;
  /** 'environment': credentials from PIPEDRIVE_REFRESH_TOKEN and co., nothing stored. */
  storage: Storage | 'environment';
  storageFallback: string | null;
  redirectUri: string;
  oauthUrl: string;
  error: { message: string; hint: string | null } | null;
}

export function statusFromStore(
  name: string,
  p: Profile,
  active: boolean,
  checked: ProfileStatus['checked'],
): ProfileStatus {
  return {
    name,
    active,
    state: p.tokens ? 'valid' : 'not_logged_in',
    checked,
    user: p.user ?? null,
    company: p.company ?? null,
    apiDomain: p.tokens?.apiDomain ?? null,
    scopes: p.tokens?.scope ?? [],
    accessTokenExpiresAt: p.tokens?.expiresAt ?? null,
    refreshTokenLapsesAt: p.tokens ? refreshTokenLapsesAt(p.tokens) : null,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    storage: storageOf(p),
    storageFallback: p.storageFallback ?? null,
    redirectUri: p.redirectUri,
    oauthUrl: p.oauthUrl,
    error: null,
  };
}

export const withError = (s: ProfileStatus, state: ProfileState, err: unknown): ProfileStatus => ({
  ...s,
  state,
  error: {
    message: err instanceof Error ? err.message : String(err),
    hint: err instanceof PdAuthError ? (err.hint ?? null) : null,
  },
});

/** From the store only: is there a token, and has it or the refresh token run out? */
export function offlineStatus(s: ProfileStatus, now: number): ProfileStatus {
  if (s.state !== 'valid' || s.accessTokenExpiresAt === null) return s;
  if (s.refreshTokenLapsesAt !== null && s.refreshTokenLapsesAt <= now)
    return { ...s, state: 'login_needed' };
  return s.accessTokenExpiresAt <= now ? { ...s, state: 'expired' } : s;
}

const emptyProfile: Profile = { clientId: '', redirectUri: '', oauthUrl: '', updatedAt: 0 };

/**
 * Each named profile (or every one, sorted) as stored; `check` decides the state of a logged-in one:
 * `offlineStatus` from the expiry times, or a live check.
 */
export async function storedStatuses(
  names: string[] | 'all',
  data: StoreData,
  active: string,
  checked: ProfileStatus['checked'],
  check: (s: ProfileStatus) => ProfileStatus | Promise<ProfileStatus>,
): Promise<ProfileStatus[]> {
  const list = names === 'all' ? Object.keys(data.profiles).sort() : names;
  const out: ProfileStatus[] = [];
  for (const name of list) {
    const p = data.profiles[name];
    if (!p) {
      const missing = new LoginNeededError(`there is no profile "${name}"`, name, { implicit: active });
      out.push(
        withError(
          { ...statusFromStore(name, emptyProfile, name === active, 'offline') },
          'not_logged_in',
          missing,
        ),
      );
      continue;
    }
    const base = statusFromStore(name, p, name === active, checked);
    if (!p.tokens)
      out.push(
        withError(
          base,
          'not_logged_in',
          new LoginNeededError(`profile "${name}" is not logged in`, name, { implicit: active }),
        ),
      );
    else out.push(await check(base));
  }
  return out;
}

/** 0 when every profile is usable, 1 when any check failed for another reason, else 4. */
export function statusExitCode(list: ProfileStatus[]): 0 | 1 | 4 {
  if (list.some((s) => s.state === 'error')) return 1;
  if (list.length === 0 || list.some((s) => s.state === 'login_needed' || s.state === 'not_logged_in'))
    return 4;
  return 0;
}
