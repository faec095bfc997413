import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from './context.js';
import { hasMediaType, readBody } from './http-io.js';
import { MESSAGES, OAuthErrorResponse } from './oauth-error-response.js';

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * The common front half of /oauth/token and /oauth/revoke: form content type, body, client
 * authentication, in the order Node's oauth2-server checks them. Throws OAuthErrorResponse.
 */
export async function readAuthenticatedForm(
  ctx: EmulatorContext,
  req: IncomingMessage,
): Promise<URLSearchParams> {
  const form = await readOAuthForm(req);
  authenticateClient(ctx, req, form);
  return form;
}

/** The form of an OAuth endpoint, before the client is authenticated. Throws OAuthErrorResponse. */
export async function readOAuthForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!hasMediaType(req, 'application/x-www-form-urlencoded')) {
    throw new OAuthErrorResponse('invalid_request', MESSAGES.contentType);
  }
  return new URLSearchParams(await readBody(req));
}

export function authenticateClient(ctx: EmulatorContext, req: IncomingMessage, form: URLSearchParams): void {
  // 400 however the credentials came: Pipedrive's page of OAuth status codes (updated 2025-11-12)
  // lists every /oauth/token error, "Invalid client" included, under 400 (pipedrive-oauth.md,
  // "Update 2026-11-30"). pd-auth's client reads the error code, so a 401 would work as well.
  const reject = (message: string) => new OAuthErrorResponse('invalid_client', message);

  const credentials = parseBasic(req.headers.authorization) ?? fromBody(form);
  if (!credentials) throw reject(MESSAGES.noCredentials);
  const idMatches = credentials.clientId === ctx.app.clientId;
  const secretMatches = secretsEqual(credentials.clientSecret, ctx.app.clientSecret);
  if (!idMatches || !secretMatches) throw reject(MESSAGES.badClient);
}

function parseBasic(header: string | undefined): ClientCredentials | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function fromBody(form: URLSearchParams): ClientCredentials | undefined {
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

/** Hashing first gives equal lengths, so neither the content nor the length leaks through timing. */
function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
