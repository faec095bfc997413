import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../src/emulator/server.js';
import { authorizeUrl } from '../../helpers/emulator-harness.js';

let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  return emulator;
}

function rawSocket(emu: Emulator): Socket {
  const socket = connect(Number(new URL(emu.url).port), '127.0.0.1');
  // Being reset by close() is the expected end of these sockets, not a failure.
  socket.on('error', () => {});
  return socket;
}

/** Opens the consent page and answers it the way the browser form would. */
async function decide(emu: Emulator, decision: 'allow' | 'cancel', state?: string): Promise<URL> {
  const page = await (await fetch(authorizeUrl(emu, state === undefined ? {} : { state }))).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const res = await fetch(`${emu.url}/oauth/authorize/decision`, {
    method: 'POST',
    body: new URLSearchParams({ request_id: requestId, decision }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

describe('GET /oauth/authorize', () => {
  it('refuses a redirect_uri that is not exactly the registered one, without redirecting', async () => {
    const emu = await start();
    const res = await fetch(authorizeUrl(emu, { redirect_uri: `${emu.app.redirectUri}/` }), {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Invalid redirect URL' });
  });

  it('refuses an unknown client_id', async () => {
    const emu = await start();
    const res = await fetch(authorizeUrl(emu, { client_id: 'someone-else' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'App cannot be installed for requested company' });
  });

  it('shows a consent page with the "Allow and install" and "Cancel" buttons', async () => {
    const emu = await start();
    const res = await fetch(authorizeUrl(emu, { response_type: 'code', scope: 'ignored' }));
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/<button[^>]*value="allow">Allow and install<\/button>/);
    expect(html).toMatch(/<button[^>]*value="cancel">Cancel<\/button>/);
  });

  it('escapes a hostile state value on the consent page', async () => {
    const emu = await start();
    const html = await (await fetch(authorizeUrl(emu, { state: '"><script>alert(1)</script>' }))).text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('redirects at once with a code when autoApprove is on', async () => {
    const emu = await start({ autoApprove: true });
    const res = await fetch(authorizeUrl(emu, { state: 's1' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(res.status).toBe(302);
    expect(location.searchParams.get('code')).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(location.searchParams.get('state')).toBe('s1');
  });

  it.each([
    ['absent', {}],
    ['code', { response_type: 'code' }],
  ])("takes response_type %s (Pipedrive's SDKs send none; standard clients send code)", async (_, params) => {
    const emu = await start({ autoApprove: true });
    const res = await fetch(authorizeUrl(emu, { ...params, state: 's2' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(res.status).toBe(302);
    expect(location.searchParams.get('code')).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
  });

  it.each(['token', 'CODE', ''])(
    'refuses response_type=%j as a standard server does: a redirect with unsupported_response_type',
    async (responseType) => {
      const emu = await start({ autoApprove: true });
      const res = await fetch(authorizeUrl(emu, { response_type: responseType, state: 's3' }), {
        redirect: 'manual',
      });
      const location = new URL(res.headers.get('location') ?? '');
      expect(res.status).toBe(302);
      expect(`${location.origin}${location.pathname}`).toBe(emu.app.redirectUri);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        error: 'unsupported_response_type',
        state: 's3',
      });
      expect(emu.stats.codeGrants).toBe(0);
    },
  );

  it('can switch autoApprove on after start', async () => {
    const emu = await start();
    emu.setAutoApprove(true);
    const res = await fetch(authorizeUrl(emu), { redirect: 'manual' });
    expect(res.status).toBe(302);
  });
});

describe('POST /oauth/authorize/decision', () => {
  it('redirects Allow to the callback with a code and the state', async () => {
    const emu = await start();
    const location = await decide(emu, 'allow', 'xyz');
    expect(`${location.origin}${location.pathname}`).toBe(emu.app.redirectUri);
    expect(location.searchParams.get('code')).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('omits state from the callback when none was given', async () => {
    const emu = await start();
    const location = await decide(emu, 'allow');
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('redirects Cancel to the callback with error=user_denied and the state', async () => {
    const emu = await start();
    const location = await decide(emu, 'cancel', 'xyz');
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'user_denied', state: 'xyz' });
  });

  it('refuses a request id it did not issue', async () => {
    const emu = await start();
    const body = new URLSearchParams({ request_id: 'forged', decision: 'allow' });
    const res = await fetch(`${emu.url}/oauth/authorize/decision`, {
      method: 'POST',
      body,
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});

describe('admin (Developer Hub stand-in)', () => {
  it('shows the client id, the callback URL and the regenerate button', async () => {
    const emu = await start();
    const html = await (await fetch(`${emu.url}/developer-hub`)).text();
    expect(html).toContain(emu.app.clientId);
    expect(html).toContain(emu.app.redirectUri);
    expect(html).toMatch(/<form method="post" action="\/emulator\/regenerate-secret">/);
    expect(html).toContain('Regenerate client secret');
  });

  it('regenerates the secret and returns it as JSON', async () => {
    const emu = await start();
    const res = await fetch(`${emu.url}/emulator/regenerate-secret`, {
      method: 'POST',
      headers: { Accept: 'application/json' },
    });
    const body = (await res.json()) as { client_secret: string };
    expect(body.client_secret).toMatch(/^[0-9a-f]{40}$/);
    expect(emu.app.clientSecret).toBe(body.client_secret);
  });

  it('refuses a cross-origin regenerate request', async () => {
    const emu = await start();
    const headers = { Origin: 'https://evil.example' };
    const res = await fetch(`${emu.url}/emulator/regenerate-secret`, { method: 'POST', headers });
    expect(res.status).toBe(403);
    expect(emu.app.clientSecret).toBe('emulator-client-secret');
  });
});

describe('server', () => {
  it('answers an unknown path with 404 JSON', async () => {
    const emu = await start();
    const res = await fetch(`${emu.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false });
  });

  it('answers a wrong method on a known path with 405', async () => {
    const emu = await start();
    const res = await fetch(`${emu.url}/oauth/token`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('answers an oversized body with 413', async () => {
    const emu = await start();
    const body = `grant_type=${'x'.repeat(70 * 1024)}`;
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const res = await fetch(`${emu.url}/oauth/token`, { method: 'POST', headers, body });
    expect(res.status).toBe(413);
  });

  it('refuses to listen on a non-loopback host', async () => {
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('close() ends an idle keep-alive socket', async () => {
    const emu = await start();
    const socket = rawSocket(emu);
    socket.write('GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    await emu.close();
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
  });

  it('close() ends a socket whose request is still in flight', async () => {
    const emu = await start();
    const socket = rawSocket(emu);
    // Headers promise a body that never comes: server.close() alone would wait for it forever.
    socket.write(
      'POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=',
    );
    await vi.waitFor(() => expect(emu.stats.tokenRequests).toBe(1));
    await emu.close();
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
  });
});
