import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { Env } from '../env.js';
import { ExitCode, PdAuthError, UsageError } from '../errors.js';
import { defaultOAuthUrl } from '../oauth/authorize-url.js';
import { OAuthError } from '../oauth/oauth-error.js';
import { createTokenClient } from '../oauth/token-client.js';
import type { StoredTokens } from '../oauth/token-set.js';

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

/** The cache key: a hash of the credentials, so that the store never holds a secret from the environment. */
export function envCacheKey(c: EnvCredentials): string {
  return createHash('sha256')
    .update([c.clientId, c.clientSecret, c.refreshToken, c.oauthUrl].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

/** One refresh grant with the environment's credentials; what Pipedrive refused, in the environment's terms. */
export async function refreshFromEnv(
  c: EnvCredentials,
  refreshToken: string,
  deps: Deps,
): Promise<{ tokens: StoredTokens; refreshToken: string }> {
  const { toStoredTokens } = await import('../oauth/token-set.js');
  const client = createTokenClient(deps.http, c.oauthUrl, c);
  deps.log.redact(c.clientSecret);
  deps.log.redact(refreshToken);
  deps.log.debug(
    `POST ${c.oauthUrl}/oauth/token grant_type=refresh_token (credentials from the environment)`,
  );
  try {
    const res = await client.refresh(refreshToken, deps.signal);
    deps.log.redact(res.accessToken);
    if (res.refreshToken) deps.log.redact(res.refreshToken);
    const { refreshToken: next = refreshToken, ...tokens } = toStoredTokens(res, deps.now(), {
      refreshToken,
    } as StoredTokens);
    return { tokens, refreshToken: next };
  } catch (err) {
    throw explainEnvError(err);
  }
}

function explainEnvError(err: unknown): unknown {
  if (!(err instanceof OAuthError)) return err;
  const said = err.serverMessage ? ` (Pipedrive said: ${err.serverMessage})` : '';
  if (err.code === 'invalid_client') {
    return new PdAuthError(`Pipedrive rejected PIPEDRIVE_CLIENT_ID or PIPEDRIVE_CLIENT_SECRET${said}`, {
      hint: 'if you regenerated the client secret in Developer Hub, update the secret PIPEDRIVE_CLIENT_SECRET where this job gets it',
      cause: err,
    });
  }
  if (err.code === 'invalid_grant') {
    return new PdAuthError(
      `Pipedrive rejected PIPEDRIVE_REFRESH_TOKEN (revoked, unused for 60 days, the app uninstalled, or replaced by a newer one)${said}`,
      {
        exitCode: ExitCode.loginNeeded,
        hint: 'log in again on your machine (a profile for CI: `pd-auth login --profile ci`) and update the CI secrets with `pd-auth export --profile ci`',
        cause: err,
      },
    );
  }
  return err;
}
