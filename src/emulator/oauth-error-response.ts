import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type';

/**
 * Pipedrive's messages, word for word from the status-code docs (pipedrive-oauth.md §5). They are
 * the Node oauth2-server messages without the backticks; entries marked "ours" are not in the docs
 * and follow the same pattern.
 */
export const MESSAGES = {
  contentType: 'Invalid request: content must be application/x-www-form-urlencoded',
  methodPost: 'Invalid request: method must be POST',
  noCredentials: 'Invalid client: cannot retrieve client credentials',
  badClient: 'Invalid client: client is invalid',
  missingGrantType: 'Missing parameter: grant_type',
  unsupportedGrant: 'Unsupported grant type: grant_type is invalid',
  missingCode: 'Missing parameter: code', // ours
  badCode: 'Invalid grant: authorization_code is invalid',
  expiredCode: 'Invalid grant: authorization_code has expired',
  redirectNotUri: 'Invalid request: redirect_uri is not a valid URI',
  redirectMismatch: 'Invalid request: redirect_uri is invalid',
  missingRefresh: 'Missing parameter: refresh_token', // ours
  badRefresh: 'Invalid grant: refresh_token is invalid',
  expiredRefresh: 'Invalid grant: refresh_token has expired', // ours, by analogy with the code
  missingToken: 'Missing parameter: token', // ours (revoke)
} as const;

/** An error answered with Pipedrive's `{success:false, message, error}` body. */
export class OAuthErrorResponse extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendOAuthError(res: ServerResponse, error: OAuthErrorResponse): void {
  sendJson(res, error.status, { success: false, message: error.message, error: error.code }, error.headers);
}
