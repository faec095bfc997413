import { describe, expect, it } from 'vitest';
import { interpretCallback, parsePastedRedirect } from '../../../src/oauth/callback-params.js';

const state = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';
const code = '2002.1001.2d73391055a5e0f8e1f2a3b4c5d6e7f8091a2b3c4d';

const interpret = (query: string) => interpretCallback(new URLSearchParams(query), state);

describe('interpretCallback', () => {
  it('returns the code when the state matches', () => {
    expect(interpret(`code=${code}&state=${state}`)).toEqual({ kind: 'code', code });
  });

  it('decodes an encoded code', () => {
    expect(interpret(`code=a%2Bb%2Fc%3D&state=${state}`)).toEqual({ kind: 'code', code: 'a+b/c=' });
  });

  it('refuses a wrong state', () => {
    expect(interpret(`code=${code}&state=${state}x`)).toEqual({
      kind: 'invalid',
      reason: 'the state does not match this login',
    });
  });

  it('refuses a missing state', () => {
    expect(interpret(`code=${code}`)).toEqual({ kind: 'invalid', reason: 'the state parameter is missing' });
  });

  it('refuses an empty state', () => {
    expect(interpret(`code=${code}&state=`)).toEqual({
      kind: 'invalid',
      reason: 'the state does not match this login',
    });
  });

  it('refuses a repeated state, even when one copy matches', () => {
    expect(interpret(`code=${code}&state=${state}&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'the state parameter is repeated',
    });
  });

  it('reads error=user_denied as a denial', () => {
    expect(interpret(`error=user_denied&state=${state}`)).toEqual({
      kind: 'denied',
      error: 'user_denied',
      description: undefined,
    });
  });

  it('reads error=access_denied as a denial', () => {
    expect(interpret(`error=access_denied&state=${state}`)).toEqual({
      kind: 'denied',
      error: 'access_denied',
      description: undefined,
    });
  });

  it('keeps the error_description of a denial', () => {
    expect(interpret(`error=access_denied&error_description=The+user+said+no&state=${state}`)).toEqual({
      kind: 'denied',
      error: 'access_denied',
      description: 'The user said no',
    });
  });

  it('cuts an overlong error and description', () => {
    const out = interpret(`error=${'e'.repeat(300)}&error_description=${'d'.repeat(900)}&state=${state}`);

    expect(out).toEqual({ kind: 'denied', error: 'e'.repeat(200), description: 'd'.repeat(500) });
  });

  it('ignores a denial without the right state', () => {
    expect(interpret('error=user_denied&state=other')).toEqual({
      kind: 'invalid',
      reason: 'the state does not match this login',
    });
  });

  it('refuses both code and error', () => {
    expect(interpret(`code=${code}&error=user_denied&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'both code and error are present',
    });
  });

  it('refuses a missing code', () => {
    expect(interpret(`state=${state}`)).toEqual({ kind: 'invalid', reason: 'the code parameter is missing' });
  });

  it('refuses an empty code', () => {
    expect(interpret(`code=&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'the code parameter is missing',
    });
  });

  it('refuses a repeated code', () => {
    expect(interpret(`code=a&code=b&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'a parameter is repeated',
    });
  });

  it('refuses a repeated error', () => {
    expect(interpret(`error=a&error=b&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'a parameter is repeated',
    });
  });

  it('refuses a code longer than 4096 characters', () => {
    expect(interpret(`code=${'c'.repeat(4097)}&state=${state}`)).toEqual({
      kind: 'invalid',
      reason: 'the code is too long',
    });
  });

  it('accepts a code of exactly 4096 characters', () => {
    expect(interpret(`code=${'c'.repeat(4096)}&state=${state}`)).toEqual({
      kind: 'code',
      code: 'c'.repeat(4096),
    });
  });

  it('ignores parameters it does not know', () => {
    expect(interpret(`code=${code}&state=${state}&utm_source=x`)).toEqual({ kind: 'code', code });
  });
});

describe('parsePastedRedirect', () => {
  it('reads the query of a full redirected URL', () => {
    const params = parsePastedRedirect(`http://localhost:8484/callback?code=${code}&state=${state}`);

    expect(params?.get('code')).toBe(code);
    expect(params?.get('state')).toBe(state);
  });

  it('trims whitespace and newlines around a pasted URL', () => {
    const params = parsePastedRedirect(`  http://localhost:8484/callback?code=abc&state=${state}\n`);

    expect(params?.get('code')).toBe('abc');
  });

  it('reads a bare query string', () => {
    const params = parsePastedRedirect(`code=${code}&state=${state}`);

    expect(params?.get('code')).toBe(code);
    expect(params?.get('state')).toBe(state);
  });

  it('reads a bare query string that starts with ?', () => {
    expect(parsePastedRedirect('?code=abc&state=s')?.get('code')).toBe('abc');
  });

  it('reads a denial pasted as a query string', () => {
    expect(parsePastedRedirect(`error=user_denied&state=${state}`)?.get('error')).toBe('user_denied');
  });

  it('returns undefined for garbage', () => {
    expect(parsePastedRedirect('hello there, general kenobi')).toBeUndefined();
  });

  it('returns undefined for an empty string', () => {
    expect(parsePastedRedirect('')).toBeUndefined();
  });

  it('returns undefined for whitespace only', () => {
    expect(parsePastedRedirect(' \n\t ')).toBeUndefined();
  });

  it('feeds interpretCallback end to end', () => {
    const params = parsePastedRedirect(`http://localhost:8484/callback?code=${code}&state=${state}`);

    expect(interpretCallback(params ?? new URLSearchParams(), state)).toEqual({ kind: 'code', code });
  });
});
