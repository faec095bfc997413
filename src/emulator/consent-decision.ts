import { approvedRedirect, checkAuthorizeQuery, deniedRedirect } from './authorize-request.js';
import type { EmulatorContext } from './context.js';
import type { DenyOptions } from './types.js';

/**
 * approve() or deny() got an authorize URL that Pipedrive would not redirect back from: it names
 * another host or path, or /oauth/authorize would answer 400 (`status`, `body`) without redirecting.
 */
export class AuthorizeUrlError extends Error {
  constructor(
    message: string,
    /** What GET /oauth/authorize answers for this URL; undefined when the URL is not the emulator's. */
    readonly status?: 400,
    readonly body?: { error: string },
  ) {
    super(message);
    this.name = 'AuthorizeUrlError';
  }
}

/**
 * The person on the consent page clicks "Allow and install" (allow) or "Cancel": returns the
 * callback URL the browser would be sent to. Checks the URL as GET /oauth/authorize does; an
 * unsupported response_type gives the callback URL with that error, as the endpoint redirects.
 */
export function decide(
  ctx: EmulatorContext,
  authorizeUrl: string | URL,
  decision: 'allow' | 'deny',
  options: DenyOptions = {},
): string {
  const url = parseAuthorizeUrl(ctx, authorizeUrl);
  const check = checkAuthorizeQuery(ctx, url.searchParams);
  if (check.kind === 'refused') {
    const message = `${check.error}: ${check.detail}. Pipedrive answers 400 and does not redirect.`;
    throw new AuthorizeUrlError(message, 400, { error: check.error });
  }
  if (check.kind === 'error-redirect') return check.location;
  return decision === 'allow'
    ? approvedRedirect(ctx, check.redirectUri, check.state)
    : deniedRedirect(check.redirectUri, check.state, options.error);
}

/** The app must send the person to this emulator's /oauth/authorize (any loopback name, its port). */
function parseAuthorizeUrl(ctx: EmulatorContext, authorizeUrl: string | URL): URL {
  const text = String(authorizeUrl);
  if (!URL.canParse(text)) throw new AuthorizeUrlError(`Not a URL: '${text}'`);
  const url = new URL(text);
  const own = new URL(ctx.baseUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'http:' || !loopback || url.port !== own.port || url.pathname !== '/oauth/authorize') {
    const message = `Not this emulator's authorize URL: '${url.origin}${url.pathname}' (expected ${own.origin}/oauth/authorize)`;
    throw new AuthorizeUrlError(message);
  }
  return url;
}
