import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, authorizeApi, sendApiJson } from './api-common.js';
import type { EmulatorContext } from './context.js';
import { dealV1, dealV2 } from './deals.js';
import { hasMediaType, readBody } from './http-io.js';

type ApiHandler = (ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

/**
 * A tiny slice of Pipedrive's API, enough for a generic `pd-auth api PATH` client to be tested:
 *   GET  /api/v1/deals       v1 list; `start` and `limit` paginate
 *   POST /api/v1/deals       create from `{"title": ...}` (JSON or form); 201
 *   GET  /api/v1/deals/:id   one deal, or 404 "Deal not found"
 *   GET  /api/v2/deals       v2 list; `limit` and `cursor` paginate
 * /api/v1/users/me has its own route (users-me.ts).
 */
const API_ROUTES: ReadonlyArray<[RegExp, Readonly<Partial<Record<string, ApiHandler>>>]> = [
  [/^\/api\/v1\/deals$/, { GET: listDealsV1, POST: createDeal }],
  [/^\/api\/v1\/deals\/(\d+)$/, { GET: getDeal }],
  [/^\/api\/v2\/deals$/, { GET: listDealsV2 }],
];

/** Any other /api/ path. The token is checked first, so an unknown path without one is a 401. */
export async function handleApi(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (!authorizeApi(ctx, req, res)) return;
  const route = API_ROUTES.find(([pattern]) => pattern.test(url.pathname));
  const handler = route?.[1][req.method ?? ''];
  if (handler) {
    await handler(ctx, req, res, url);
  } else {
    // What Pipedrive's API answers for a path (or method) it has no endpoint for.
    sendApiJson(ctx, res, 404, apiError(404, 'Unknown method .'));
  }
}

function listDealsV1(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const start = intParam(url, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(url, 'limit', 100, 1, 500);
  const { items, more } = ctx.deals.page(start, limit);
  const pagination = {
    start,
    limit,
    more_items_in_collection: more,
    ...(more ? { next_start: start + limit } : {}),
  };
  const data = items.map((deal) => dealV1(deal, ctx.config.user.id));
  sendApiJson(ctx, res, 200, { success: true, data, additional_data: { pagination } });
}

function listDealsV2(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  // The cursor is opaque to clients; here it is just the next offset, base64url-encoded.
  const cursor = url.searchParams.get('cursor');
  const start = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(start) || start < 0) {
    sendApiJson(ctx, res, 400, apiError(400, 'Invalid cursor'));
    return;
  }
  const limit = intParam(url, 'limit', 100, 1, 500);
  const { items, more } = ctx.deals.page(start, limit);
  const next = more ? Buffer.from(String(start + limit)).toString('base64url') : null;
  const data = items.map((deal) => dealV2(deal, ctx.config.user.id));
  sendApiJson(ctx, res, 200, { success: true, data, additional_data: { next_cursor: next } });
}

function getDeal(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const deal = ctx.deals.get(Number(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)));
  if (!deal) {
    sendApiJson(ctx, res, 404, apiError(404, 'Deal not found'));
    return;
  }
  sendApiJson(ctx, res, 200, { success: true, data: dealV1(deal, ctx.config.user.id) });
}

async function createDeal(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const fields = await readFields(req);
  if (fields === undefined) {
    sendApiJson(ctx, res, 400, apiError(400, 'Malformed JSON body'));
    return;
  }
  const title = fields.title;
  if (typeof title !== 'string' || title.trim() === '') {
    sendApiJson(ctx, res, 400, apiError(400, 'Title is required'));
    return;
  }
  const deal = ctx.deals.create(title);
  sendApiJson(ctx, res, 201, { success: true, data: dealV1(deal, ctx.config.user.id) });
}

/** Pipedrive's v1 takes JSON or a form; anything else reads as no fields. undefined: bad JSON. */
async function readFields(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(req);
  if (hasMediaType(req, 'application/x-www-form-urlencoded')) {
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
 * An integer query parameter, capped at max; anything unparsable or below min falls back to the
 * default. A limit of at least 1 keeps a paginating client from looping on empty pages.
 */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const value = Number(url.searchParams.get(name) ?? Number.NaN);
  return Number.isSafeInteger(value) && value >= min ? Math.min(value, max) : fallback;
}
