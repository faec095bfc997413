import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDeveloperHub, handleRegenerateSecret } from './admin.js';
import { handleApi } from './api.js';
import { isApiPath } from './api-common.js';
import { handleAuthorize, handleDecision } from './authorize.js';
import type { EmulatorContext } from './context.js';
import { handleAddFaults, handleClearFaults, handleListFaults } from './fault-admin.js';
import { serveFault } from './fault-response.js';
import { BodyTooLargeError, sendJson } from './http-io.js';
import { MESSAGES, OAuthErrorResponse, sendOAuthError } from './oauth-error-response.js';
import { handleRevoke, handleToken } from './token-endpoints.js';
import { handleUsersMe } from './users-me.js';

type Handler = (
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => void | Promise<void>;

const ROUTES = new Map<string, Readonly<Partial<Record<string, Handler>>>>([
  ['/', { GET: handleDeveloperHub }],
  ['/developer-hub', { GET: handleDeveloperHub }],
  ['/emulator/regenerate-secret', { POST: handleRegenerateSecret }],
  ['/emulator/faults', { GET: handleListFaults, POST: handleAddFaults, DELETE: handleClearFaults }],
  ['/oauth/authorize', { GET: handleAuthorize }],
  ['/oauth/authorize/decision', { POST: handleDecision }],
  ['/oauth/token', { POST: handleToken }],
  ['/oauth/revoke', { POST: handleRevoke }],
  ['/api/v1/users/me', { GET: handleUsersMe }],
  ['/v1/users/me', { GET: handleUsersMe }],
]);

/** Dispatches one request; never rejects, so the server callback can fire and forget it. */
export async function routeRequest(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  try {
    // Inside the try: an unparsable request target must not become an unhandled rejection.
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    // Counted before faults, so a client's retries after an injected 429 show up too.
    if (isApiPath(url.pathname)) ctx.stats.apiRequests += 1;
    const fault = ctx.faults.take(url.pathname);
    if (fault) {
      ctx.stats.faultsServed += 1;
      await serveFault(req, res, fault);
      return;
    }
    const route = ROUTES.get(url.pathname);
    const handler = route?.[req.method ?? ''];
    if (!route && url.pathname.startsWith('/api/')) {
      await handleApi(ctx, req, res, url);
    } else if (!route) {
      sendJson(res, 404, { success: false, error: 'Not found', errorCode: 404 });
    } else if (!handler) {
      sendMethodNotAllowed(res, url.pathname, Object.keys(route));
    } else {
      await handler(ctx, req, res, url);
    }
  } catch (error: unknown) {
    sendFailure(res, error);
  }
}

function sendMethodNotAllowed(res: ServerResponse, path: string, allowed: string[]): void {
  const headers = { Allow: allowed.join(', ') };
  if (path.startsWith('/oauth/') && allowed.includes('POST')) {
    // The token and revoke endpoints answer in their own error shape, oauth2-server's message.
    const error = new OAuthErrorResponse('invalid_request', MESSAGES.methodPost, 405, headers);
    sendOAuthError(res, error);
  } else {
    sendJson(res, 405, { success: false, error: 'Method not allowed', errorCode: 405 }, headers);
  }
}

function sendFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
  } else if (error instanceof OAuthErrorResponse) {
    sendOAuthError(res, error);
  } else if (error instanceof BodyTooLargeError) {
    // Close the connection: the rest of the oversized body is not worth reading.
    sendJson(res, 413, { success: false, error: error.message, errorCode: 413 }, { Connection: 'close' });
  } else {
    sendJson(res, 500, { success: false, error: 'Internal emulator error', errorCode: 500 });
  }
}
