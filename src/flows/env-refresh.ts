import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import { ExitCode, PdAuthError } from '../errors.js';
import { OAuthError } from '../oauth/oauth-error.js';
import { createTokenClient } from '../oauth/token-client.js';
import type { StoredTokens } from '../oauth/token-set.js';
import type { EnvCredentials } from './env-credentials.js';

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
