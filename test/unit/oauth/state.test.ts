import { describe, expect, it } from 'vitest';
import { newState, stateMatches } from '../../../src/oauth/state.js';

describe('newState', () => {
  it('is 43 base64url characters: 32 random bytes, well over 128 bits', async () => {
    const state = await newState();

    expect(state).toHaveLength(43);
    expect(Buffer.from(state, 'base64url')).toHaveLength(32);
  });

  it('uses only URL-safe characters, without padding', async () => {
    const states = await Promise.all(Array.from({ length: 200 }, () => newState()));

    for (const s of states) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('survives a URL query unchanged', async () => {
    const state = await newState();

    const back = new URLSearchParams(new URLSearchParams({ state }).toString()).get('state');

    expect(back).toBe(state);
    expect(encodeURIComponent(state)).toBe(state);
  });

  it('is unique across 1000 calls', async () => {
    const states = new Set(await Promise.all(Array.from({ length: 1000 }, () => newState())));

    expect(states.size).toBe(1000);
  });
});

describe('stateMatches', () => {
  const expected = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';

  it('is true for the same state', () => {
    expect(stateMatches(expected, `${expected}`)).toBe(true);
  });

  it('is false for a different state of the same length', () => {
    const other = `${expected.slice(0, -1)}X`;

    expect(stateMatches(expected, other)).toBe(false);
  });

  it('is false for a state of a different length', () => {
    expect(stateMatches(expected, `${expected}A`)).toBe(false);
    expect(stateMatches(expected, expected.slice(0, 10))).toBe(false);
  });

  it('is false for undefined', () => {
    expect(stateMatches(expected, undefined)).toBe(false);
  });

  it('is false for null', () => {
    expect(stateMatches(expected, null)).toBe(false);
  });

  it('is false for an empty string', () => {
    expect(stateMatches(expected, '')).toBe(false);
  });

  it('is false for an empty received state even when the expected one is empty', () => {
    expect(stateMatches('', '')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(stateMatches('abcDEF', 'abcdef')).toBe(false);
  });
});
