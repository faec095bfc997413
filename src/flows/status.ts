import { ApiAuthError, fetchCurrentUser } from '../api/current-user.js';
import type { Deps } from '../deps.js';
import { LoginNeededError, PdAuthError } from '../errors.js';
import { refreshTokenLapsesAt } from '../oauth/token-set.js';
import type { CompanyInfo, Profile, UserInfo } from '../store/profile.js';
import { activeProfileName } from './profile-name.js';
import { getValidToken } from './refresh.js';

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
  clientSecret: string | undefined;
  redirectUri: string;
  oauthUrl: string;
  error: { message: string; hint: string | null } | null;
}

function describe(
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
    redirectUri: p.redirectUri,
    oauthUrl: p.oauthUrl,
    error: null,
  };
}

const failed = (s: ProfileStatus, state: ProfileState, err: unknown): ProfileStatus => ({
  ...s,
  state,
  error: {
    message: err instanceof Error ? err.message : String(err),
    hint: err instanceof PdAuthError ? (err.hint ?? null) : null,
  },
});

/** From the store only: is there a token, and has it or the refresh token run out? */
function offlineStatus(s: ProfileStatus, now: number): ProfileStatus {
  if (s.state !== 'valid' || s.accessTokenExpiresAt === null) return s;
  if (s.refreshTokenLapsesAt !== null && s.refreshTokenLapsesAt <= now)
    return { ...s, state: 'login_needed' };
  return s.accessTokenExpiresAt <= now ? { ...s, state: 'expired' } : s;
}

/** Asks /users/me with a valid token (refreshing when needed, and once more on a 401). */
async function liveStatus(s: ProfileStatus, deps: Deps): Promise<ProfileStatus> {
  try {
    let p = await getValidToken(s.name, deps, { minValidMs: 60_000 });
    const ask = () => fetchCurrentUser(deps.http, p.tokens.apiDomain, p.tokens.accessToken, deps.signal);
    let me: Awaited<ReturnType<typeof ask>>;
    try {
      me = await ask();
    } catch (err) {
      if (!(err instanceof ApiAuthError)) throw err;
      p = await getValidToken(s.name, deps, { rejectedToken: p.tokens.accessToken });
      me = await ask().catch((e: unknown) => {
        throw e instanceof ApiAuthError
          ? new LoginNeededError('the API refuses even a fresh access token', s.name, e)
          : e;
      });
    }
    const fresh = { ...describe(s.name, { ...p, user: me.user, company: me.company }, s.active, 'live') };
    if (JSON.stringify([p.user, p.company]) !== JSON.stringify([me.user, me.company])) {
      await deps.store.update(s.name, (cur) => (cur ? { ...cur, user: me.user, company: me.company } : cur));
    }
    return fresh;
  } catch (err) {
    return failed(s, err instanceof LoginNeededError ? 'login_needed' : 'error', err);
  }
}

export async function profileStatuses(
  names: string[] | 'all',
  opts: { offline: boolean },
  deps: Deps,
): Promise<ProfileStatus[]> {
  const data = await deps.store.read();
  const active = activeProfileName(deps, data);
  const list = names === 'all' ? Object.keys(data.profiles).sort() : names;
  const out: ProfileStatus[] = [];
  for (const name of list) {
    const p = data.profiles[name];
    if (!p) {
      const missing = new LoginNeededError(`there is no profile "${name}"`, name);
      out.push(
        failed({ ...describe(name, emptyProfile, name === active, 'offline') }, 'not_logged_in', missing),
      );
      continue;
    }
    const base = describe(name, p, name === active, opts.offline ? 'offline' : 'live');
    if (!p.tokens)
      out.push(
        failed(base, 'not_logged_in', new LoginNeededError(`profile "${name}" is not logged in`, name)),
      );
    else if (opts.offline) out.push(offlineStatus(base, deps.now()));
    else out.push(await liveStatus(base, deps));
  }
  return out;
}

const emptyProfile: Profile = { clientId: '', redirectUri: '', oauthUrl: '', updatedAt: 0 };

/** 0 when every profile is usable, 1 when any check failed for another reason, else 4. */
export function statusExitCode(list: ProfileStatus[]): 0 | 1 | 4 {
  if (list.some((s) => s.state === 'error')) return 1;
  if (list.length === 0 || list.some((s) => s.state === 'login_needed' || s.state === 'not_logged_in'))
    return 4;
  return 0;
}
