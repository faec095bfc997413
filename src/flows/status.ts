import { ApiAuthError, fetchCurrentUser } from '../api/current-user.js';
import type { Deps } from '../deps.js';
import { ExitCode, LoginNeededError, PdAuthError } from '../errors.js';
import { envCredentials } from './env-credentials.js';
import { activeProfileName, implicitProfile } from './profile-name.js';
import { getValidToken } from './refresh.js';
import { envStatus } from './status-env.js';
import {
  offlineStatus,
  type ProfileStatus,
  statusFromStore,
  storedStatuses,
  withError,
} from './status-offline.js';

export { type ProfileState, type ProfileStatus, statusExitCode } from './status-offline.js';

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
      const implicit = await implicitProfile(deps);
      p = await getValidToken(s.name, deps, { rejectedToken: p.tokens.accessToken });
      me = await ask().catch((e: unknown) => {
        throw e instanceof ApiAuthError
          ? new LoginNeededError('the API refuses even a fresh access token', s.name, {
              implicit,
              cause: e,
            })
          : e;
      });
    }
    const fresh = {
      ...statusFromStore(s.name, { ...p, user: me.user, company: me.company }, s.active, 'live'),
      ...(s.storage === 'environment' ? { storage: s.storage, refreshTokenLapsesAt: null } : {}),
    };
    const changed = JSON.stringify([p.user, p.company]) !== JSON.stringify([me.user, me.company]);
    if (changed && s.storage !== 'environment') {
      await deps.store.update(s.name, (cur) => (cur ? { ...cur, user: me.user, company: me.company } : cur));
    }
    return fresh;
  } catch (err) {
    const loginNeeded = err instanceof PdAuthError && err.exitCode === ExitCode.loginNeeded;
    return withError(s, loginNeeded ? 'login_needed' : 'error', err);
  }
}

export async function profileStatuses(
  names: string[] | 'all',
  opts: { offline: boolean },
  deps: Deps,
): Promise<ProfileStatus[]> {
  const creds = envCredentials(deps.env);
  if (creds) {
    const s = await envStatus(creds, names, deps);
    return [opts.offline ? s : await liveStatus({ ...s, checked: 'live', state: 'valid' }, deps)];
  }
  const data = await deps.store.read();
  const active = activeProfileName(deps, data);
  return opts.offline
    ? storedStatuses(names, data, active, 'offline', (s) => offlineStatus(s, deps.now()))
    : storedStatuses(names, data, active, 'live', (s) => liveStatus(s, deps));
}
