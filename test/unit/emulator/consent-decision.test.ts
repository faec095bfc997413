import { afterEach, describe, expect, it } from 'vitest';
import { AuthorizeUrlError, type Emulator, startEmulator } from '../../../src/emulator/server.js';
import { authorizeUrl, postForm } from '../../helpers/emulator-harness.js';

const started: Emulator[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((emu) => emu.close()));
});

async function start(): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, redirectUri: 'http://localhost:3000/oauth/callback' });
  started.push(emu);
  return emu;
}

describe('approve()', () => {
  it('returns the callback URL with a code and the state', async () => {
    const emu = await start();
    const callback = new URL(emu.approve(authorizeUrl(emu, { state: 's-1' })));
    expect(`${callback.origin}${callback.pathname}`).toBe('http://localhost:3000/oauth/callback');
    expect(callback.searchParams.get('state')).toBe('s-1');
    expect(callback.searchParams.get('code')).toMatch(/^2002\.1001\.[0-9a-f]+$/);
  });

  it('issues a code that the token endpoint exchanges once', async () => {
    const emu = await start();
    const code = new URL(emu.approve(new URL(authorizeUrl(emu)))).searchParams.get('code') ?? '';
    const params = { grant_type: 'authorization_code', code, redirect_uri: emu.app.redirectUri };
    expect((await postForm(emu, '/oauth/token', params)).status).toBe(200);
    expect((await postForm(emu, '/oauth/token', params)).status).toBe(400);
    expect(emu.stats.tokenRequestsByGrant).toEqual({ authorization_code: 2, refresh_token: 0 });
  });

  it('refuses a redirect_uri that differs from the registered one, as /oauth/authorize does', async () => {
    const emu = await start();
    const url = authorizeUrl(emu, { redirect_uri: 'http://localhost:3000/oauth/callback/' });
    expect(() => emu.approve(url)).toThrow(AuthorizeUrlError);
    expect(() => emu.approve(url)).toThrow(
      "Invalid redirect URL: redirect_uri 'http://localhost:3000/oauth/callback/' is not exactly the registered " +
        "'http://localhost:3000/oauth/callback'. Pipedrive answers 400 and does not redirect.",
    );
  });

  it('refuses an unknown client_id with the status and body of /oauth/authorize', async () => {
    const emu = await start();
    const error = catchError(() => emu.approve(authorizeUrl(emu, { client_id: 'other' })));
    expect(error).toBeInstanceOf(AuthorizeUrlError);
    expect(error).toMatchObject({
      status: 400,
      body: { error: 'App cannot be installed for requested company' },
    });
    const res = await fetch(authorizeUrl(emu, { client_id: 'other' }), { redirect: 'manual' });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: 'App cannot be installed for requested company' },
    });
  });

  it('refuses a URL that is not this emulator’s authorize endpoint', async () => {
    const emu = await start();
    const real = authorizeUrl(emu).replace(emu.url, 'https://oauth.pipedrive.com');
    expect(() => emu.approve(real)).toThrow(
      /Not this emulator's authorize URL: 'https:\/\/oauth\.pipedrive\.com/,
    );
    expect(() => emu.approve(authorizeUrl(emu).replace('/oauth/authorize', '/authorize'))).toThrow(
      AuthorizeUrlError,
    );
    expect(() => emu.approve('not a url')).toThrow("Not a URL: 'not a url'");
  });

  it('redirects with unsupported_response_type, as the endpoint does', async () => {
    const emu = await start();
    const callback = new URL(emu.approve(authorizeUrl(emu, { response_type: 'token', state: 'x' })));
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      error: 'unsupported_response_type',
      state: 'x',
    });
  });
});

describe('deny()', () => {
  it('returns the callback URL with error=user_denied and the state, and issues no code', async () => {
    const emu = await start();
    const callback = new URL(emu.deny(authorizeUrl(emu, { state: 's-2' })));
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: 'user_denied', state: 's-2' });
  });

  it('can say access_denied, as Pipedrive’s SDK READMEs show', async () => {
    const emu = await start();
    const callback = new URL(emu.deny(authorizeUrl(emu), { error: 'access_denied' }));
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: 'access_denied' });
  });

  it('validates the URL as approve() does', async () => {
    const emu = await start();
    expect(() => emu.deny(authorizeUrl(emu, { client_id: '' }))).toThrow(AuthorizeUrlError);
  });
});

describe('several emulators in one process', () => {
  it('share no app, code, token or fault', async () => {
    const [a, b] = [await start(), await start()];
    a.regenerateSecret();
    a.injectFaults([{ path: '*', status: 503 }]);
    const code = new URL(b.approve(authorizeUrl(b))).searchParams.get('code') ?? '';
    const params = { grant_type: 'authorization_code', code, redirect_uri: b.app.redirectUri };

    expect(b.app.clientSecret).toBe('emulator-client-secret');
    expect((await postForm(b, '/oauth/token', params)).status).toBe(200);
    expect(b.stats).toMatchObject({ codeGrants: 1, faultsServed: 0 });
    expect(a.stats).toMatchObject({ codeGrants: 0, tokenRequests: 0 });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error: unknown) {
    return error;
  }
  return undefined;
}
