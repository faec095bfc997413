import { describe, expect, it } from 'vitest';
import { nextPage, withQuery } from '../../../src/flows/paginate.js';

describe('nextPage', () => {
  it.each([
    [{ success: true, data: [], additional_data: { next_cursor: 'abc' } }, { next: { cursor: 'abc' } }],
    [{ success: true, data: [], additional_data: { next_cursor: null } }, { next: null }],
    [
      { data: [], additional_data: { pagination: { more_items_in_collection: true, next_start: 2 } } },
      { next: { start: '2' } },
    ],
    [{ data: [], additional_data: { pagination: { more_items_in_collection: false } } }, { next: null }],
  ])('%j -> %j', (body, expected) => {
    expect(nextPage(body)).toEqual(expected);
  });

  it.each([
    [{ success: true, data: { id: 1 } }, 'its data is not a list'],
    [
      { success: true, data: [] },
      'it has neither additional_data.next_cursor nor additional_data.pagination',
    ],
    [
      { data: [], additional_data: null },
      'it has neither additional_data.next_cursor nor additional_data.pagination',
    ],
    [{ data: [], additional_data: { next_cursor: 5 } }, 'its next_cursor is not a string'],
    [
      { data: [], additional_data: { pagination: { more_items_in_collection: true } } },
      'its next_start is missing',
    ],
    [undefined, 'its data is not a list'],
    ['text', 'its data is not a list'],
  ])('refuses %j: %s', (body, error) => {
    expect(nextPage(body)).toEqual({ error });
  });
});

describe('withQuery', () => {
  it('adds the parameter, or replaces it, keeping the others', () => {
    expect(withQuery('v2/deals', { cursor: 'a+b' })).toBe('v2/deals?cursor=a%2Bb');
    expect(withQuery('deals?limit=2&start=0', { start: '4' })).toBe('deals?limit=2&start=4');
  });
});
