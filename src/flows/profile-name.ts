import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { profileNamePattern } from '../store/profile.js';

export const defaultProfile = 'default';

/** `--profile`, else PD_AUTH_PROFILE, else the one `pd-auth use` made active, else "default". */
export async function resolveProfileName(flag: string | undefined, deps: Deps): Promise<string> {
  if (flag !== undefined) return flag;
  const fromEnv = deps.env.profile;
  if (fromEnv !== undefined) {
    if (!profileNamePattern.test(fromEnv)) {
      throw new UsageError(
        `PD_AUTH_PROFILE=${JSON.stringify(fromEnv)} is not a valid profile name`,
        'use letters, digits, ".", "_" or "-" (up to 64), starting with a letter or digit',
      );
    }
    return fromEnv;
  }
  return (await deps.store.read()).activeProfile ?? defaultProfile;
}
