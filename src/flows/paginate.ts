import type { Deps } from '../deps.js';
import { PdAuthError } from '../errors.js';
import { type ApiRequestOptions, apiRequest } from './api-request.js';

/** A runaway server (or a cursor that never ends) stops here: 10,000 pages of up to 500 items. */
export const MAX_PAGES = 10_000;

/** A page answered with a non-2xx status: what `pd-auth api` reports for a single call. */
export interface PageFailure {
  kind: 'failed';
  status: number;
  url: string;
  body: string;
}

/**
 * Where a list answer says its next page is: v2 `additional_data.next_cursor` (null on the last
 * page), or v1 `additional_data.pagination` (`more_items_in_collection`, `next_start`). Returns the
 * query parameter to set, null on the last page, or an error text for an answer that is no list.
 */
export function nextPage(body: unknown): { next: Record<string, string> | null } | { error: string } {
  const o = body as { success?: unknown; data?: unknown; additional_data?: Record<string, unknown> | null };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.data))
    return { error: 'its data is not a list' };
  const more = o.additional_data ?? {};
  if ('next_cursor' in more) {
    const cursor = more.next_cursor;
    if (cursor === null) return { next: null };
    return typeof cursor === 'string' && cursor !== ''
      ? { next: { cursor } }
      : { error: 'its next_cursor is not a string' };
  }
  const pagination = more.pagination as
    | { more_items_in_collection?: unknown; next_start?: unknown }
    | undefined;
  if (typeof pagination === 'object' && pagination !== null) {
    if (pagination.more_items_in_collection !== true) return { next: null };
    const start = pagination.next_start;
    return Number.isSafeInteger(start)
      ? { next: { start: String(start) } }
      : { error: 'its next_start is missing' };
  }
  return { error: 'it has neither additional_data.next_cursor nor additional_data.pagination' };
}

/** `path` with the query parameters in `set` replaced. */
export function withQuery(path: string, set: Record<string, string>): string {
  const q = path.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  for (const [k, v] of Object.entries(set)) params.set(k, v);
  return `${q < 0 ? path : path.slice(0, q)}?${params}`;
}

/**
 * GETs every page of a list (each with apiRequest's refresh on 401 and waits on 429) and returns
 * the `data` of all pages, concatenated; a non-2xx page ends it as `failed`.
 */
export async function fetchAllPages(
  opts: Omit<ApiRequestOptions, 'method' | 'body'>,
  deps: Deps,
): Promise<{ kind: 'done'; items: unknown[] } | PageFailure> {
  const items: unknown[] = [];
  let path = opts.path;
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await apiRequest({ ...opts, method: 'GET', path }, deps);
    if (res.status < 200 || res.status >= 300)
      return { kind: 'failed', status: res.status, url: res.url, body: res.body };
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const next = nextPage(body);
    if ('error' in next)
      throw new PdAuthError(
        `--paginate: page ${page} (GET ${res.url}) is not a paginated list: ${next.error}`,
      );
    items.push(...(body as { data: unknown[] }).data);
    if (next.next === null) return { kind: 'done', items };
    path = withQuery(opts.path, next.next);
    // A server that hands out the same cursor twice would loop until MAX_PAGES.
    if (seen.has(path))
      throw new PdAuthError(`--paginate: page ${page} (GET ${res.url}) points back to a page already read`);
    seen.add(path);
  }
  throw new PdAuthError(`--paginate: stopped after ${MAX_PAGES} pages`, {
    hint: 'narrow the query (filters, a larger limit), or page by hand with cursor or start',
  });
}
