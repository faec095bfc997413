import type { Env } from '../env.js';
import { UsageError } from '../errors.js';
import { defaultOAuthUrl } from '../oauth/authorize-url.js';

// Light on purpose: the `token` fast path reaches this module (through profile-name.ts), so what
// needs crypto or the token client is in env-refresh.ts.

/**
 * The credentials of a CI job: PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET and
 * PIPEDRIVE_REFRESH_TOKEN (and PD_AUTH_OAUTH_URL when not Pipedrive). While PIPEDRIVE_REFRESH_TOKEN
 * is set, `token`, `exec`, `api`, `status`, `refresh` and the library use them and no stored profile.
 */
export interface EnvCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  oauthUrl: string;
}

/** The name commands and output use for them; no stored profile can have it (profileNamePattern). */
export const environmentProfile = '(environment)';

const vars = 'PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET and PIPEDRIVE_REFRESH_TOKEN';

/** The credentials from the environment, undefined without PIPEDRIVE_REFRESH_TOKEN; a usage error for half a set. */
export function envCredentials(env: Env): EnvCredentials | undefined {
  if (env.refreshToken === undefined) return undefined;
  const missing = [
    ...(env.clientId === undefined ? ['PIPEDRIVE_CLIENT_ID'] : []),
    ...(env.clientSecret === undefined ? ['PIPEDRIVE_CLIENT_SECRET'] : []),
  ];
  if (env.clientId === undefined || env.clientSecret === undefined) {
    throw new UsageError(
      `PIPEDRIVE_REFRESH_TOKEN is set, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not`,
      `credentials from the environment need all three: ${vars} (\`pd-auth export\` prints them); or unset PIPEDRIVE_REFRESH_TOKEN to use a stored profile`,
    );
  }
  return {
    clientId: env.clientId.trim(),
    clientSecret: env.clientSecret.trim(),
    refreshToken: env.refreshToken.trim(),
    oauthUrl: (env.oauthUrl ?? defaultOAuthUrl).replace(/\/+$/, ''),
  };
}

/** A command that works on stored profiles (login, logout, rotate-secret, storage, export) refuses to guess. */
export function refuseWithEnvCredentials(env: Env, doing: string): void {
  if (env.refreshToken === undefined) return;
  throw new UsageError(
    `PIPEDRIVE_REFRESH_TOKEN is set, so pd-auth uses the credentials from the environment and no stored profile; it will not ${doing} meanwhile`,
    'unset PIPEDRIVE_REFRESH_TOKEN (and PIPEDRIVE_CLIENT_SECRET) in this shell first',
  );
}
