import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SpawnedCli, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { emulatorEnv, loggedIn, printedAuthorizeUrl, storeBytes } from '../helpers/fixtures.js';
import { httpRequest, type RawAnswer, rawRequest } from '../helpers/raw-http.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Hostile requests against the real listener of a spawned `pd-auth login` that waits for its
 * callback. Every answer must be bounded and escaped, the login must keep waiting, and only the real
 * callback may end it. Every test stands alone: the barrage shares one waiting login that none of
 * its tests ends, and each test that ends a login starts its own.
 */

interface Ctx {
  port: number;
  state: string;
}

/** 'closed': the connection ended without any answer. */
type Outcome = number | 'closed';

interface HostileCase {
  name: string;
  request?: (c: Ctx) => string;
  expect?: Outcome[];
  /** Cases that need more than one request/response check their own way. */
  custom?: (c: Ctx) => Promise<RawAnswer[]>;
}

const maxAnswerBytes = 8 * 1024;
/** Markup the cases inject; none of it (nor the real state) may come back. */
const injected = ['<script', '<img', 'onerror', 'alert(1)', 'evil.example'];

const get =
  (target: string, host: (c: Ctx) => string = (c) => `localhost:${c.port}`) =>
  (c: Ctx) =>
    httpRequest(`GET ${target} HTTP/1.1`, [['Host', host(c)]]);
/** `/callback?<query>` where `{state}` is replaced by the login's real state. */
const cb =
  (query: string, path = '/callback') =>
  (c: Ctx) =>
    get(`${path}?${query.replaceAll('{state}', c.state)}`)(c);
const withMethod =
  (method: string, body = '') =>
  (c: Ctx) =>
    httpRequest(
      `${method} /callback?code=hostile&state=${c.state} HTTP/1.1`,
      [
        ['Host', `localhost:${c.port}`],
        ...(body ? [['Content-Length', String(body.length)] as [string, string]] : []),
      ],
      body,
    );
const script = encodeURIComponent('<script>alert(1)</script>');

/** A callback request with the Host header and `n` more small header fields. */
const smallHeaders =
  (n: number): HostileCase['request'] =>
  (c) =>
    httpRequest('GET /callback?state=x HTTP/1.1', [
      ['Host', `localhost:${c.port}`],
      ...Array.from({ length: n }, (_, i): [string, string] => [`x-${i}`, '1']),
    ]);

const outcomeOf = (a: RawAnswer): Outcome | 'timeout' =>
  a.end === 'timeout' ? 'timeout' : (a.status ?? 'closed');

/**
 * A slow client: half a request line, then nothing. The listener must cut it off itself (its headers
 * timeout is 10 s); a real timeout is under test, so we give up only after three times that.
 */
async function slowClient(c: Ctx): Promise<RawAnswer[]> {
  const a = await rawRequest(c.port, 'GET /callback?state=', { timeoutMs: 30_000 });
  expect(a.end).not.toBe('timeout');
  expect([408, undefined]).toContain(a.status);
  return [a];
}

/**
 * 100 idle connections at once: at most 64 are kept (maxConnections), the rest closed unanswered.
 * Waits for the listener to close the 36 it must refuse, however long a busy machine takes: a
 * listener that keeps more closes none until its headers timeout, and then all of them (none kept).
 */
async function flood(c: Ctx): Promise<RawAnswer[]> {
  const count = 100;
  const limit = 64;
  let closedCount = 0;
  let enoughClosed: () => void = () => {};
  const refusedAll = new Promise<void>((resolve) => {
    enoughClosed = resolve;
  });
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<{ destroy(): void; closed: () => boolean; bytes: () => number; gone: Promise<void> }>(
          (resolve) => {
            const s = connect({ host: '127.0.0.1', port: c.port });
            let closed = false;
            let bytes = 0;
            const gone = new Promise<void>((r) => s.once('close', () => r()));
            s.on('close', () => {
              closed = true;
              if (++closedCount >= count - limit) enoughClosed();
            });
            s.on('data', (d: Buffer) => {
              bytes += d.length;
            });
            const handle = { destroy: () => s.destroy(), closed: () => closed, bytes: () => bytes, gone };
            s.on('error', () => resolve(handle));
            s.on('connect', () => resolve(handle));
          },
        ),
    ),
  );
  await refusedAll;
  const kept = sockets.filter((s) => !s.closed()).length;
  for (const s of sockets) s.destroy();
  await Promise.all(sockets.map((s) => s.gone));
  await listeningAgain(c);

  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThanOrEqual(limit);
  expect(sockets.filter((s) => s.bytes() > 0)).toHaveLength(0);
  return [];
}

/**
 * Once the flood's sockets are gone, the listener takes connections again as soon as it has seen
 * them close: until then it closes a new one unanswered. Probes until one is answered.
 */
async function listeningAgain(c: Ctx): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (outcomeOf(await rawRequest(c.port, get('/favicon.ico')(c))) !== 'closed') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cases: HostileCase[] = [
  // The state: only the exact, single, real value counts.
  { name: 'wrong state', request: cb('code=hostile&state=wrong'), expect: [400] },
  { name: 'missing state', request: cb('code=hostile'), expect: [400] },
  {
    name: 'repeated state, the real one second',
    request: cb('code=hostile&state=a&state={state}'),
    expect: [400],
  },
  { name: 'the real state twice', request: cb('code=hostile&state={state}&state={state}'), expect: [400] },
  { name: 'empty state', request: cb('code=hostile&state='), expect: [400] },
  {
    name: 'the right prefix of the state only',
    request: (c) => cb(`code=hostile&state=${c.state.slice(0, 16)}`)(c),
    expect: [400],
  },
  { name: 'the state plus one character', request: cb('code=hostile&state={state}A'), expect: [400] },
  { name: 'the state plus an encoded NUL', request: cb('code=hostile&state={state}%00'), expect: [400] },
  {
    name: 'a state of <script>alert(1)</script>',
    request: cb(`code=hostile&state=${script}`),
    expect: [400],
  },
  // The right state but a bad code or error: refused without ending the login.
  { name: 'right state, no code', request: cb('state={state}'), expect: [400] },
  { name: 'right state, empty code', request: cb('code=&state={state}'), expect: [400] },
  { name: 'right state, repeated code', request: cb('code=a&code=b&state={state}'), expect: [400] },
  {
    name: 'right state, both code and error',
    request: cb('code=a&error=user_denied&state={state}'),
    expect: [400],
  },
  { name: 'right state, repeated error', request: cb('error=a&error=b&state={state}'), expect: [400] },
  {
    name: 'right state, a 5,000-character code',
    request: cb(`code=${'c'.repeat(5000)}&state={state}`),
    expect: [400],
  },
  // Sizes.
  {
    name: 'a 100 KB query string',
    request: cb(`code=hostile&state=x&q=${'a'.repeat(100_000)}`),
    expect: [414, 431, 'closed'],
  },
  {
    name: 'a 17 KiB header',
    request: (c) =>
      httpRequest('GET /callback?state=x HTTP/1.1', [
        ['Host', `localhost:${c.port}`],
        ['X-Big', 'a'.repeat(17 * 1024)],
      ]),
    expect: [431],
  },
  {
    // 999 fields: under the size limit and under Node's field count (1,000 since its 2026 security
    // fix: more are 431 there, and silently dropped by older Node 20 releases).
    name: '999 small header fields (under the size and count limits)',
    request: smallHeaders(998),
    expect: [400],
  },
  {
    name: '1,001 small header fields (over the count limit of newer Node releases)',
    request: smallHeaders(1_000),
    // Refused either way: as a bad callback (Node 20 drops the fields over the count), or as 431.
    expect: [400, 431],
  },
  {
    name: '3,000 headers (over the size limit)',
    request: smallHeaders(3_000),
    expect: [431],
  },
  // Other methods on the callback path, with the real state.
  {
    name: 'POST with a form body',
    request: (c) => withMethod('POST', `code=hostile&state=${c.state}`)(c),
    expect: [405],
  },
  { name: 'PUT', request: withMethod('PUT'), expect: [405] },
  { name: 'DELETE', request: withMethod('DELETE'), expect: [405] },
  { name: 'PATCH', request: withMethod('PATCH'), expect: [405] },
  { name: 'OPTIONS', request: withMethod('OPTIONS'), expect: [405] },
  { name: 'HEAD', request: withMethod('HEAD'), expect: [405] },
  { name: 'TRACE', request: withMethod('TRACE'), expect: [405] },
  {
    name: 'CONNECT request line',
    request: (c) => httpRequest('CONNECT evil.example:443 HTTP/1.1', [['Host', `localhost:${c.port}`]]),
    expect: ['closed', 400, 405],
  },
  { name: 'an unknown method', request: withMethod('PWN'), expect: [400, 405, 501] },
  {
    name: 'OPTIONS * (asterisk-form)',
    request: (c) => httpRequest('OPTIONS * HTTP/1.1', [['Host', `localhost:${c.port}`]]),
    expect: [400, 404, 405],
  },
  // Not HTTP at all.
  {
    name: 'a non-HTTP garbage line',
    request: () => 'HELLO THERE <script>alert(1)</script>\r\n\r\n',
    expect: [400, 'closed'],
  },
  {
    name: 'TLS ClientHello bytes',
    request: () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n',
    expect: [400, 'closed'],
  },
  // Other paths and path tricks, with the real state where it could matter.
  { name: 'path /', request: get('/'), expect: [404] },
  { name: 'path /callback/', request: cb('code=hostile&state={state}', '/callback/'), expect: [404] },
  {
    name: 'path /callback/../callback',
    request: cb('code=hostile&state=wrong', '/callback/../callback'),
    expect: [400, 404],
  },
  {
    name: 'path /callback/%2e%2e/callback',
    request: cb('code=hostile&state=wrong', '/callback/%2e%2e/callback'),
    expect: [400, 404],
  },
  { name: 'path /%63allback', request: cb('code=hostile&state={state}', '/%63allback'), expect: [404] },
  { name: 'path //callback', request: cb('code=hostile&state={state}', '//callback'), expect: [400, 404] },
  { name: 'path /callback;x', request: cb('code=hostile&state={state}', '/callback;x'), expect: [404] },
  { name: 'path /CALLBACK', request: cb('code=hostile&state={state}', '/CALLBACK'), expect: [404] },
  {
    name: 'path /callback%2F..%2Fcallback',
    request: cb('code=hostile&state={state}', '/callback%2F..%2Fcallback'),
    expect: [404],
  },
  { name: 'path /callback%2fresult', request: get('/callback%2fresult'), expect: [404] },
  { name: 'path /favicon.ico', request: get('/favicon.ico'), expect: [404] },
  { name: 'path /callback/result before any login', request: get('/callback/result'), expect: [404] },
  { name: 'a NUL byte in the path', request: get('/call\x00back?state=x'), expect: [400] },
  // Who the request is for.
  {
    name: 'DNS rebinding: Host of another site, right state',
    request: (c) => get(`/callback?code=hostile&state=${c.state}`, () => `evil.example:${c.port}`)(c),
    expect: [400],
  },
  {
    name: 'Host lookalike localhost:<port>.evil.example, right state',
    request: (c) =>
      get(`/callback?code=hostile&state=${c.state}`, () => `localhost:${c.port}.evil.example`)(c),
    expect: [400],
  },
  {
    name: 'Host carrying markup',
    request: (c) => get('/callback?state=x', () => '<script>alert(1)</script>')(c),
    expect: [400],
  },
  {
    name: 'absolute-form GET http://evil.example/callback',
    request: (c) =>
      httpRequest('GET http://evil.example/callback?code=hostile&state=wrong HTTP/1.1', [
        ['Host', `localhost:${c.port}`],
      ]),
    expect: [400],
  },
  {
    name: 'HTTP/1.0 without Host, right state',
    request: (c) => `GET /callback?code=hostile&state=${c.state} HTTP/1.0\r\n\r\n`,
    expect: [400],
  },
  {
    name: 'HTTP/1.1 without Host, right state',
    request: (c) => `GET /callback?code=hostile&state=${c.state} HTTP/1.1\r\nConnection: close\r\n\r\n`,
    expect: [400],
  },
  {
    name: 'smuggling: Transfer-Encoding and Content-Length',
    request: (c) =>
      httpRequest(
        'GET /callback?state=x HTTP/1.1',
        [
          ['Host', `localhost:${c.port}`],
          ['Transfer-Encoding', 'chunked'],
          ['Content-Length', '5'],
        ],
        '0\r\n\r\n',
      ),
    expect: [400],
  },
  // Holding the listener.
  { name: 'a slow client that never finishes its headers', custom: slowClient },
  { name: '100 connections at once, left idle', custom: flood },
];

/**
 * Cases a wrong listener would answer by ending (or crashing) the login; each runs against a login
 * of its own so one failure cannot hide the others.
 */
const endingCases: HostileCase[] = [
  { name: 'an unparseable request target //[', request: get('//['), expect: [400] },
  {
    name: "absolute-form with another site's authority and the right state",
    request: (c) =>
      httpRequest(`GET http://evil.example/callback?code=hostile&state=${c.state} HTTP/1.1`, [
        ['Host', `localhost:${c.port}`],
      ]),
    expect: [400],
  },
  {
    name: 'path //evil.example/callback with the right state',
    request: cb('code=hostile&state={state}', '//evil.example/callback'),
    expect: [400, 404],
  },
  {
    name: 'two Host headers (loopback, then another site) with the right state',
    request: (c) =>
      httpRequest(`GET /callback?code=hostile&state=${c.state} HTTP/1.1`, [
        ['Host', `localhost:${c.port}`],
        ['Host', 'evil.example'],
      ]),
    expect: [400],
  },
];

/** Every answer of a case: bounded, and nothing injected (or the real state) echoed back. */
function expectHarmless(answers: RawAnswer[], c: Ctx) {
  for (const a of answers) {
    expect(a.bytes).toBeLessThan(maxAnswerBytes);
    for (const marker of [...injected, c.state]) expect(a.text).not.toContain(marker);
  }
}

async function fire(hc: HostileCase, c: Ctx): Promise<RawAnswer[]> {
  if (hc.custom) return hc.custom(c);
  const a = await rawRequest(c.port, hc.request?.(c) ?? '');
  expect(hc.expect).toContain(outcomeOf(a));
  if (hc.request?.(c).startsWith('HEAD ')) expect(a.body).toBe('');
  return [a];
}

/** The listener is still up and answering: a plain request gets its 404. */
async function expectListening(c: Ctx) {
  const probe = await rawRequest(c.port, get('/favicon.ico')(c));
  expect(outcomeOf(probe)).toBe(404);
}

/** Addresses of the sockets in LISTEN state on the port, from the kernel's own tables. */
function listenAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local = '', , st] = line.trim().split(/\s+/);
      const [hex = '', portHex = ''] = local.split(':');
      if (st !== '0A' || Number.parseInt(portHex, 16) !== port) continue;
      // Each 32-bit word is in host (little-endian) byte order.
      const bytes = (hex.match(/.{8}/g) ?? []).flatMap((w) => [...Buffer.from(w, 'hex').reverse()]);
      found.push(
        bytes.length === 4
          ? bytes.join('.')
          : new URL(
              `http://[${Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16)).join(':')}]`,
            ).hostname,
      );
    }
  }
  return found;
}

function connectError(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

interface WaitingLogin {
  run: SpawnedCli;
  ctx: Ctx;
  authorizeUrl: string;
}

/**
 * `pd-auth login` waiting for its callback. The login gives up after `timeoutSeconds`; the barrage's
 * shared login must outlast every test that uses it on a slow machine, and is stopped after them.
 */
async function startLogin(
  fx: EmulatorFixture,
  configDir: string,
  timeoutSeconds = 300,
): Promise<WaitingLogin> {
  const run = spawnCli(
    ['login', '--redirect-uri', fx.redirectUri, '--timeout', String(timeoutSeconds)],
    emulatorEnv(fx, configDir, { BROWSER: 'none' }),
  );
  await run.waitFor('Waiting for the browser');
  const authorizeUrl = printedAuthorizeUrl(run.stderr()) ?? '';
  const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
  expect(state).not.toBe('');
  return { run, ctx: { port: fx.callbackPort, state }, authorizeUrl };
}

async function stop(run: SpawnedCli | undefined) {
  if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await run?.done;
}

/** The real callback request, as the browser would send it after "Allow" (the emulator auto-approves). */
async function realCallback(login: WaitingLogin): Promise<string> {
  const consent = await fetch(login.authorizeUrl, { redirect: 'manual' });
  const redirected = new URL(consent.headers.get('location') ?? '');
  expect(redirected.searchParams.get('state')).toBe(login.ctx.state);
  return get(`${redirected.pathname}${redirected.search}`)(login.ctx);
}

afterAll(() => {
  console.log(
    `hostile callback requests: ${cases.length + endingCases.length} ` +
      `(${cases.length} against one waiting login, ${endingCases.length} each against its own)`,
  );
});

describe('the callback listener of a waiting login, under hostile requests', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  let login: WaitingLogin;

  beforeAll(async () => {
    // autoApprove: a test plays the browser by fetching the authorize URL itself.
    fx = await startTestEmulator({ autoApprove: true });
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    login = await startLogin(fx, configDir, 3_600);
  });
  afterAll(async () => {
    await stop(login?.run);
    await fx?.emulator.close();
    tmp?.remove();
  });

  it('listens on loopback addresses only', () => {
    const addresses = listenAddresses(login.ctx.port);

    expect(addresses).toContain('127.0.0.1');
    for (const a of addresses) expect(['127.0.0.1', '[::1]']).toContain(a);
  });

  it.each(cases)(
    '$name: a bounded, escaped refusal, and the login keeps waiting, having exchanged and stored nothing',
    async (hc) => {
      const answers = await fire(hc, login.ctx);

      expectHarmless(answers, login.ctx);
      await expectListening(login.ctx);
      expect(login.run.child.exitCode).toBeNull();
      expect(fx.emulator.stats.codeGrants).toBe(0);
      expect(storeBytes(configDir)).toBeUndefined();
    },
    45_000,
  );
});

describe('the real callback (one login each)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  let login: WaitingLogin | undefined;

  beforeEach(async () => {
    fx = await startTestEmulator({ autoApprove: true });
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    login = await startLogin(fx, configDir);
  });
  afterEach(async () => {
    await stop(login?.run);
    login = undefined;
    await fx.emulator.close();
    tmp.remove();
  });

  it('is used once: 303, a second one gets 409, and the login completes', async () => {
    if (!login) throw new Error('no login');
    const real = await realCallback(login);

    const first = await rawRequest(login.ctx.port, real);
    const [second, page] = await Promise.all([
      rawRequest(login.ctx.port, real),
      rawRequest(login.ctx.port, get('/callback/result')(login.ctx), { timeoutMs: 30_000 }),
    ]);
    const done = await login.run.done;

    expect(first.status).toBe(303);
    expect(first.text).toMatch(/\r\nlocation: \/callback\/result\r\n/i);
    // 409 while the listener is up; a closed listener is as good (the login has what it needs).
    expect([409, 'closed']).toContain(outcomeOf(second));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Logged in');
    expect(done.code).toBe(0);
    expect(fx.emulator.stats.codeGrants).toBe(1);
    expect(loggedIn(configDir).tokens.refreshToken).not.toBe('');
  });

  it('once the login has finished, connections are refused', async () => {
    if (!login) throw new Error('no login');
    const first = await rawRequest(login.ctx.port, await realCallback(login));
    const done = await login.run.done;
    expect([first.status, done.code]).toEqual([303, 0]);

    expect(await connectError(login.ctx.port, '127.0.0.1')).toBe('ECONNREFUSED');
    expect(await connectError(login.ctx.port, '::1')).not.toBe('connected');
  });
});

describe('hostile requests that would end a login if accepted (one login each)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  let login: WaitingLogin | undefined;

  beforeAll(async () => {
    fx = await startTestEmulator({ autoApprove: true });
  });
  afterAll(async () => {
    await fx?.emulator.close();
  });
  beforeEach(async () => {
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    login = await startLogin(fx, configDir);
  });
  afterEach(async () => {
    await stop(login?.run);
    login = undefined;
    tmp.remove();
  });

  it.each(endingCases)('$name: refused, and the login keeps waiting', async (hc) => {
    if (!login) throw new Error('no login');
    const answers = await fire(hc, login.ctx);

    expectHarmless(answers, login.ctx);
    await expectListening(login.ctx);
    expect(login.run.child.exitCode).toBeNull();
    expect(fx.emulator.stats.codeGrants).toBe(0);
    expect(storeBytes(configDir)).toBeUndefined();
  });
});
