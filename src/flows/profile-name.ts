import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { profileNamePattern, type StoreData } from '../store/profile.js';
import { envCredentials, environmentProfile, refuseWithEnvCredentials } from './env-credentials.js';

export const defaultProfile = 'default';

/**
 * `--profile`, else PD_AUTH_PROFILE, else the one `pd-auth use` made active, else "default"; with
 * credentials from the environment (PIPEDRIVE_REFRESH_TOKEN), those, and naming a profile as well
 * is a usage error: which of the two was meant cannot be guessed.
 */
export async function resolveProfileName(flag: string | undefined, deps: Deps): Promise<string> {
  if (envCredentials(deps.env)) {
    const named =
      flag !== undefined
        ? `--profile ${flag}`
        : deps.env.profile
          ? `PD_AUTH_PROFILE=${deps.env.profile}`
          : undefined;
    if (named) {
      throw new UsageError(
        `both PIPEDRIVE_REFRESH_TOKEN and ${named} choose credentials`,
        'unset PIPEDRIVE_REFRESH_TOKEN to use the stored profile, or drop the profile to use the credentials from the environment',
      );
    }
    return environmentProfile;
  }
  return (
    profileNameBeforeStore(flag, deps.env.profile) ??
    (await deps.store.read()).activeProfile ??
    defaultProfile
  );
}

/** resolveProfileName for a command that works on stored profiles only: refused with credentials from the environment. */
export async function resolveStoredProfile(
  flag: string | undefined,
  deps: Deps,
  doing: string,
): Promise<string> {
  refuseWithEnvCredentials(deps.env, doing);
  return resolveProfileName(flag, deps);
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
