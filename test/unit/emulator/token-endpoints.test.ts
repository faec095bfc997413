import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/server.js';
import { emulatorHarness } from '../../helpers/emulator-harness.js';

const h = emulatorHarness({ autoApprove: true });
const start = h.start;

function basic(clientId: string, clientSecret: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
}

async function getCode(emu: Emulator): Promise<string> {
  const query = new URLSearchParams({ client_id: emu.app.clientId, redirect_uri: emu.app.redirectUri });
  const res = await fetch(`${emu.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
}

/** POSTs a form to /oauth/token with Basic auth unless other headers are given. */
async function token(emu: Emulator, params: Record<string, string>, headers?: Record<string, string>) {
  const res = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: headers ?? basic(emu.app.clientId, emu.app.clientSecret),
    body: new URLSearchParams(params),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function exchange(emu: Emulator, code: string, redirectUri = emu.app.redirectUri) {
  return token(emu, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

function oauthError(error: string, message: string) {
  return { success: false, error, message };
}

describe('POST /oauth/token, authorization_code grant', () => {
  it('returns Pipedrive-shaped tokens for a code, with Basic client auth', async () => {
    const emu = await start();
    const { status, body } = await exchange(emu, await getCode(emu));
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^v1u:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^\d+:\d+:[0-9a-f]{40}$/),
      scope: 'base,deals:full',
      api_domain: emu.url,
    });
  });

  it('accepts client credentials in the body', async () => {
    const emu = await start();
    const params = {
      grant_type: 'authorization_code',
      code: await getCode(emu),
      redirect_uri: emu.app.redirectUri,
    };
    const credentials = { client_id: emu.app.clientId, client_secret: emu.app.clientSecret };
    const { status } = await token(emu, { ...params, ...credentials }, {});
    expect(status).toBe(200);
  });

  it('counts token requests and code grants', async () => {
    const emu = await start();
    await exchange(emu, await getCode(emu));
    await exchange(emu, 'bogus');
    expect(emu.stats).toMatchObject({ tokenRequests: 2, codeGrants: 1 });
  });

  it('counts token requests per grant type, a refresh refused for a stale secret included', async () => {
    const emu = await start();
    const { body } = await exchange(emu, await getCode(emu));
    const stale = emu.app.clientSecret;
    emu.regenerateSecret();
    const refresh = { grant_type: 'refresh_token', refresh_token: String(body.refresh_token) };
    const refused = await token(emu, { ...refresh, client_id: emu.app.clientId, client_secret: stale }, {});
    await token(emu, { grant_type: 'password' });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_client' });
    expect(emu.stats).toMatchObject({
      tokenRequests: 3,
      tokenRequestsByGrant: { authorization_code: 1, refresh_token: 1 },
      refreshGrants: 0,
    });
  });

  it('rejects a code that was already exchanged', async () => {
    const emu = await start();
    const code = await getCode(emu);
    await exchange(emu, code);
    const { status, body } = await exchange(emu, code);
    expect(status).toBe(400);
    expect(body).toEqual(oauthError('invalid_grant', 'Invalid grant: authorization_code is invalid'));
  });

  it('rejects a code older than codeTtl', async () => {
    const emu = await start({ codeTtl: 300 });
    const code = await getCode(emu);
    h.clock += 301_000;
    const { body } = await exchange(emu, code);
    expect(body).toEqual(oauthError('invalid_grant', 'Invalid grant: authorization_code has expired'));
  });

  it('rejects a redirect_uri different from the one used at authorize', async () => {
    const emu = await start();
    const { status, body } = await exchange(emu, await getCode(emu), 'http://localhost:8484/other');
    expect(status).toBe(400);
    expect(body).toEqual(oauthError('invalid_request', 'Invalid request: redirect_uri is invalid'));
  });

  it('rejects a missing redirect_uri as not a valid URI', async () => {
    const emu = await start();
    const { body } = await token(emu, { grant_type: 'authorization_code', code: await getCode(emu) });
    expect(body).toEqual(oauthError('invalid_request', 'Invalid request: redirect_uri is not a valid URI'));
  });
});

describe('POST /oauth/token, request and client checks', () => {
  it('requires the form content type', async () => {
    const emu = await start();
    const res = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: { ...basic(emu.app.clientId, emu.app.clientSecret), 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      oauthError('invalid_request', 'Invalid request: content must be application/x-www-form-urlencoded'),
    );
  });

  it('answers a wrong Basic secret with 400 invalid_client, as Pipedrive does', async () => {
    const emu = await start();
    const { status, headers, body } = await token(
      emu,
      { grant_type: 'refresh_token' },
      basic('emulator-client-id', 'x'),
    );
    expect(status).toBe(400);
    expect(headers.get('www-authenticate')).toBeNull();
    expect(body).toEqual(oauthError('invalid_client', 'Invalid client: client is invalid'));
  });

  it('answers a wrong body secret with 400 invalid_client', async () => {
    const emu = await start();
    const params = { grant_type: 'refresh_token', client_id: emu.app.clientId, client_secret: 'x' };
    const { status, body } = await token(emu, params, {});
    expect(status).toBe(400);
    expect(body).toEqual(oauthError('invalid_client', 'Invalid client: client is invalid'));
  });

  it('answers missing client credentials with 400 invalid_client', async () => {
    const emu = await start();
    const { status, body } = await token(emu, { grant_type: 'refresh_token', refresh_token: 'r' }, {});
    expect(status).toBe(400);
    expect(body).toEqual(oauthError('invalid_client', 'Invalid client: cannot retrieve client credentials'));
  });

  it('requires grant_type', async () => {
    const emu = await start();
    const { body } = await token(emu, {});
    expect(body).toEqual(oauthError('invalid_request', 'Missing parameter: grant_type'));
  });

  it('rejects an unsupported grant type', async () => {
    const emu = await start();
    const { status, body } = await token(emu, { grant_type: 'password' });
    expect(status).toBe(400);
    expect(body).toEqual(
      oauthError('unsupported_grant_type', 'Unsupported grant type: grant_type is invalid'),
    );
  });
});
