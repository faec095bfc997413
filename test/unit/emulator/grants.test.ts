import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/server.js';
import { emulatorHarness, installApp, postForm } from '../../helpers/emulator-harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const h = emulatorHarness({ autoApprove: true });
const start = h.start;

const post = postForm;
const login = installApp;

function refresh(emu: Emulator, refreshToken: string, secret?: string) {
  return post(emu, '/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken }, secret);
}

async function usersMe(emu: Emulator, accessToken: string, path = '/api/v1/users/me') {
  const res = await fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return {
    status: res.status,
    body: (await res.json()) as { success: boolean; data?: Record<string, unknown> },
  };
}

const INVALID_REFRESH = {
  success: false,
  error: 'invalid_grant',
  message: 'Invalid grant: refresh_token is invalid',
};

describe('refresh_token grant', () => {
  it('returns the same refresh token and a new access token in reuse mode', async () => {
    const emu = await start();
    const first = await login(emu);
    const { status, body } = await refresh(emu, first.refresh_token);
    expect(status).toBe(200);
    expect(body.refresh_token).toBe(first.refresh_token);
    expect(body.access_token).not.toBe(first.access_token);
  });

  it('keeps the previous access token valid after a refresh', async () => {
    const emu = await start();
    const first = await login(emu);
    await refresh(emu, first.refresh_token);
    expect((await usersMe(emu, first.access_token)).status).toBe(200);
  });

  it('returns a new refresh token in rotate mode', async () => {
    const emu = await start({ refreshTokenMode: 'rotate' });
    const first = await login(emu);
    const { body } = await refresh(emu, first.refresh_token);
    expect(body.refresh_token).toMatch(/^\d+:\d+:[0-9a-f]{40}$/);
    expect(body.refresh_token).not.toBe(first.refresh_token);
  });

  it('rejects a refresh token already used in rotate mode', async () => {
    const emu = await start({ refreshTokenMode: 'rotate' });
    const first = await login(emu);
    await refresh(emu, first.refresh_token);
    const { status, body } = await refresh(emu, first.refresh_token);
    expect(status).toBe(400);
    expect(body).toEqual(INVALID_REFRESH);
  });

  it('lets a refresh token expire after 60 days without use', async () => {
    const emu = await start();
    const first = await login(emu);
    h.clock += 60 * DAY_MS;
    const { body } = await refresh(emu, first.refresh_token);
    expect(body.error).toBe('invalid_grant');
  });

  it('restarts the 60-day window on each use', async () => {
    const emu = await start();
    const first = await login(emu);
    h.clock += 59 * DAY_MS;
    await refresh(emu, first.refresh_token);
    h.clock += 59 * DAY_MS;
    expect((await refresh(emu, first.refresh_token)).status).toBe(200);
  });
});

describe('regenerateSecret', () => {
  it('rejects the old secret at once', async () => {
    const emu = await start();
    const { refresh_token } = await login(emu);
    emu.regenerateSecret();
    const { status, body } = await refresh(emu, refresh_token, 'emulator-client-secret');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_client');
  });

  it('keeps issued refresh tokens working with the new secret', async () => {
    const emu = await start();
    const { refresh_token } = await login(emu);
    const secret = emu.regenerateSecret();
    expect((await refresh(emu, refresh_token, secret)).status).toBe(200);
  });
});

describe('POST /oauth/revoke', () => {
  it('revokes the access tokens of a revoked refresh token', async () => {
    const emu = await start();
    const tokens = await login(emu);
    const { status } = await post(emu, '/oauth/revoke', { token: tokens.refresh_token });
    expect(status).toBe(200);
    expect((await usersMe(emu, tokens.access_token)).status).toBe(401);
  });

  it('makes a revoked refresh token fail with invalid_grant', async () => {
    const emu = await start();
    const tokens = await login(emu);
    await post(emu, '/oauth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    expect((await refresh(emu, tokens.refresh_token)).body).toEqual(INVALID_REFRESH);
  });

  it('revokes only the access token when given one', async () => {
    const emu = await start();
    const tokens = await login(emu);
    await post(emu, '/oauth/revoke', { token: tokens.access_token, token_type_hint: 'access_token' });
    expect((await usersMe(emu, tokens.access_token)).status).toBe(401);
    expect((await refresh(emu, tokens.refresh_token)).status).toBe(200);
  });

  it('answers 200 for an unknown token', async () => {
    const emu = await start();
    expect((await post(emu, '/oauth/revoke', { token: 'never-issued' })).status).toBe(200);
  });

  it('rejects a wrong client secret', async () => {
    const emu = await start();
    const { status, body } = await post(emu, '/oauth/revoke', { token: 'x' }, 'wrong');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_client');
  });
});

describe('GET /api/v1/users/me', () => {
  it('returns the emulated user for a valid access token', async () => {
    const emu = await start({ user: { name: 'Test User' } });
    const { status, body } = await usersMe(emu, (await login(emu)).access_token);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      id: 1001,
      name: 'Test User',
      email: 'emma@example.test',
      company_id: 2002,
      company_name: 'Emulated Company',
      company_domain: 'emulated',
      is_you: true,
    });
  });

  it('also answers on /v1/users/me', async () => {
    const emu = await start();
    expect((await usersMe(emu, (await login(emu)).access_token, '/v1/users/me')).status).toBe(200);
  });

  it('answers an unknown token with 401', async () => {
    const emu = await start();
    const { status, body } = await usersMe(emu, 'v1u:nope');
    expect(status).toBe(401);
    expect(body).toMatchObject({ success: false, error: 'unauthorized access', errorCode: 401 });
  });

  it('answers an expired access token with 401', async () => {
    const emu = await start({ accessTokenTtl: 60 });
    const { access_token } = await login(emu);
    h.clock += 60_000;
    expect((await usersMe(emu, access_token)).status).toBe(401);
  });
});
