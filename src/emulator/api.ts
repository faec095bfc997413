import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, authorizeApi, readFields, sendApiJson } from './api-common.js';
import type { EmulatorContext } from './context.js';
import { dealV1 } from './deal-shapes.js';
import { addDealV2, deleteDealV2, getDealV2, listDealsV2, updateDealV2 } from './deals-v2.js';

type ApiHandler = (ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

/**
 * A small slice of Pipedrive's API, enough for a generic `pd-auth api PATH` client to be tested:
 *   GET  /api/v1/deals        v1 list; `start` and `limit` paginate         (out of support)
 *   POST /api/v1/deals        create from `{"title": ...}` (JSON or form)   (out of support)
 *   GET  /api/v1/deals/:id    one deal, or 404 "Deal not found"             (out of support)
 *   GET, POST        /api/v2/deals       v2 list (`cursor`, `limit`) and create (deals-v2.ts)
 *   GET, PATCH, DELETE /api/v2/deals/:id
 * /api/v1/users/me has its own route (users-me.ts).
 */
const API_ROUTES: ReadonlyArray<[RegExp, Readonly<Partial<Record<string, ApiHandler>>>]> = [
  [/^\/api\/v1\/deals$/, { GET: listDealsV1, POST: createDealV1 }],
  [/^\/api\/v1\/deals\/(\d+)$/, { GET: getDealV1 }],
  [/^\/api\/v2\/deals$/, { GET: listDealsV2, POST: addDealV2 }],
  [/^\/api\/v2\/deals\/(\d+)$/, { GET: getDealV2, PATCH: updateDealV2, DELETE: deleteDealV2 }],
];

/**
 * How the emulator marks the v1 deal endpoints, out of support since 2026-08-01 (Pipedrive's
 * changelog, "Deprecated API v1 endpoints are now out of support", 2026-07-29). Pipedrive documents
 * no header or field for it; these standard ones are the emulator's choice: `Deprecation` (RFC 9745)
 * at the deprecation's effective date, 2026-01-01; `Sunset` (RFC 8594) at the end of support; a
 * `Link` to the v2 successor.
 */
function outOfSupport(successor: string): Record<string, string> {
  return {
    Deprecation: '@1767225600',
    Sunset: 'Sat, 01 Aug 2026 00:00:00 GMT',
    Link: `<${successor}>; rel="successor-version"`,
  };
}

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
  // pagination-details-all-of.ts in pipedrive/client-nodejs v1 models: next_start only when more.
  const pagination = {
    start,
    limit,
    more_items_in_collection: more,
    ...(more ? { next_start: start + limit } : {}),
  };
  const data = items.map((deal) => dealV1(deal, ctx.config.user.id));
  const body = { success: true, data, additional_data: { pagination } };
  sendApiJson(ctx, res, 200, body, outOfSupport('/api/v2/deals'));
}

function getDealV1(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const id = Number(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  const headers = outOfSupport(`/api/v2/deals/${id}`);
  const deal = ctx.deals.get(id);
  if (!deal) {
    sendApiJson(ctx, res, 404, apiError(404, 'Deal not found'), headers);
    return;
  }
  sendApiJson(ctx, res, 200, { success: true, data: dealV1(deal, ctx.config.user.id) }, headers);
}

async function createDealV1(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const headers = outOfSupport('/api/v2/deals');
  const fields = await readFields(req, true);
  if (fields === undefined) {
    sendApiJson(ctx, res, 400, apiError(400, 'Malformed JSON body'), headers);
    return;
  }
  const title = fields.title;
  if (typeof title !== 'string' || title.trim() === '') {
    sendApiJson(ctx, res, 400, apiError(400, 'Title is required'), headers);
    return;
  }
  const deal = ctx.deals.create({ title });
  sendApiJson(ctx, res, 201, { success: true, data: dealV1(deal, ctx.config.user.id) }, headers);
}

/**
 * An integer query parameter, capped at max; anything unparsable or below min falls back to the
 * default. A limit of at least 1 keeps a paginating client from looping on empty pages.
 */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const value = Number(url.searchParams.get(name) ?? Number.NaN);
  return Number.isSafeInteger(value) && value >= min ? Math.min(value, max) : fallback;
}
