import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiErrorV2, readFields, sendApiJson } from './api-common.js';
import type { EmulatorContext } from './context.js';
import { dealV2 } from './deal-shapes.js';
import type { DealChanges } from './deals.js';

/*
 * API v2 deals (developers.pipedrive.com/docs/api/v1/Deals, the v2 operations GetDeals, GetDeal,
 * AddDeal, UpdateDeal, DeleteDeal; request and answer models in github.com/pipedrive/client-nodejs
 * src/versions/v2/models/: add-deal-request.ts, update-deal-request.ts, get-deals-response.ts,
 * upsert-deal-response.ts, delete-deal-response.ts). The error wordings are the emulator's own.
 */

/** v2 list limits (pipedrive.readme.io/docs/core-api-concepts-pagination). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

export function listDealsV2(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '0') || limit < 1 || limit > MAX_LIMIT) {
    sendApiJson(ctx, res, 400, apiErrorV2(`Invalid limit: an integer from 1 to ${MAX_LIMIT}`));
    return;
  }
  const cursor = url.searchParams.get('cursor');
  const start = cursor === null ? 0 : decodeCursor(cursor);
  if (start === undefined) {
    sendApiJson(ctx, res, 400, apiErrorV2('Invalid cursor'));
    return;
  }
  const { items, more } = ctx.deals.page(start, limit);
  const data = items.map((deal) => dealV2(deal, ctx.config.user.id));
  // get-activities-response-all-of-additional-data.ts: next_cursor is null on the last page.
  const next_cursor = more ? encodeCursor(start + limit) : null;
  sendApiJson(ctx, res, 200, { success: true, data, additional_data: { next_cursor } });
}

export function getDealV2(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const deal = ctx.deals.get(idOf(url));
  if (!deal) return notFound(ctx, res);
  sendApiJson(ctx, res, 200, { success: true, data: dealV2(deal, ctx.config.user.id) });
}

export async function addDealV2(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const changes = await readChanges(ctx, req, res);
  if (!changes) return;
  if (typeof changes.title !== 'string') {
    sendApiJson(ctx, res, 400, apiErrorV2('title is required'));
    return;
  }
  const deal = ctx.deals.create({ ...changes, title: changes.title });
  sendApiJson(ctx, res, 200, { success: true, data: dealV2(deal, ctx.config.user.id) });
}

export async function updateDealV2(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const id = idOf(url);
  if (!ctx.deals.get(id)) return notFound(ctx, res);
  const changes = await readChanges(ctx, req, res);
  if (!changes) return;
  const deal = ctx.deals.update(id, changes);
  if (!deal) return notFound(ctx, res);
  sendApiJson(ctx, res, 200, { success: true, data: dealV2(deal, ctx.config.user.id) });
}

/** Pipedrive marks the deal deleted and purges it after 30 days; the emulator forgets it at once. */
export function deleteDealV2(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const id = idOf(url);
  if (!ctx.deals.delete(id)) return notFound(ctx, res);
  sendApiJson(ctx, res, 200, { success: true, data: { id } });
}

/** The changeable fields of a JSON body, or undefined once a 400 is sent. */
async function readChanges(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<DealChanges | undefined> {
  const fields = await readFields(req, false);
  const problem = fields === undefined ? 'Malformed JSON body' : checkFields(fields);
  if (problem !== undefined) {
    sendApiJson(ctx, res, 400, apiErrorV2(problem));
    return undefined;
  }
  return fields as DealChanges;
}

/** The first field of a known name with a wrong type; other fields are ignored, as the rest of Pipedrive's. */
function checkFields(f: Record<string, unknown>): string | undefined {
  if ('title' in f && (typeof f.title !== 'string' || f.title.trim() === ''))
    return 'title must be a non-empty string';
  if ('value' in f && (typeof f.value !== 'number' || !Number.isFinite(f.value)))
    return 'value must be a number';
  if ('currency' in f && (typeof f.currency !== 'string' || !/^[A-Z]{3}$/.test(f.currency)))
    return 'currency must be a 3-letter code';
  if ('status' in f && !['open', 'won', 'lost'].includes(f.status as string))
    return 'status must be open, won or lost';
  const cf = f.custom_fields;
  if ('custom_fields' in f && (typeof cf !== 'object' || cf === null || Array.isArray(cf)))
    return 'custom_fields must be an object';
  for (const key of Object.keys(f)) if (!KNOWN.has(key)) delete f[key];
  return undefined;
}

const KNOWN = new Set(['title', 'value', 'currency', 'status', 'custom_fields']);

function notFound(ctx: EmulatorContext, res: ServerResponse): void {
  sendApiJson(ctx, res, 404, apiErrorV2('Deal not found'));
}

function idOf(url: URL): number {
  return Number(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
}

/** Opaque to clients; here the next offset, base64url-encoded. */
function encodeCursor(start: number): string {
  return Buffer.from(`o:${start}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^o:(0|[1-9]\d{0,14})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
