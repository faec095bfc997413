import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.js';
import { hasMediaType, readBody, sendJson } from './http-io.js';

/** The body Pipedrive's API answers a missing, unknown, revoked or expired token with. */
export const UNAUTHORIZED = {
  success: false,
  error: 'unauthorized access',
  errorCode: 401,
  error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
  data: null,
  additional_data: null,
};

/** OAuth tokens on the Essential plan: 80 requests per 2-second window (pipedrive-oauth.md §9). */
export const RATE_LIMIT = 80;
const RATE_WINDOW_MS = 2000;

/** The paths counted in `stats.apiRequests`: everything a Bearer token is sent to. */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/') || pathname === '/v1/users/me';
}

/** Pipedrive's error shape for API calls, `{success:false, error, errorCode}`. */
export function apiError(status: number, error: string): Record<string, unknown> {
  return { success: false, error, errorCode: status };
}

/**
 * The error body Pipedrive documents for every API answer, used by the v2 endpoints
 * (pipedrive.readme.io/docs/core-api-concepts-responses; ../shared/pipedrive-oauth.md, 2026-11-30).
 */
export function apiErrorV2(error: string): Record<string, unknown> {
  return { success: false, error, error_info: UNAUTHORIZED.error_info, data: null, additional_data: null };
}

/**
 * The fields of a JSON object body; a form too when `acceptForm` (v1 takes both). Any other media
 * type reads as no fields. undefined: malformed JSON, or JSON that is not an object.
 */
export async function readFields(
  req: IncomingMessage,
  acceptForm: boolean,
): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(req);
  if (acceptForm && hasMediaType(req, 'application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  if (!hasMediaType(req, 'application/json')) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends 401 and returns false unless the request carries a valid, unexpired, unrevoked access
 * token. Pipedrive documents 400 for a malformed header (§5); every client treats both alike, so
 * the emulator keeps to 401.
 */
export function authorizeApi(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  if (match?.[1] && ctx.store.isAccessTokenValid(match[1])) return true;
  sendJson(res, 401, UNAUTHORIZED, { 'WWW-Authenticate': 'Bearer' });
  return false;
}

/** An authorized API answer, with the rate-limit headers of the current window. */
export function sendApiJson(
  ctx: EmulatorContext,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, { ...rateLimitHeaders(ctx), ...headers });
}

/**
 * The older per-window headers (§9), from one shared 2-second window on the emulator's clock.
 * Reporting only: the emulator never answers 429 by itself (a hand-moved test clock would keep
 * every request in one window); tests inject 429s with faults instead.
 */
function rateLimitHeaders(ctx: EmulatorContext): Record<string, string> {
  const now = ctx.config.now();
  const start = Math.floor(now / RATE_WINDOW_MS) * RATE_WINDOW_MS;
  if (ctx.rateWindow.start !== start) {
    ctx.rateWindow.start = start;
    ctx.rateWindow.count = 0;
  }
  ctx.rateWindow.count += 1;
  const resetSeconds = Math.max(1, Math.ceil((start + RATE_WINDOW_MS - now) / 1000));
  return {
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - ctx.rateWindow.count)),
    'x-ratelimit-reset': String(resetSeconds),
  };
}
