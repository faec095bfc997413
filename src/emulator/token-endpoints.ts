import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateClient, readAuthenticatedForm, readOAuthForm } from './client-auth.js';
import { type EmulatorContext, GRANTED_SCOPES } from './context.js';
import type { IssuedTokens } from './grant-store.js';
import { sendJson } from './http-io.js';
import { MESSAGES, OAuthErrorResponse } from './oauth-error-response.js';

/** POST /oauth/token: the authorization_code and refresh_token grants. Throws OAuthErrorResponse. */
export async function handleToken(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  ctx.stats.tokenRequests += 1;
  const form = await readOAuthForm(req);
  const grantType = form.get('grant_type');
  // Counted before the client is authenticated, so a refresh refused for a stale secret shows up.
  if (grantType === 'authorization_code' || grantType === 'refresh_token') {
    ctx.stats.tokenRequestsByGrant[grantType] += 1;
  }
  authenticateClient(ctx, req, form);
  if (!grantType) throw new OAuthErrorResponse('invalid_request', MESSAGES.missingGrantType);
  if (grantType === 'authorization_code') {
    const tokens = exchangeCode(ctx, form);
    ctx.stats.codeGrants += 1;
    sendTokens(ctx, res, tokens);
  } else if (grantType === 'refresh_token') {
    const tokens = refresh(ctx, form);
    ctx.stats.refreshGrants += 1;
    sendTokens(ctx, res, tokens);
  } else {
    // Pipedrive also knows exchange_api_token; pd-auth never uses it, so it is unsupported here.
    throw new OAuthErrorResponse('unsupported_grant_type', MESSAGES.unsupportedGrant);
  }
}

/** Checks in oauth2-server's order; a code is consumed only once every check has passed. */
function exchangeCode(ctx: EmulatorContext, form: URLSearchParams): IssuedTokens {
  const code = form.get('code');
  if (!code) throw new OAuthErrorResponse('invalid_request', MESSAGES.missingCode);
  const record = ctx.store.findCode(code);
  if (!record || record.clientId !== ctx.app.clientId) {
    throw new OAuthErrorResponse('invalid_grant', MESSAGES.badCode);
  }
  if (record.expiresAt <= ctx.config.now())
    throw new OAuthErrorResponse('invalid_grant', MESSAGES.expiredCode);
  const redirectUri = form.get('redirect_uri');
  if (!redirectUri || !URL.canParse(redirectUri)) {
    throw new OAuthErrorResponse('invalid_request', MESSAGES.redirectNotUri);
  }
  if (redirectUri !== record.redirectUri || redirectUri !== ctx.app.redirectUri) {
    throw new OAuthErrorResponse('invalid_request', MESSAGES.redirectMismatch);
  }
  ctx.store.consumeCode(code);
  return ctx.store.createGrant();
}

/** redirect_uri is tolerated and ignored here: the PHP SDK sends it on refresh (§2). */
function refresh(ctx: EmulatorContext, form: URLSearchParams): IssuedTokens {
  const refreshToken = form.get('refresh_token');
  if (!refreshToken) throw new OAuthErrorResponse('invalid_request', MESSAGES.missingRefresh);
  const result = ctx.store.refresh(refreshToken);
  if (result === 'invalid') throw new OAuthErrorResponse('invalid_grant', MESSAGES.badRefresh);
  if (result === 'expired') throw new OAuthErrorResponse('invalid_grant', MESSAGES.expiredRefresh);
  return result;
}

function sendTokens(ctx: EmulatorContext, res: ServerResponse, tokens: IssuedTokens): void {
  sendJson(
    res,
    200,
    {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: ctx.config.accessTokenTtl,
      refresh_token: tokens.refreshToken,
      scope: GRANTED_SCOPES.join(','),
      // The emulator's own URL, so API calls made with the token come back here.
      api_domain: ctx.baseUrl,
    },
    { Pragma: 'no-cache' },
  );
}

/**
 * POST /oauth/revoke (RFC 7009). 200 for any token once the client is authenticated, known or
 * not, so a 200 proves nothing (pipedrive-oauth.md §4). The hint is accepted and not needed.
 * Pipedrive does not document the success body; an empty JSON object is our choice.
 */
export async function handleRevoke(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const form = await readAuthenticatedForm(ctx, req);
  const token = form.get('token');
  if (!token) throw new OAuthErrorResponse('invalid_request', MESSAGES.missingToken);
  ctx.stats.revokes += 1;
  ctx.store.revoke(token);
  sendJson(res, 200, {});
}
