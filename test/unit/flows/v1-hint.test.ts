import { describe, expect, it } from 'vitest';
import { v1Hint } from '../../../src/flows/v1-hint.js';

describe('v1Hint', () => {
  it.each([
    ['deals', 'GET', 'v1 deals went out of support on 2026-08-01; use v2/deals'],
    ['deals/42', 'GET', 'v1 deals went out of support on 2026-08-01; use v2/deals/42'],
    ['v1/deals?start=0', 'GET', 'v1 deals went out of support on 2026-08-01; use v2/deals'],
    ['/api/v1/persons/7', 'DELETE', 'v1 persons went out of support on 2026-08-01; use v2/persons/7'],
    [
      '/v1/activities/3',
      'PUT',
      'v1 activities went out of support on 2026-08-01; use -X PATCH v2/activities/3',
    ],
    [
      'organizations/collection',
      'GET',
      'v1 organizations went out of support on 2026-08-01; use v2/organizations',
    ],
    ['products/search', 'GET', 'v1 products went out of support on 2026-08-01; use v2/products/search'],
    [
      'pipelines/1/deals',
      'GET',
      'v1 pipelines went out of support on 2026-08-01; use v2/deals?pipeline_id=1',
    ],
    ['stages/4/deals', 'GET', 'v1 stages went out of support on 2026-08-01; use v2/deals?stage_id=4'],
    [
      'organizations/9/persons',
      'GET',
      'v1 organizations went out of support on 2026-08-01; use v2/persons?org_id=9',
    ],
    ['itemSearch', 'GET', 'v1 itemSearch went out of support on 2026-08-01; use v2/itemSearch'],
  ])('%s (%s): %s', (path, method, hint) => {
    expect(v1Hint(path, method)).toBe(hint);
  });

  it.each([
    'users/me',
    'v1/users/me',
    'v2/deals',
    '/api/v2/deals/42',
    'deals/42/products',
    'deals/summary',
    'notes',
    'dealsx',
  ])('gives %s no hint', (path) => {
    expect(v1Hint(path, 'GET')).toBeUndefined();
  });
});
