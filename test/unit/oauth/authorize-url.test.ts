import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { buildAuthorizeUrl, defaultOAuthUrl } from '../../../src/oauth/authorize-url.js';
import { parseRedirectUri } from '../../../src/oauth/redirect-uri.js';

const params = {
  clientId: 'b4d083d9216986345b32',
  redirectUri: 'http://localhost:8484/callback',
  state: 'st4te_-x',
};

describe('buildAuthorizeUrl', () => {
  it("points at Pipedrive's /oauth/authorize with response_type=code, client_id, redirect_uri and state", () => {
    const url = new URL(buildAuthorizeUrl(defaultOAuthUrl, params));

    expect(`${url.origin}${url.pathname}`).toBe('https://oauth.pipedrive.com/oauth/authorize');
    expect([...url.searchParams]).toEqual([
      ['response_type', 'code'],
      ['client_id', 'b4d083d9216986345b32'],
      ['redirect_uri', 'http://localhost:8484/callback'],
      ['state', 'st4te_-x'],
    ]);
  });

  it('URL-encodes the redirect URI and the state', () => {
    const url = buildAuthorizeUrl(defaultOAuthUrl, {
      ...params,
      redirectUri: 'http://localhost:8484/cb?x=1&y=2',
      state: 'a+b/c=d&e',
    });

    expect(url).toBe(
      'https://oauth.pipedrive.com/oauth/authorize?response_type=code&client_id=b4d083d9216986345b32' +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A8484%2Fcb%3Fx%3D1%26y%3D2&state=a%2Bb%2Fc%3Dd%26e',
    );
  });

  it('decodes back to exactly the values given', () => {
    const tricky = { clientId: 'id with space', redirectUri: 'http://127.0.0.1:9/p?q=é#', state: '&=?#%' };

    const query = new URL(buildAuthorizeUrl(defaultOAuthUrl, tricky)).searchParams;

    expect(query.get('client_id')).toBe('id with space');
    expect(query.get('redirect_uri')).toBe('http://127.0.0.1:9/p?q=é#');
    expect(query.get('state')).toBe('&=?#%');
  });

  it('handles trailing slashes on the OAuth host', () => {
    const url = buildAuthorizeUrl('http://127.0.0.1:4000//', params);

    expect(url.startsWith('http://127.0.0.1:4000/oauth/authorize?')).toBe(true);
  });

  it('sends no scope or PKCE parameter', () => {
    const query = new URL(buildAuthorizeUrl(defaultOAuthUrl, params)).searchParams;

    expect([...query.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'response_type', 'state']);
  });
});

describe('parseRedirectUri', () => {
  it('listens on both 127.0.0.1 and ::1 for localhost', () => {
    expect(parseRedirectUri('http://localhost:8484/callback')).toEqual({
      uri: 'http://localhost:8484/callback',
      listen: { hosts: ['127.0.0.1', '::1'], port: 8484, path: '/callback' },
    });
  });

  it('listens on 127.0.0.1 only for 127.0.0.1', () => {
    expect(parseRedirectUri('http://127.0.0.1:3000/auth/cb').listen).toEqual({
      hosts: ['127.0.0.1'],
      port: 3000,
      path: '/auth/cb',
    });
  });

  it('listens on ::1 only for [::1]', () => {
    expect(parseRedirectUri('http://[::1]:8484/callback').listen).toEqual({
      hosts: ['::1'],
      port: 8484,
      path: '/callback',
    });
  });

  it('keeps the URI exactly as given (Pipedrive wants an exact match)', () => {
    expect(parseRedirectUri('http://localhost:8484/callback/').uri).toBe('http://localhost:8484/callback/');
  });

  it('defaults the port to 80', () => {
    expect(parseRedirectUri('http://localhost/callback').listen?.port).toBe(80);
  });

  it('treats an explicit :80 as port 80', () => {
    expect(parseRedirectUri('http://127.0.0.1:80/callback').listen?.port).toBe(80);
  });

  it('uses / as the path when the URI has none', () => {
    expect(parseRedirectUri('http://localhost:8484').listen?.path).toBe('/');
  });

  it('does not listen for an https URI', () => {
    expect(parseRedirectUri('https://localhost:8484/callback')).toEqual({
      uri: 'https://localhost:8484/callback',
      listen: undefined,
    });
  });

  it('does not listen for a non-loopback host', () => {
    expect(parseRedirectUri('http://example.com:8484/callback').listen).toBeUndefined();
  });

  it('does not treat a lookalike host as loopback', () => {
    expect(parseRedirectUri('http://127.0.0.1.example.com/callback').listen).toBeUndefined();
  });

  it('refuses a string that is not a URL with a UsageError naming it', () => {
    const act = () => parseRedirectUri('localhost 8484');

    expect(act).toThrow(UsageError);
    expect(act).toThrow('--redirect-uri "localhost 8484" is not a URL');
  });

  it('gives a hint with an example callback URL for a bad URL', () => {
    try {
      parseRedirectUri('::nope');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).hint).toContain('http://localhost:8484/callback');
    }
  });

  it('refuses a non-http scheme', () => {
    expect(() => parseRedirectUri('ftp://localhost/callback')).toThrow(
      new UsageError('the redirect URI must be an http(s) URL, got ftp:'),
    );
  });

  it('refuses a fragment', () => {
    const act = () => parseRedirectUri('http://localhost:8484/callback#top');

    expect(act).toThrow(UsageError);
    expect(act).toThrow('the redirect URI must not contain credentials or a #fragment');
  });

  it('refuses an empty fragment too (RFC 6749 §3.1.2: no fragment component)', () => {
    expect(() => parseRedirectUri('http://localhost:8484/callback#')).toThrow(UsageError);
  });

  it('refuses credentials', () => {
    const act = () => parseRedirectUri('http://user:pw@localhost:8484/callback');

    expect(act).toThrow(UsageError);
    expect(act).toThrow('the redirect URI must not contain credentials or a #fragment');
  });

  it('refuses a user name without a password', () => {
    expect(() => parseRedirectUri('http://user@localhost:8484/callback')).toThrow(UsageError);
  });
});
