import type { EmulatorContext } from './context.js';

/** What GET /oauth/authorize does with a query, whether a browser or a test's approve() asks. */
export type AuthorizeCheck =
  /** 400 with `{error}` and no redirect: the callback URL is not (yet) known to be the app's. */
  | { kind: 'refused'; error: string; detail: string }
  /** A redirect to the callback URL carrying an OAuth error. */
  | { kind: 'error-redirect'; location: string }
  | { kind: 'ok'; redirectUri: string; state: string | undefined };

/**
 * `response_type` may be absent (Pipedrive's SDKs send none) or `code`; any other value is refused
 * as RFC 6749 §4.1.2.1 says, by a redirect with error=unsupported_response_type once the client and
 * the redirect URI are known good. `scope` is ignored: scopes are fixed per app in Developer Hub
 * (pipedrive-oauth.md §1).
 */
export function checkAuthorizeQuery(ctx: EmulatorContext, query: URLSearchParams): AuthorizeCheck {
  const clientId = query.get('client_id');
  if (clientId !== ctx.app.clientId) {
    // Pipedrive's message for an app the user's company cannot see (§1); an unknown client_id is that case.
    const detail = `client_id ${quote(clientId)} is not the app's (${quote(ctx.app.clientId)})`;
    return { kind: 'refused', error: 'App cannot be installed for requested company', detail };
  }
  const redirectUri = query.get('redirect_uri');
  if (redirectUri !== ctx.app.redirectUri) {
    // Exact string match only, as Pipedrive's FAQ documents (§6).
    const detail = `redirect_uri ${quote(redirectUri)} is not exactly the registered ${quote(ctx.app.redirectUri)}`;
    return { kind: 'refused', error: 'Invalid redirect URL', detail };
  }
  // An empty state is treated as none, so the callback never sees a bare `state=`.
  const state = query.get('state') || undefined;
  const responseType = query.get('response_type');
  if (responseType !== null && responseType !== 'code') {
    const location = withParams(redirectUri, { error: 'unsupported_response_type', state });
    return { kind: 'error-redirect', location };
  }
  return { kind: 'ok', redirectUri, state };
}

/** Issues a code and returns the callback URL that carries it. */
export function approvedRedirect(
  ctx: EmulatorContext,
  redirectUri: string,
  state: string | undefined,
): string {
  const code = ctx.store.issueCode(ctx.app.clientId, redirectUri);
  return withParams(redirectUri, { code, state });
}

/** Pipedrive's docs say user_denied (the SDK READMEs say access_denied; §5). */
export function deniedRedirect(
  redirectUri: string,
  state: string | undefined,
  error: 'user_denied' | 'access_denied' = 'user_denied',
): string {
  return withParams(redirectUri, { error, state });
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

function quote(value: string | null): string {
  return value === null ? '(missing)' : `'${value}'`;
}
