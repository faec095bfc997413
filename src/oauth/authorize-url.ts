export const defaultOAuthUrl = 'https://oauth.pipedrive.com';

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
}

/**
 * Pipedrive's consent page (pipedrive-oauth.md §1), with `response_type=code`: RFC 6749 §4.1.1
 * makes it REQUIRED and standard servers refuse a request without it; Pipedrive's documentation
 * omits it but Pipedrive accepts it (docs/pipedrive-notes.md). No `scope` or PKCE, which Pipedrive
 * neither documents nor needs.
 */
export function buildAuthorizeUrl(oauthUrl: string, params: AuthorizeParams): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
  });
  return `${oauthUrl.replace(/\/+$/, '')}/oauth/authorize?${query.toString()}`;
}
