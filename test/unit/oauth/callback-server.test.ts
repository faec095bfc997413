import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CallbackServer,
  PortInUseError,
  startCallbackServer,
} from '../../../src/oauth/callback-server.js';
import { renderPage } from '../../../src/ui/html.js';
import { portIsFree } from '../../helpers/fixtures.js';
import { freePort } from '../../helpers/ports.js';

const state = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';
const code = '2002.1001.2d73391055a5e0f8e1f2a3b4c5d6e7f8091a2b3c4d';

interface Answer {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  method?: string;
  host?: string;
  address?: string;
  agent?: Agent | false;
  onSocket?: (socket: Socket) => void;
}

let server: CallbackServer | undefined;
let blocker: Server | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await server?.close();
  agent?.destroy();
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  server = undefined;
  blocker = undefined;
  agent = undefined;
});

/** A short grace by default: most tests send a callback and never ask for the result page. */
async function start(
  port: number,
  opts: { resultGraceMs?: number; deferOtherHosts?: boolean } = {},
): Promise<CallbackServer> {
  server = await startCallbackServer({
    plan: { hosts: ['127.0.0.1', '::1'], port, path: '/callback' },
    state,
    render: renderPage,
    resultGraceMs: 50,
    ...opts,
  });
  return server;
}

async function canListen(host: string, port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen({ host, port }, () => probe.close(() => resolve(true)));
  });
}

/** A plain HTTP request, so the test controls the Host header, the method and the connection. */
function get(port: number, path: string, opts: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}` },
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      },
    );
    req.on('socket', (s) => opts.onSocket?.(s));
    req.on('error', reject);
    req.end();
  });
}

const callback = (query: string) => `/callback?${query}`;

/** Settles to 'pending' when the outcome has not resolved by the next macrotask. */
async function peek<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))]);
}

/** Some CI machines have no IPv6 loopback; the ::1 cases are skipped there. */
async function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '::1', port: 0 }, () => s.close(() => resolve(true)));
  });
}

describe('startCallbackServer: the callback', () => {
  it('answers a good callback with 303 to the result page', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`));

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/callback/result');
    expect(res.body).toBe('');
  });

  it('resolves the outcome with the code', async () => {
    const port = await freePort();
    const cb = await start(port);

    await get(port, callback(`code=${code}&state=${state}`));

    await expect(cb.outcome).resolves.toEqual({ kind: 'code', code });
  });

  it('sends no-store and other protective headers', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`));

    expect(res.headers).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it('shows the result page once finish() is called: 200, the title, and no code', async () => {
    const port = await freePort();
    const cb = await start(port);
    await get(port, callback(`code=${code}&state=${state}`));

    cb.finish({ ok: true, title: 'Logged in to Pipedrive', lines: ['As Emma Ulator of Emulated Company.'] });
    const page = await get(port, '/callback/result');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Logged in to Pipedrive');
    expect(page.body).toContain('As Emma Ulator of Emulated Company.');
    expect(page.body).not.toContain(code);
  });

  it('holds the result page until finish() is called', async () => {
    const port = await freePort();
    const cb = await start(port);
    await get(port, callback(`code=${code}&state=${state}`));

    const pending = get(port, '/callback/result');
    const early = await peek(pending);
    cb.finish({ ok: true, title: 'Done', lines: [] });

    expect(early).toBe('pending');
    expect((await pending).status).toBe(200);
  });

  it('shows a failed result with status 400', async () => {
    const port = await freePort();
    const cb = await start(port);
    await get(port, callback(`code=${code}&state=${state}`));

    cb.finish({ ok: false, title: 'Login failed', lines: ['See the terminal.'] });
    const page = await get(port, '/callback/result');

    expect(page.status).toBe(400);
    expect(page.body).toContain('Login failed');
  });

  it('answers 404 for the result page before any callback', async () => {
    const port = await freePort();
    await start(port);

    expect((await get(port, '/callback/result')).status).toBe(404);
  });

  it('refuses a wrong state with 400 and keeps waiting', async () => {
    const port = await freePort();
    const cb = await start(port);

    const res = await get(port, callback(`code=${code}&state=wrong`));

    expect(res.status).toBe(400);
    expect(res.body).toContain('the state does not match this login.');
    expect(res.body).toContain('pd-auth keeps waiting for the real one.');
    expect(await peek(cb.outcome)).toBe('pending');
  });

  it('still accepts the real callback after a wrong one', async () => {
    const port = await freePort();
    const cb = await start(port);
    await get(port, callback(`code=evil&state=wrong`));

    const res = await get(port, callback(`code=${code}&state=${state}`));

    expect(res.status).toBe(303);
    await expect(cb.outcome).resolves.toEqual({ kind: 'code', code });
  });

  it('refuses a missing code with 400', async () => {
    const port = await freePort();
    const cb = await start(port);

    const res = await get(port, callback(`state=${state}`));

    expect(res.status).toBe(400);
    expect(res.body).toContain('the code parameter is missing.');
    expect(await peek(cb.outcome)).toBe('pending');
  });

  it('resolves the outcome as denied for error=user_denied', async () => {
    const port = await freePort();
    const cb = await start(port);

    const res = await get(port, callback(`error=user_denied&state=${state}`));

    expect(res.status).toBe(303);
    await expect(cb.outcome).resolves.toEqual({
      kind: 'denied',
      error: 'user_denied',
      description: undefined,
    });
  });

  it('answers 409 to a second callback', async () => {
    const port = await freePort();
    const cb = await start(port);
    await get(port, callback(`code=${code}&state=${state}`));

    const second = await get(port, callback(`code=other&state=${state}`));

    expect(second.status).toBe(409);
    await expect(cb.outcome).resolves.toEqual({ kind: 'code', code });
  });
});

describe('startCallbackServer: everything else', () => {
  it('answers 404 for another path', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, `/other?code=${code}&state=${state}`);

    expect(res.status).toBe(404);
  });

  it('answers 404 for /favicon.ico', async () => {
    const port = await freePort();
    await start(port);

    expect((await get(port, '/favicon.ico')).status).toBe(404);
  });

  it('answers 405 with allow: GET to a POST', async () => {
    const port = await freePort();
    const cb = await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`), { method: 'POST' });

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(await peek(cb.outcome)).toBe('pending');
  });

  it('escapes a hostile state in the 400 page', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(
      port,
      callback(`code=${code}&state=${encodeURIComponent('<script>alert(1)</script>')}`),
    );

    expect(res.status).toBe(400);
    expect(res.body).not.toContain('<script');
  });

  it('escapes a hostile error description', async () => {
    const port = await freePort();
    await start(port);
    const hostile = encodeURIComponent('<img src=x onerror=alert(1)>');

    const res = await get(port, callback(`error=${hostile}&error_description=${hostile}&state=wrong`));

    expect(res.status).toBe(400);
    expect(res.body).not.toContain('<img');
  });

  it('forbids scripts with a content security policy', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, callback('state=wrong'));

    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it('refuses a Host header of another site with 400', async () => {
    const port = await freePort();
    const cb = await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`), { host: 'evil.example' });

    expect(res.status).toBe(400);
    expect(await peek(cb.outcome)).toBe('pending');
  });

  it('refuses a Host header of another site on the right port with 400', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`), { host: `evil.example:${port}` });

    expect(res.status).toBe(400);
  });

  it('accepts the Host header a browser sends for localhost', async () => {
    const port = await freePort();
    await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`), { host: `localhost:${port}` });

    expect(res.status).toBe(303);
  });
});

describe('startCallbackServer: listening and closing', () => {
  it('fails with PortInUseError EADDRINUSE when 127.0.0.1 is taken', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen({ host: '127.0.0.1', port }, resolve));

    const err = await start(port).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PortInUseError);
    expect(err).toMatchObject({ host: '127.0.0.1', port, code: 'EADDRINUSE' });
    expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });

  it('fails with PortInUseError for [::1] when only ::1 is taken, and frees 127.0.0.1 again', async (ctx) => {
    const port = await freePort();
    if (!(await ipv6Available())) ctx.skip();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen({ host: '::1', port }, resolve));

    const err = await start(port).catch((e: unknown) => e);
    const v4Free = await canListen('127.0.0.1', port);

    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toBe(`cannot listen on [::1]:${port} (EADDRINUSE)`);
    expect(v4Free).toBe(true);
  });

  it('close() ends idle keep-alive connections', async () => {
    const port = await freePort();
    const cb = await start(port);
    agent = new Agent({ keepAlive: true });
    let socket: Socket | undefined;
    await get(port, '/favicon.ico', { agent, onSocket: (s) => (socket ??= s) });
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));

    await cb.close();
    await closed;

    expect(socket?.destroyed).toBe(true);
  });

  it('refuses connections after close()', async () => {
    const port = await freePort();
    const cb = await start(port);

    await cb.close();
    const err = await get(port, '/callback').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('can be closed twice', async () => {
    const port = await freePort();
    const cb = await start(port);
    await cb.close();

    await expect(cb.close()).resolves.toBeUndefined();
  });

  it('answers on ::1 too when IPv6 is available', async (ctx) => {
    const port = await freePort();
    if (!(await ipv6Available())) ctx.skip();
    const cb = await start(port);

    const res = await get(port, callback(`code=${code}&state=${state}`), {
      address: '::1',
      host: `[::1]:${port}`,
    });

    expect(res.status).toBe(303);
    await expect(cb.outcome).resolves.toEqual({ kind: 'code', code });
  });
});

describe('startCallbackServer: close() and the result page', () => {
  // Longer than a test may run: a close() that waited for this instead of the page would time out.
  const forever = 60_000;
  const finished = {
    ok: true,
    title: 'Logged in to Pipedrive',
    lines: ['As Emma Ulator of Emulated Company.'],
  };

  it('lets a waiting result page reach the browser in full when close() comes right after finish()', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: forever });
    await get(port, callback(`code=${code}&state=${state}`));
    const pending = get(port, '/callback/result');
    expect(await peek(pending)).toBe('pending');

    cb.finish(finished);
    const closing = cb.close();
    const page = await pending;
    await closing;

    expect(page.status).toBe(200);
    expect(page.body).toContain('Logged in to Pipedrive');
    expect(page.body).toContain('As Emma Ulator of Emulated Company.');
    expect(page.body.trimEnd()).toMatch(/<\/html>$/i);
  });

  it('waits for a browser that asks for the result page only after close() was called', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: forever });
    await get(port, callback(`code=${code}&state=${state}`));

    cb.finish(finished);
    const closing = cb.close();
    const page = await get(port, '/callback/result');
    await closing;

    expect(page.status).toBe(200);
    expect(page.body).toContain('Logged in to Pipedrive');
    expect(await portIsFree(port)).toBe(true);
  });

  it('answers a waiting result page with "Login did not finish" (400) when close() comes without finish()', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: forever });
    await get(port, callback(`code=${code}&state=${state}`));
    const pending = get(port, '/callback/result');
    expect(await peek(pending)).toBe('pending');

    const closing = cb.close();
    const page = await pending;
    await closing;

    expect(page.status).toBe(400);
    expect(page.body).toMatch(/<title>[^<]*Login did not finish[^<]*<\/title>/);
    expect(page.body).toContain('Check the terminal for the result.');
  });

  it('keeps the page of finish() when close() is called later (close does not replace it)', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: forever });
    await get(port, callback(`code=${code}&state=${state}`));
    const pending = get(port, '/callback/result');
    expect(await peek(pending)).toBe('pending');

    cb.finish({ ok: false, title: 'Login failed', lines: ['See the terminal.'] });
    await cb.close();
    const page = await pending;

    expect(page.status).toBe(400);
    expect(page.body).toContain('Login failed');
    expect(page.body).not.toContain('Login did not finish');
  });

  it('does not wait for a result page when no callback came, and frees the port', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: forever });
    await get(port, '/favicon.ico');

    await cb.close();

    expect(await portIsFree(port)).toBe(true);
  });

  it('still closes, and frees the port, when the browser never asks for the result page', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: 50 });
    await get(port, callback(`code=${code}&state=${state}`));
    cb.finish(finished);

    await cb.close();

    expect(await portIsFree(port)).toBe(true);
    const err = await get(port, '/callback/result').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('still closes when neither finish() was called nor the result page asked for', async () => {
    const port = await freePort();
    const cb = await start(port, { resultGraceMs: 50 });
    await get(port, callback(`code=${code}&state=${state}`));

    await cb.close();

    expect(await portIsFree(port)).toBe(true);
  });
});
