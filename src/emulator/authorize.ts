import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderConsentPage } from './consent-page.js';
import type { EmulatorContext } from './context.js';
import { hasMediaType, readBody, redirect, sendHtml, sendJson } from './http-io.js';
import { renderErrorPage } from './page.js';

/**
 * GET /oauth/authorize. `response_type` may be absent (Pipedrive's SDKs send none) or `code`; any
 * other value is refused as RFC 6749 §4.1.2.1 says, by a redirect with
 * error=unsupported_response_type once the client and the redirect URI are known good. `scope` is
 * ignored: scopes are fixed per app in Developer Hub (pipedrive-oauth.md §1).
 */
export function handleAuthorize(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const query = url.searchParams;
  if (query.get('client_id') !== ctx.app.clientId) {
    // Pipedrive's message for an app the user's company cannot see (§1); an unknown client_id is
    // that case. JSON like the redirect error, and never a redirect to an unverified URL.
    sendJson(res, 400, { error: 'App cannot be installed for requested company' });
    return;
  }
  const redirectUri = query.get('redirect_uri');
  if (redirectUri !== ctx.app.redirectUri) {
    // Exact string match only, as Pipedrive's FAQ documents (§6).
    sendJson(res, 400, { error: 'Invalid redirect URL' });
    return;
  }
  // An empty state is treated as none, so the callback never sees a bare `state=`.
  const state = query.get('state') || undefined;
  const responseType = query.get('response_type');
  if (responseType !== null && responseType !== 'code') {
    redirect(res, withParams(redirectUri, { error: 'unsupported_response_type', state }));
    return;
  }
  if (ctx.autoApprove) {
    approve(ctx, res, redirectUri, state);
    return;
  }
  // The form carries only this id; redirect_uri and state stay on the server.
  const requestId = ctx.store.addPending(redirectUri, state);
  sendHtml(res, 200, renderConsentPage(ctx, { requestId, redirectUri, state }));
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
  if (decision === 'allow') {
    approve(ctx, res, pending.redirectUri, pending.state);
  } else {
    // Pipedrive's docs say user_denied (the SDK READMEs say access_denied; §5).
    redirect(res, withParams(pending.redirectUri, { error: 'user_denied', state: pending.state }));
  }
}

function approve(ctx: EmulatorContext, res: ServerResponse, redirectUri: string, state: string | undefined) {
  const code = ctx.store.issueCode(ctx.app.clientId, redirectUri);
  redirect(res, withParams(redirectUri, { code, state }));
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}
