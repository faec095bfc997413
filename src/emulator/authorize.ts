import type { IncomingMessage, ServerResponse } from 'node:http';
import { approvedRedirect, checkAuthorizeQuery, deniedRedirect } from './authorize-request.js';
import { renderConsentPage } from './consent-page.js';
import type { EmulatorContext } from './context.js';
import { hasMediaType, readBody, redirect, sendHtml, sendJson } from './http-io.js';
import { renderErrorPage } from './page.js';

/** GET /oauth/authorize: the consent page, or a redirect at once (autoApprove, or an error). */
export function handleAuthorize(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const check = checkAuthorizeQuery(ctx, url.searchParams);
  if (check.kind === 'refused') {
    // JSON like the redirect error, and never a redirect to an unverified URL.
    sendJson(res, 400, { error: check.error });
  } else if (check.kind === 'error-redirect') {
    redirect(res, check.location);
  } else if (ctx.autoApprove) {
    redirect(res, approvedRedirect(ctx, check.redirectUri, check.state));
  } else {
    // The form carries only this id; redirect_uri and state stay on the server.
    const requestId = ctx.store.addPending(check.redirectUri, check.state);
    sendHtml(res, 200, renderConsentPage(ctx, { requestId, ...check }));
  }
}

/** POST /oauth/authorize/decision: the consent form's Allow/Cancel buttons. */
export async function handleDecision(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  if (!hasMediaType(req, 'application/x-www-form-urlencoded')) {
    sendHtml(res, 400, renderErrorPage('Bad request', 'The consent form must be posted as a form.'));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const decision = form.get('decision');
  if (decision !== 'allow' && decision !== 'cancel') {
    sendHtml(res, 400, renderErrorPage('Bad request', 'Choose "Allow and install" or "Cancel".'));
    return;
  }
  const pending = ctx.store.takePending(form.get('request_id') ?? '');
  if (!pending) {
    const message = 'This authorization request is unknown, expired or already answered. Start again.';
    sendHtml(res, 400, renderErrorPage('Authorization request expired', message));
    return;
  }
  const { redirectUri, state } = pending;
  redirect(
    res,
    decision === 'allow' ? approvedRedirect(ctx, redirectUri, state) : deniedRedirect(redirectUri, state),
  );
}
