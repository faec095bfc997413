import { describe, expect, it } from 'vitest';
import { BadResponseError } from '../../../src/oauth/oauth-error.js';
import {
  isExpired,
  parseTokenResponse,
  refreshTokenIdleMs,
  refreshTokenLapsesAt,
  type StoredTokens,
  type TokenResponse,
  toStoredTokens,
} from '../../../src/oauth/token-set.js';

const url = 'https://oauth.pipedrive.com/oauth/token';
const now = Date.UTC(2026, 10, 26, 19, 7, 0);

/** The example body of Pipedrive's API reference (pipedrive-oauth.md §3). */
const pipedriveExample = {
  access_token: 'v1u:AQIBAHj+LzTNK1yu/abc=:RIDnTOIXo8Qi+x/y==',
  token_type: 'Bearer',
  expires_in: 3599,
  refresh_token: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
  scope: 'base',
  api_domain: 'https://user-company.pipedrive.com',
};

const parse = (body: unknown) => parseTokenResponse(body, url, 200);

function response(overrides: Partial<TokenResponse> = {}): TokenResponse {
  return {
    accessToken: 'access-2',
    refreshToken: 'refresh-2',
    tokenType: 'Bearer',
    expiresIn: 3600,
    scope: ['base', 'deals:full'],
    apiDomain: 'https://new-company.pipedrive.com',
    ...overrides,
  };
}

const previous: StoredTokens = {
  accessToken: 'access-1',
  refreshToken: 'refresh-1',
  tokenType: 'Bearer',
  expiresAt: now - 1000,
  obtainedAt: now - 3_601_000,
  scope: ['base', 'users:read'],
  apiDomain: 'https://old-company.pipedrive.com',
  refreshTokenUsedAt: now - 86_400_000,
};

describe('parseTokenResponse', () => {
  it("reads Pipedrive's example body", () => {
    expect(parse(pipedriveExample)).toEqual({
      accessToken: 'v1u:AQIBAHj+LzTNK1yu/abc=:RIDnTOIXo8Qi+x/y==',
      refreshToken: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
      tokenType: 'Bearer',
      expiresIn: 3599,
      scope: ['base'],
      apiDomain: 'https://user-company.pipedrive.com',
    });
  });

  it.each(['bearer', 'BEARER', 'Bearer'])(
    'accepts token_type %s and normalises it to Bearer',
    (tokenType) => {
      expect(parse({ ...pipedriveExample, token_type: tokenType }).tokenType).toBe('Bearer');
    },
  );

  it('assumes Bearer when token_type is missing', () => {
    const { token_type: _, ...body } = pipedriveExample;

    expect(parse(body).tokenType).toBe('Bearer');
  });

  it('refuses a token_type other than Bearer', () => {
    const act = () => parse({ ...pipedriveExample, token_type: 'mac' });

    expect(act).toThrow(BadResponseError);
    expect(act).toThrow(`unexpected answer from ${url} (HTTP 200): token_type is mac, not Bearer`);
  });

  it('splits a comma-separated scope', () => {
    expect(parse({ ...pipedriveExample, scope: 'deals:full,users:full,1337' }).scope).toEqual([
      'deals:full',
      'users:full',
      '1337',
    ]);
  });

  it('splits a space-separated scope too', () => {
    expect(parse({ ...pipedriveExample, scope: 'base deals:read' }).scope).toEqual(['base', 'deals:read']);
  });

  it('reads a missing scope as none', () => {
    const { scope: _, ...body } = pipedriveExample;

    expect(parse(body).scope).toEqual([]);
  });

  it('reads a missing refresh_token as undefined', () => {
    const { refresh_token: _, ...body } = pipedriveExample;

    expect(parse(body).refreshToken).toBeUndefined();
  });

  it('reads a missing api_domain as undefined', () => {
    const { api_domain: _, ...body } = pipedriveExample;

    expect(parse(body).apiDomain).toBeUndefined();
  });

  it('drops a trailing slash from api_domain', () => {
    expect(parse({ ...pipedriveExample, api_domain: 'https://user-company.pipedrive.com/' }).apiDomain).toBe(
      'https://user-company.pipedrive.com',
    );
  });

  it('accepts expires_in sent as a numeric string', () => {
    expect(parse({ ...pipedriveExample, expires_in: '3600' }).expiresIn).toBe(3600);
  });

  it('refuses a missing access_token', () => {
    const { access_token: _, ...body } = pipedriveExample;

    expect(() => parse(body)).toThrow(`unexpected answer from ${url} (HTTP 200): no access_token`);
  });

  it('refuses an empty access_token', () => {
    expect(() => parse({ ...pipedriveExample, access_token: '' })).toThrow(
      `unexpected answer from ${url} (HTTP 200): no access_token`,
    );
  });

  it('refuses a non-string access_token', () => {
    expect(() => parse({ ...pipedriveExample, access_token: 42 })).toThrow(BadResponseError);
  });

  it.each([
    ['a non-numeric string', 'soon'],
    ['null', null],
    ['zero', 0],
    ['a negative number', -1],
    ['infinity', Number.POSITIVE_INFINITY],
    ['an object', {}],
  ])('refuses expires_in that is %s', (_what, value) => {
    expect(() => parse({ ...pipedriveExample, expires_in: value })).toThrow(
      `unexpected answer from ${url} (HTTP 200): expires_in is missing or not a positive number`,
    );
  });

  it('refuses a missing expires_in', () => {
    const { expires_in: _, ...body } = pipedriveExample;

    expect(() => parse(body)).toThrow(BadResponseError);
  });

  it.each([
    ['null', null],
    ['an array', [pipedriveExample]],
    ['a string', JSON.stringify(pipedriveExample)],
    ['a number', 200],
  ])('refuses a body that is %s', (_what, body) => {
    expect(() => parse(body)).toThrow(
      `unexpected answer from ${url} (HTTP 200): the body is not a JSON object`,
    );
  });

  it.each([
    'user-company.pipedrive.com',
    'javascript:alert(1)',
    'https://',
    'ftp://user-company.pipedrive.com',
  ])('refuses api_domain %s', (apiDomain) => {
    expect(() => parse({ ...pipedriveExample, api_domain: apiDomain })).toThrow(
      `unexpected answer from ${url} (HTTP 200): api_domain is not a URL`,
    );
  });

  it('refuses an api_domain that no URL parser accepts (a space in the host)', () => {
    expect(() => parse({ ...pipedriveExample, api_domain: 'https://user company.pipedrive.com' })).toThrow(
      `unexpected answer from ${url} (HTTP 200): api_domain is not a URL`,
    );
  });

  it('quotes the start of the body with the token values redacted', () => {
    const body = { ...pipedriveExample, expires_in: 'soon' };

    const act = () => parse(body);

    expect(act).toThrow('it begins: «{"access_token":"[redacted]","token_type":"Bearer","expires_in":"soon"');
    expect(act).not.toThrow(pipedriveExample.access_token);
    expect(act).not.toThrow(pipedriveExample.refresh_token);
  });

  it.each([
    [
      'a CR LF in access_token',
      { access_token: 'abc\r\nX-Evil: 1' },
      'access_token contains spaces or control characters',
    ],
    [
      'a space in refresh_token',
      { refresh_token: '1:1 2' },
      'refresh_token contains spaces or control characters',
    ],
    ['a hex expires_in', { expires_in: '0x10' }, 'expires_in is missing or not a positive number'],
    ['spaces around api_domain', { api_domain: ' https://x.pipedrive.com\n' }, 'api_domain is not a URL'],
  ])('refuses %s', (_what, change, why) => {
    expect(() => parse({ ...pipedriveExample, ...change })).toThrow(
      `unexpected answer from ${url} (HTTP 200): ${why}`,
    );
  });

  it('names the URL and the status in the error', () => {
    expect(() => parseTokenResponse({}, 'http://127.0.0.1:1/oauth/token', 201)).toThrow(
      'unexpected answer from http://127.0.0.1:1/oauth/token (HTTP 201): no access_token',
    );
  });
});

describe('toStoredTokens', () => {
  it('sets the expiry to now + expires_in seconds', () => {
    const stored = toStoredTokens(response({ expiresIn: 3599 }), now);

    expect(stored.expiresAt).toBe(now + 3_599_000);
  });

  it('stores every field of a full response and marks the refresh token used now', () => {
    expect(toStoredTokens(response(), now)).toEqual({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
      tokenType: 'Bearer',
      expiresAt: now + 3_600_000,
      obtainedAt: now,
      scope: ['base', 'deals:full'],
      apiDomain: 'https://new-company.pipedrive.com',
      refreshTokenUsedAt: now,
    });
  });

  it('prefers the new refresh token, api_domain and scope over the previous ones', () => {
    const stored = toStoredTokens(response(), now, previous);

    expect(stored).toMatchObject({
      refreshToken: 'refresh-2',
      apiDomain: 'https://new-company.pipedrive.com',
      scope: ['base', 'deals:full'],
    });
  });

  it('keeps the previous refresh token when a refresh response has none', () => {
    expect(toStoredTokens(response({ refreshToken: undefined }), now, previous).refreshToken).toBe(
      'refresh-1',
    );
  });

  it('keeps the previous api_domain when a refresh response has none', () => {
    expect(toStoredTokens(response({ apiDomain: undefined }), now, previous).apiDomain).toBe(
      'https://old-company.pipedrive.com',
    );
  });

  it('keeps the previous scope when a refresh response has none', () => {
    expect(toStoredTokens(response({ scope: [] }), now, previous).scope).toEqual(['base', 'users:read']);
  });

  it('uses the fallback api_domain when neither the response nor the previous tokens have one', () => {
    const stored = toStoredTokens(
      response({ apiDomain: undefined }),
      now,
      undefined,
      'https://api.pipedrive.com',
    );

    expect(stored.apiDomain).toBe('https://api.pipedrive.com');
  });

  it('restarts the 60-day refresh window on a refresh', () => {
    expect(toStoredTokens(response(), now, previous).refreshTokenUsedAt).toBe(now);
  });

  it('refuses a first response without a refresh token', () => {
    expect(() => toStoredTokens(response({ refreshToken: undefined }), now)).toThrow(
      new BadResponseError('the token endpoint', 200, 'no refresh_token'),
    );
  });

  it('refuses a first response without an api_domain and no fallback', () => {
    expect(() => toStoredTokens(response({ apiDomain: undefined }), now)).toThrow(
      new BadResponseError('the token endpoint', 200, 'no api_domain'),
    );
  });
});

describe('isExpired', () => {
  const tokens: StoredTokens = { ...previous, expiresAt: now + 60_000 };

  it('is false before the expiry', () => {
    expect(isExpired(tokens, now + 59_999)).toBe(false);
  });

  it('is true at the expiry', () => {
    expect(isExpired(tokens, now + 60_000)).toBe(true);
  });

  it('is true after the expiry', () => {
    expect(isExpired(tokens, now + 60_001)).toBe(true);
  });

  it('counts as expired within the margin before the expiry', () => {
    expect(isExpired(tokens, now + 30_000, 30_000)).toBe(true);
  });

  it('is false just outside the margin', () => {
    expect(isExpired(tokens, now + 29_999, 30_000)).toBe(false);
  });
});

describe('refreshTokenLapsesAt', () => {
  it('is 60 days after the refresh token was last used', () => {
    const tokens: StoredTokens = { ...previous, refreshTokenUsedAt: now };

    expect(refreshTokenLapsesAt(tokens)).toBe(now + 60 * 86_400_000);
    expect(refreshTokenIdleMs).toBe(5_184_000_000);
  });
});
