/**
 * The v1 resources whose endpoints went out of support on 2026-08-01 (../shared/pipedrive-oauth.md,
 * "Update 2026-11-30"; Pipedrive's changelog "Deprecated API v1 endpoints are now out of support").
 */
const DEPRECATED = new Set([
  'activities',
  'deals',
  'persons',
  'organizations',
  'products',
  'pipelines',
  'stages',
  'itemSearch',
]);

/** `{id}/deals|persons|activities` sub-lists become a filter on the v2 list. */
const FILTER: Readonly<Record<string, string>> = {
  pipelines: 'pipeline_id', // GET /api/v2/deals?pipeline_id={id} (pipedrive/client-nodejs v1 pipelines-api.ts)
  stages: 'stage_id', // GET /api/v2/deals?stage_id={id} (pipedrive/client-nodejs v1 stages-api.ts)
  persons: 'person_id',
  organizations: 'org_id',
  deals: 'deal_id',
};

/**
 * A one-line hint when `path` (in any form pd-auth api sends to /api/v1/) names an out-of-support
 * v1 endpoint: list, get, create, update, delete, search, `/collection` or an `{id}/deals|persons|
 * activities` sub-list of those resources. Other v1 paths (users/me, deals/42/products…) get none.
 */
export function v1Hint(path: string, method: string): string | undefined {
  const p = path.replace(/^\/+/, '').replace(/[?#].*$/, '');
  const rest = /^(api\/)?v1\//.test(p)
    ? p.replace(/^(api\/)?v1\//, '')
    : /^(api|v\d+)\//.test(p)
      ? undefined
      : p;
  const [resource = '', id, sub, ...more] = (rest ?? '').split('/').filter((s) => s !== '');
  if (!DEPRECATED.has(resource) || more.length > 0) return undefined;
  const successor = v2Path(resource, id, sub);
  if (successor === undefined) return undefined;
  const how = method === 'PUT' ? `-X PATCH ${successor}` : successor;
  return `v1 ${resource} went out of support on 2026-08-01; use ${how}`;
}

function v2Path(resource: string, id: string | undefined, sub: string | undefined): string | undefined {
  if (id === undefined) return `v2/${resource}`;
  if (resource === 'itemSearch') return id === 'field' ? `v2/itemSearch/field` : undefined;
  if (id === 'collection' && sub === undefined) return `v2/${resource}`;
  if (id === 'search' && sub === undefined) return `v2/${resource}/search`;
  if (!/^\d+$/.test(id)) return undefined;
  if (sub === undefined) return `v2/${resource}/${id}`;
  const filter = FILTER[resource];
  return ['deals', 'persons', 'activities'].includes(sub) && filter ? `v2/${sub}?${filter}=${id}` : undefined;
}
