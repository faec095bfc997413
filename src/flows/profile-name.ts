import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { profileNamePattern, type StoreData } from '../store/profile.js';

export const defaultProfile = 'default';

/** `--profile`, else PD_AUTH_PROFILE, else the one `pd-auth use` made active, else "default". */
export async function resolveProfileName(flag: string | undefined, deps: Deps): Promise<string> {
  return (
    profileNameBeforeStore(flag, deps.env.profile) ??
    (await deps.store.read()).activeProfile ??
    defaultProfile
  );
}

/** The part of resolveProfileName that needs no store: --profile, else a valid PD_AUTH_PROFILE. */
export function profileNameBeforeStore(
  flag: string | undefined,
  fromEnv: string | undefined,
): string | undefined {
  if (flag !== undefined) return flag;
  if (fromEnv !== undefined && !profileNamePattern.test(fromEnv)) {
    throw new UsageError(
      `PD_AUTH_PROFILE=${JSON.stringify(fromEnv)} is not a valid profile name`,
      'use letters, digits, ".", "_" or "-" (up to 64), starting with a letter or digit',
    );
  }
  return fromEnv;
}

/** The profile a command uses when no --profile is given: PD_AUTH_PROFILE, `pd-auth use`, "default". */
export function activeProfileName(deps: Deps, data: StoreData): string {
  return activeFromStore(deps.env.profile, data);
}

export function activeFromStore(fromEnv: string | undefined, data: StoreData): string {
  return fromEnv ?? data.activeProfile ?? defaultProfile;
}

/**
 * The profile a command picks when no --profile is given, for hints (errors.ts profileFlag): they
 * name the profile whenever the command they suggest would not pick it by itself.
 */
export async function implicitProfile(deps: Deps): Promise<string> {
  const data = await deps.store.read().catch(() => undefined);
  return data ? activeFromStore(deps.env.profile, data) : (deps.env.profile ?? defaultProfile);
}
