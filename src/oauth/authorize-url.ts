export const defaultOAuthUrl = 'https://oauth.pipedrive.com';

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
}

/**
 * Pipedrive's consent page (pipedrive-oauth.md §1). Only the documented parameters: no
 * `response_type`, `scope` or PKCE, which Pipedrive neither documents nor needs.
 */
export function buildAuthorizeUrl(oauthUrl: string, params: AuthorizeParams): string {
  const query = new URLSearchParams({
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
  });
  return `${oauthUrl.replace(/\/+$/, '')}/oauth/authorize?${query.toString()}`;
}
