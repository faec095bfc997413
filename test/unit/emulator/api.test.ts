import { describe, expect, it } from 'vitest';
import { type Emulator, FaultSpecError } from '../../../src/emulator/server.js';
import { emulatorHarness, installApp, postForm } from '../../helpers/emulator-harness.js';

const h = emulatorHarness({ autoApprove: true });
const start = h.start;
type Json = Record<string, unknown>;

const oauth = (emu: Emulator, path: string, params: Record<string, string>) => postForm(emu, path, params);
const login = installApp;

/** An API call; `token: null` sends no Authorization header. */
async function api(emu: Emulator, path: string, token: string | null, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(`${emu.url}${path}`, { ...init, headers });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: res.status, headers: res.headers, text, body: (json ? JSON.parse(text) : null) as Json };
}

async function ready(): Promise<{ emu: Emulator; token: string; refreshToken: string }> {
  const emu = await start();
  const tokens = await login(emu);
  return { emu, token: tokens.access_token, refreshToken: tokens.refresh_token };
}

function postJson(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

const UNAUTHORIZED = { success: false, error: 'unauthorized access', errorCode: 401 };

describe('deals API', () => {
  it('lists the seeded deals in the v1 shape with pagination', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v1/deals', token);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      data: [
        { id: 1, title: 'Emulated deal one', user_id: 1001 },
        { id: 2, title: 'Emulated deal two' },
      ],
      additional_data: { pagination: { start: 0, limit: 100, more_items_in_collection: false } },
    });
  });

  it('paginates v1 with start and limit', async () => {
    const { emu, token } = await ready();
    const { body } = await api(emu, '/api/v1/deals?start=0&limit=1', token);
    expect(body.data).toHaveLength(1);
    expect(body.additional_data).toEqual({
      pagination: { start: 0, limit: 1, more_items_in_collection: true, next_start: 1 },
    });
  });

  it('creates a deal from a JSON body with 201 and lists it afterwards', async () => {
    const { emu, token } = await ready();
    const created = await api(emu, '/api/v1/deals', token, postJson({ title: 'Big one' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, data: { id: 3, title: 'Big one', status: 'open' } });
    const { body } = await api(emu, '/api/v1/deals', token);
    expect((body.data as Json[]).map((deal) => deal.title)).toContain('Big one');
  });

  it('refuses a deal without a title with 400', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v1/deals', token, postJson({ value: 5 }));
    expect(status).toBe(400);
    expect(body).toEqual({ success: false, error: 'Title is required', errorCode: 400 });
  });

  it('gets one deal by id', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v1/deals/2', token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, data: { id: 2, title: 'Emulated deal two' } });
  });

  it('answers an unknown deal id with 404', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v1/deals/999', token);
    expect(status).toBe(404);
    expect(body).toEqual({ success: false, error: 'Deal not found', errorCode: 404 });
  });

  it('lists deals in the v2 shape', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v2/deals', token);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      data: [{ id: 1, owner_id: 1001, add_time: '2023-11-14T22:13:20Z' }, { id: 2 }],
      additional_data: { next_cursor: null },
    });
  });

  it('paginates v2 with limit and next_cursor', async () => {
    const { emu, token } = await ready();
    const first = await api(emu, '/api/v2/deals?limit=1', token);
    const cursor = (first.body.additional_data as Json).next_cursor as string;
    const second = await api(emu, `/api/v2/deals?limit=1&cursor=${cursor}`, token);
    expect(second.body).toMatchObject({ data: [{ id: 2 }], additional_data: { next_cursor: null } });
  });

  it('answers an unknown API path with 404 "Unknown method ."', async () => {
    const { emu, token } = await ready();
    const { status, body } = await api(emu, '/api/v1/nothing-here', token);
    expect(status).toBe(404);
    expect(body).toEqual({ success: false, error: 'Unknown method .', errorCode: 404 });
  });
});

describe('API authorization', () => {
  it('answers 401 in Pipedrive shape without a token', async () => {
    const emu = await start();
    const { status, body } = await api(emu, '/api/v1/deals', null);
    expect(status).toBe(401);
    expect(body).toMatchObject(UNAUTHORIZED);
  });

  it('answers 401 with an unknown token, on an unknown path too', async () => {
    const emu = await start();
    expect((await api(emu, '/api/v1/deals', 'v1u:nope')).status).toBe(401);
    expect((await api(emu, '/api/v1/nothing-here', 'v1u:nope')).status).toBe(401);
  });

  it('answers 401 once the access token is revoked, while the refresh token still works', async () => {
    const { emu, token, refreshToken } = await ready();
    const revoke = await oauth(emu, '/oauth/revoke', { token, token_type_hint: 'access_token' });
    expect(revoke.status).toBe(200);
    expect((await api(emu, '/api/v1/deals', token)).body).toMatchObject(UNAUTHORIZED);
    const refreshed = await oauth(emu, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect((await api(emu, '/api/v1/deals', refreshed.body.access_token ?? '')).status).toBe(200);
  });

  it('expireAccessTokens() makes issued access tokens 401 while refresh still works', async () => {
    const { emu, token, refreshToken } = await ready();
    emu.expireAccessTokens();
    expect((await api(emu, '/api/v1/users/me', token)).status).toBe(401);
    const refreshed = await oauth(emu, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect((await api(emu, '/api/v1/deals', refreshed.body.access_token ?? '')).status).toBe(200);
  });

  it('puts rate-limit headers on authorized responses and counts down within the window', async () => {
    const { emu, token } = await ready();
    const first = await api(emu, '/api/v1/deals', token);
    const second = await api(emu, '/api/v1/users/me', token);
    expect(first.headers.get('x-ratelimit-limit')).toBe('80');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('79');
    expect(first.headers.get('x-ratelimit-reset')).toBe('2');
    expect(second.headers.get('x-ratelimit-remaining')).toBe('78');
  });

  it('starts a new rate-limit window after two seconds', async () => {
    const { emu, token } = await ready();
    await api(emu, '/api/v1/deals', token);
    h.clock += 2500;
    const { headers } = await api(emu, '/api/v1/deals', token);
    expect(headers.get('x-ratelimit-remaining')).toBe('79');
    expect(headers.get('x-ratelimit-reset')).toBe('2');
  });
});

/** POST or DELETE /emulator/faults as a script would. */
async function faultsAdmin(emu: Emulator, method: 'POST' | 'DELETE', body?: unknown, headers = {}) {
  const init = { method, headers: { 'Content-Type': 'application/json', ...headers } };
  const res = await fetch(`${emu.url}/emulator/faults`, { ...init, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { faults?: Json[]; error?: string } };
}

describe('fault injection', () => {
  it('answers an injected 429 with the default body and headers, then serves normally', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/v1/deals', status: 429 }]);
    const limited = await api(emu, '/api/v1/deals', token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, error: 'Rate limit exceeded', errorCode: 429 });
    const names = ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
    expect(Object.fromEntries(names.map((name) => [name, limited.headers.get(name)]))).toEqual({
      'retry-after': '1',
      'x-ratelimit-limit': '80',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1',
    });
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(200);
  });

  it('lets given headers and body replace the defaults', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([
      { path: '/api/v1/deals', status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' },
    ]);
    const { headers, text } = await api(emu, '/api/v1/deals', token);
    expect(headers.get('retry-after')).toBe('7');
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toBe('slow down');
  });

  it('applies a fault posted over HTTP `times` times, then serves normally', async () => {
    const { emu, token } = await ready();
    const added = await faultsAdmin(emu, 'POST', [{ path: '/api/v1/deals', status: 503, times: 2 }]);
    expect(added.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api(emu, '/api/v1/deals', token)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('matches a path prefix ending in *, and an exact path only exactly', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([
      { path: '/api/v1/deals', status: 500 },
      { path: '/api/*', status: 502, times: 2 },
    ]);
    expect((await api(emu, '/api/v1/users/me', token)).status).toBe(502);
    expect((await api(emu, '/api/v1/deals/1', token)).status).toBe(502);
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(500);
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(200);
  });

  it('can fail the token endpoint too', async () => {
    const { emu, refreshToken } = await ready();
    emu.injectFaults([{ path: '/oauth/token', status: 503 }]);
    const params = { grant_type: 'refresh_token', refresh_token: refreshToken };
    expect((await oauth(emu, '/oauth/token', params)).status).toBe(503);
    expect((await oauth(emu, '/oauth/token', params)).status).toBe(200);
  });

  it('waits delayMs before answering', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/v1/deals', status: 500, delayMs: 200 }]);
    const started = performance.now();
    const { status } = await api(emu, '/api/v1/deals', token);
    expect(status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drops the connection without an answer, so fetch rejects', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/v1/deals', status: 500, dropConnection: true }]);
    await expect(api(emu, '/api/v1/deals', token)).rejects.toThrow(TypeError);
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(200);
  });

  it('clearFaults() drops pending faults', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/*', status: 500, times: 5 }]);
    emu.clearFaults();
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(200);
  });

  it('DELETE /emulator/faults drops pending faults', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/*', status: 500, times: 5 }]);
    expect(await faultsAdmin(emu, 'DELETE')).toEqual({ status: 200, body: { faults: [] } });
    expect((await api(emu, '/api/v1/deals', token)).status).toBe(200);
  });

  it('lists pending faults with the times left', async () => {
    const emu = await start();
    emu.injectFaults([{ path: '/api/*', status: 429, times: 3 }]);
    await fetch(`${emu.url}/api/v1/deals`);
    const { faults } = (await (await fetch(`${emu.url}/emulator/faults`)).json()) as { faults: Json[] };
    expect(faults).toMatchObject([{ path: '/api/*', status: 429, times: 2 }]);
  });

  it('never applies a fault to the /emulator/ admin endpoints', async () => {
    const emu = await start();
    emu.injectFaults([{ path: '*', status: 500, times: 10 }]);
    expect((await faultsAdmin(emu, 'DELETE')).status).toBe(200);
  });

  it('refuses an invalid fault list over HTTP with 400 and adds nothing', async () => {
    const emu = await start();
    const valid = { path: '/api/*', status: 500 };
    const { status, body } = await faultsAdmin(emu, 'POST', [valid, { path: '/api/*', status: 99 }]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/fault 1: status/);
    expect((await fetch(`${emu.url}/api/v1/deals`)).status).toBe(401);
  });

  it('throws FaultSpecError from injectFaults() for an invalid spec', async () => {
    const emu = await start();
    expect(() => emu.injectFaults([{ path: 'api', status: 500 }])).toThrow(FaultSpecError);
  });

  it('refuses cross-origin POST and DELETE on /emulator/faults', async () => {
    const emu = await start();
    const origin = { Origin: 'https://evil.example' };
    expect((await faultsAdmin(emu, 'POST', [{ path: '*', status: 500 }], origin)).status).toBe(403);
    expect((await faultsAdmin(emu, 'DELETE', undefined, origin)).status).toBe(403);
    expect((await fetch(`${emu.url}/api/v1/deals`)).status).toBe(401);
  });
});

describe('stats', () => {
  it('counts every API request in apiRequests, unauthorized and faulted ones too', async () => {
    const { emu, token } = await ready();
    emu.injectFaults([{ path: '/api/v1/deals', status: 429 }]);
    await api(emu, '/api/v1/deals', token);
    await api(emu, '/api/v1/deals', token);
    await api(emu, '/v1/users/me', null);
    await fetch(`${emu.url}/developer-hub`);
    expect(emu.stats).toMatchObject({ apiRequests: 3, faultsServed: 1, usersMe: 1, codeGrants: 1 });
  });
});
