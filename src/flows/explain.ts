import { ApiAuthError } from '../api/current-user.js';
import { ExitCode, LoginNeededError, PdAuthError, profileFlag } from '../errors.js';
import { BadResponseError, NetworkError, OAuthError } from '../oauth/oauth-error.js';

export type TokenCall = 'exchange' | 'refresh' | 'verify-secret';

const serverHint = 'Pipedrive may be having trouble; try again in a minute';

/**
 * Pipedrive's refusals become one line of what failed and one of what to do (design.md). We key on
 * the `error` code; 400 and 401 both mean a bad client for invalid_client (pipedrive-oauth.md §5).
 */
export function explainTokenError(
  err: unknown,
  call: TokenCall,
  at: { profile: string; implicit: string; redirectUri?: string },
): Error {
  const { profile, implicit, redirectUri } = at;
  if (err instanceof PdAuthError) return err;
  if (err instanceof NetworkError || err instanceof BadResponseError) {
    return new PdAuthError(err.message, {
      hint: err instanceof NetworkError ? err.hint : err.status >= 500 ? serverHint : undefined,
      cause: err,
    });
  }
  if (!(err instanceof OAuthError)) return err instanceof Error ? err : new Error(String(err));
  const flag = profileFlag(profile, implicit);
  const said = err.serverMessage ? ` (Pipedrive said: ${err.serverMessage})` : '';
  switch (err.code) {
    case 'invalid_client':
      if (call === 'exchange') {
        return new PdAuthError(`Pipedrive rejected the client id or client secret${said}`, {
          hint: "copy both again from Developer Hub, your app, 'OAuth & access scopes'",
          cause: err,
        });
      }
      if (call === 'verify-secret') {
        return new PdAuthError(`Pipedrive rejected the new client secret${said}; nothing was changed`, {
          hint: "copy the current secret from Developer Hub, your app, 'OAuth & access scopes'",
          cause: err,
        });
      }
      return new PdAuthError(`Pipedrive rejected the stored client secret${said}`, {
        hint: `if you regenerated the client secret in Developer Hub, run \`pd-auth rotate-secret${flag}\``,
        cause: err,
      });
    case 'invalid_grant':
      if (call === 'exchange') {
        return new PdAuthError(`the authorization code expired or was already used${said}`, {
          hint: `run \`pd-auth login${flag}\` again and finish within 5 minutes`,
          cause: err,
        });
      }
      return new LoginNeededError(
        `Pipedrive rejected the refresh token (revoked, unused for 60 days, or the app was uninstalled)${said}`,
        profile,
        { implicit, cause: err },
      );
    case 'invalid_request':
      if (/redirect_uri/i.test(err.serverMessage ?? '')) {
        return new PdAuthError(
          `the callback URL ${redirectUri ?? ''} does not match the one registered in Developer Hub${said}`.replace(
            '  ',
            ' ',
          ),
          {
            hint: 'register exactly this URL as the OAuth callback URL, or pass the registered one with --redirect-uri',
            cause: err,
          },
        );
      }
      return new PdAuthError(`Pipedrive refused the request${said}`, { cause: err });
    default:
      return new PdAuthError(`Pipedrive's token endpoint failed: ${err.message}`, {
        exitCode: ExitCode.failure,
        hint: err.status >= 500 ? serverHint : undefined,
        cause: err,
      });
  }
}

export function explainApiError(err: unknown): string {
  if (err instanceof ApiAuthError) return 'the API refused the new access token';
  return err instanceof Error ? err.message : String(err);
}
