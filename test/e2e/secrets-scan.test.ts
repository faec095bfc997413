import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastToken } from '../../src/fast-token.js';
import type { StoreData } from '../../src/store/profile.js';
import { launchChromium, recordNavigations } from '../helpers/chromium.js';
import { type CliResult, cliEnv, runCli, type SpawnedCli, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Secrets: every command of the built CLI against the emulator, and everything it shows: its stdout
 * and stderr, the argv of every process it starts (the BROWSER command, the `exec` child), and the
 * pages a browser sees. None may hold the client secret, a refresh token, an authorization code or
 * an access token (raw, URL-encoded, base64, or as Basic `id:secret`), except the access token on
 * the stdout of `pd-auth token`. Every value is collected from the store after each step, so tokens
 * issued (and rotated away) mid-scenario are searched for everywhere too.
 *
 * Each scenario runs twice: as people run it (no --verbose, no PD_AUTH_DEBUG, so `token` takes its
 * fast path) and with --verbose and PD_AUTH_DEBUG=1 (the full CLI, debug output on). A scenario is
 * built once per mode, on first use, by whichever test needs it first, and is only read after
 * that: every test stands alone, in any order. The last describe scans everything from every
 * scenario against every value any of them saw.
 */

const recorder = fileURLToPath(new URL('../fixtures/argv-recorder.mjs', import.meta.url));
const newSecret = () => randomBytes(20).toString('hex');

type Mode = 'plain' | 'verbose';
const modes: Mode[] = ['plain', 'verbose'];
const modeTitle: Record<Mode, string> = {
  plain: 'as people run them (no --verbose, no PD_AUTH_DEBUG: `token` takes its fast path)',
  verbose: 'with --verbose and PD_AUTH_DEBUG=1',
};

type Kind = 'client secret' | 'refresh token' | 'access token' | 'authorization code';

interface Output {
  label: string;
  args: string[];
  result: CliResult;
  /** What the exit code should be ('nonzero' for the failure paths). */
  expected: number | 'nonzero';
  /** Only `pd-auth token` may print the access token, and only on stdout. */
  mayPrintAccessToken?: boolean;
  /** `pd-auth emulator` prints its own fake client secret by design. */
  mayPrintClientSecret?: boolean;
  /** `pd-auth export` prints the client secret and refresh token on stdout, which is what it is for. */
  mayPrintCredentials?: boolean;
  /** Whether the fast path answers this command line (src/fast-token.ts), asked just before it ran. */
  fastPath: boolean;
}

interface ArgvRecord {
  kind: 'argv';
  argv: string[];
  tokenSha256: string | null;
}

interface PagesRecord {
  kind: 'pages';
  visited: string[];
  status: number;
  body: string;
  error?: string;
}

/** Everything one scenario in one mode showed, and every secret value it saw. */
interface Collected {
  scenario: string;
  mode: Mode;
  outputs: Output[];
  argvs: Array<{ label: string; argv: string[]; tokenSha256: string | null }>;
  pages: Array<{ label: string; html: string }>;
  urlsAfterCallback: Array<{ label: string; url: string }>;
  values: Map<string, Kind>;
  clientIds: Set<string>;
}

/** The values to search for and the client ids that go with the secrets (for Basic `id:secret`). */
type Values = Pick<Collected, 'values' | 'clientIds'>;

function collection(scenario: string, mode: Mode): Collected {
  return {
    scenario,
    mode,
    outputs: [],
    argvs: [],
    pages: [],
    urlsAfterCallback: [],
    values: new Map(),
    clientIds: new Set(),
  };
}

function remember(c: Collected, value: string | undefined, kind: Kind): void {
  if (value) c.values.set(value, kind);
}

/** Every secret of every profile in the store file (nothing when there is no readable one). */
function collectStore(c: Collected, configDir: string): void {
  const path = join(configDir, 'profiles.json');
  if (!existsSync(path)) return;
  let data: StoreData;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as StoreData;
  } catch {
    return;
  }
  for (const p of Object.values(data.profiles ?? {})) {
    c.clientIds.add(p.clientId);
    remember(c, p.clientSecret, 'client secret');
    remember(c, p.tokens?.accessToken, 'access token');
    remember(c, p.tokens?.refreshToken, 'refresh token');
  }
}

/** The values and client ids of several collections together. */
function union(all: Collected[]): Values {
  return {
    values: new Map(all.flatMap((c) => [...c.values])),
    clientIds: new Set(all.flatMap((c) => [...c.clientIds])),
  };
}

/** The ways a value can show up: as is, URL-encoded (both styles), base64, and Basic `id:secret`. */
function forms(v: Values, value: string, kind: Kind): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['raw', value],
    ['encodeURIComponent', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['base64', Buffer.from(value).toString('base64')],
  ];
  if (kind === 'client secret') {
    for (const id of v.clientIds) {
      const basic = Buffer.from(`${id}:${value}`);
      out.push(
        ['base64(id:secret)', basic.toString('base64')],
        ['base64url(id:secret)', basic.toString('base64url')],
      );
    }
  }
  // A form equal to the raw value (hex secrets) is searched for once.
  return out.filter(([, f], i) => i === 0 || f !== value);
}

/** "<where>: <kind> (<form>)" for each secret found in `text`. */
function leaksIn(
  v: Values,
  text: string,
  where: string,
  skip: (kind: Kind) => boolean = () => false,
): string[] {
  const found: string[] = [];
  for (const [value, kind] of v.values) {
    if (skip(kind)) continue;
    for (const [form, f] of forms(v, value, kind))
      if (text.includes(f)) found.push(`${where}: ${kind} (${form})`);
  }
  return found;
}

/** The random part of a value: Pipedrive-shaped tokens start with fixed or guessable text. */
function randomPart(value: string, kind: Kind): string {
  if (kind === 'refresh token') return value.split(':').at(-1) ?? value;
  if (kind === 'authorization code') return value.split('.').at(-1) ?? value;
  if (kind === 'access token' && value.startsWith('v1u:')) return value.slice(12);
  return value;
}

/**
 * "<where>: <n> characters of a <kind>" when any 8-character run of a secret shows: a message that
 * quotes part of a file or a body (an excerpt, a parser's context) gives away that much of it.
 */
function partialLeaksIn(v: Values, text: string, where: string, skip: (kind: Kind) => boolean): string[] {
  const found: string[] = [];
  for (const [value, kind] of v.values) {
    if (skip(kind)) continue;
    const part = randomPart(value, kind);
    let longest = '';
    for (let i = 0; i + 8 <= part.length; i++) {
      let n = 8;
      if (!text.includes(part.slice(i, i + n))) continue;
      while (i + n < part.length && text.includes(part.slice(i, i + n + 1))) n++;
      if (n > longest.length) longest = part.slice(i, i + n);
    }
    if (longest)
      found.push(`${where}: ${longest.length} characters of a ${kind} (${JSON.stringify(longest)})`);
  }
  return found;
}

/** Leaks (whole, or `partial` 8-character runs) in an output's stdout and stderr, minus what it may print. */
function outputLeaks(v: Values, o: Output, partial = false): string[] {
  const scan = partial ? partialLeaksIn : leaksIn;
  const secretOk = (k: Kind) => Boolean(o.mayPrintClientSecret) && k === 'client secret';
  return [
    ...scan(
      v,
      o.result.stdout,
      `${o.label} stdout`,
      (k) =>
        secretOk(k) ||
        (!!o.mayPrintAccessToken && k === 'access token') ||
        (!!o.mayPrintCredentials && (k === 'client secret' || k === 'refresh token')),
    ),
    ...scan(v, o.result.stderr, `${o.label} stderr`, secretOk),
  ];
}

function argvLeaks(v: Values, c: Collected): string[] {
  return c.argvs.flatMap((a) =>
    leaksIn(v, JSON.stringify(a.argv), `argv of a process started by ${a.label}`),
  );
}

function pageLeaks(v: Values, c: Collected): string[] {
  return c.pages.flatMap((p) => leaksIn(v, p.html, `page ${p.label}`));
}

/** Every leak in a collection: outputs, argv, pages and the URLs after the callback. */
function allLeaks(v: Values, c: Collected): string[] {
  return [
    ...c.outputs.flatMap((o) => outputLeaks(v, o)),
    ...argvLeaks(v, c),
    ...pageLeaks(v, c),
    ...c.urlsAfterCallback.flatMap((u) => leaksIn(v, u.url, `URL ${u.url}`)),
  ].map((l) => `${c.scenario} (${c.mode}): ${l}`);
}

/** Reads the recorder's log: argv lines (and the pages a BROWSER recorder saw). */
function readLog(logFile: string): Array<ArgvRecord | PagesRecord> {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ArgvRecord | PagesRecord);
}

/** Exit codes as [label, code or 'nonzero' matched] pairs, against what each run expected. */
function exitCodes(c: Collected) {
  return {
    got: c.outputs.map((o) => [o.label, o.expected === 'nonzero' ? o.result.code !== 0 : o.result.code]),
    want: c.outputs.map((o) => [o.label, o.expected === 'nonzero' ? true : o.expected]),
  };
}

/** One scenario's runner: an emulator, a config dir, and the recorder as BROWSER, in one mode. */
function scenario(c: Collected, fx: EmulatorFixture, root: string, name: string) {
  const configDir = join(root, `config-${name}`);
  const logFile = join(root, `argv-${name}.jsonl`);
  const verbose = c.mode === 'verbose';
  let logged = 0;
  const env = (extra: Record<string, string | undefined>) =>
    cliEnv({
      PD_AUTH_OAUTH_URL: fx.emulator.url,
      PD_AUTH_CONFIG_DIR: configDir,
      PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
      ...(verbose ? { PD_AUTH_DEBUG: '1' } : {}),
      BROWSER: `"${process.execPath}" "${recorder}" "${logFile}"`,
      ...extra,
    });
  /** Moves new recorder lines into the collection; waits for a BROWSER recorder to finish browsing. */
  const drain = async (label: string, waitForPages: boolean) => {
    let lines = readLog(logFile).slice(logged);
    for (
      let waited = 0;
      waitForPages && !lines.some((l) => l.kind === 'pages') && waited < 5_000;
      waited += 25
    ) {
      await new Promise((r) => setTimeout(r, 25));
      lines = readLog(logFile).slice(logged);
    }
    logged += lines.length;
    for (const l of lines) {
      if (l.kind === 'argv') c.argvs.push({ label, argv: l.argv, tokenSha256: l.tokenSha256 });
      else {
        c.pages.push({ label: `${label}: the last page the browser showed`, html: l.body });
        const at = l.visited.findIndex((u) => new URL(u).pathname === new URL(fx.redirectUri).pathname);
        if (at < 0) continue; // the browser never reached the callback: nothing after it to check
        for (const url of l.visited.slice(at + 1)) c.urlsAfterCallback.push({ label, url });
        // The callback URL holds the single-use code by protocol: the code must show up nowhere else.
        remember(
          c,
          new URL(l.visited[at] ?? 'http://x/').searchParams.get('code') ?? undefined,
          'authorization code',
        );
      }
    }
  };
  const run = async (
    args: string[],
    o: {
      expected?: number | 'nonzero';
      extraEnv?: Record<string, string | undefined>;
      input?: string;
      mayPrintAccessToken?: boolean;
      mayPrintCredentials?: boolean;
      opensBrowser?: boolean;
      label?: string;
    } = {},
  ): Promise<CliResult> => {
    const label = o.label ?? `pd-auth ${args.join(' ')}`;
    const argv = verbose ? ['--verbose', ...args] : args;
    const childEnv = env(o.extraEnv ?? {});
    const fastPath = fastToken(argv, childEnv) !== undefined;
    const result = await runCli(argv, childEnv, o.input, 20_000);
    c.outputs.push({
      label,
      args,
      result,
      expected: o.expected ?? 0,
      fastPath,
      ...(o.mayPrintAccessToken ? { mayPrintAccessToken: true } : {}),
      ...(o.mayPrintCredentials ? { mayPrintCredentials: true } : {}),
    });
    await drain(label, Boolean(o.opensBrowser));
    collectStore(c, configDir);
    remember(c, fx.emulator.app.clientSecret, 'client secret');
    return result;
  };
  return { configDir, logFile, run };
}

/** Builds each mode's result once, on first use, whichever test asks first. */
function once<T>(build: (mode: Mode) => Promise<T>): (mode: Mode) => Promise<T> {
  const built = new Map<Mode, Promise<T>>();
  return (mode) => {
    const done = built.get(mode) ?? build(mode);
    built.set(mode, done);
    return done;
  };
}

const tokenFormats = ['raw', 'env', 'header', 'json'] as const;
/** Every command of the CLI, `emulator` included: the scenarios together must run each one. */
const allCommands = [
  'api',
  'completion',
  'doctor',
  'emulator',
  'exec',
  'export',
  'login',
  'logout',
  'profiles',
  'refresh',
  'rotate-secret',
  'status',
  'storage',
  'token',
  'use',
];

/** Every command, one after the other against one emulator, as a user would run them. */
const commandsScenario = once(async (mode) => {
  const c = collection('commands', mode);
  const fx = await startTestEmulator({ clientSecret: newSecret(), refreshTokenMode: 'rotate' });
  const tmp = makeTempDir();
  try {
    c.clientIds.add(fx.emulator.app.clientId);
    remember(c, fx.emulator.app.clientSecret, 'client secret');
    const s = scenario(c, fx, tmp.path, 'main');
    const secretEnv = () => ({ PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret });
    const login = ['login', '--redirect-uri', fx.redirectUri, '--timeout', '15'];

    await s.run(login, { extraEnv: secretEnv(), opensBrowser: true });
    // Commands that change nothing run side by side, to keep the file fast.
    await Promise.all([
      ...[['status'], ['status', '--json'], ['status', '--offline'], ['status', '--all', '--json']].map((a) =>
        s.run(a),
      ),
      ...tokenFormats.map((format) => s.run(['token', '--format', format], { mayPrintAccessToken: true })),
    ]);
    // A margin longer than the token's life: refreshes first (a new rotated refresh token), then prints.
    await s.run(['token', '--min-valid', '86400', '--format', 'json'], { mayPrintAccessToken: true });
    await s.run(['refresh']);
    await Promise.all([
      s.run(['api', 'users/me']),
      s.run(['api', 'deals', '-X', 'POST', '-d', '{"title":"secrets scan"}']),
      s.run(['api', '-X', 'GET', 'deals']),
    ]);
    fx.emulator.expireAccessTokens(); // the next call gets 401, refreshes and tries again
    await s.run(['api', 'users/me'], { label: 'pd-auth api users/me (401, refresh, retry)' });
    await s.run(['exec', '--', process.execPath, recorder, s.logFile, '--no-follow', 'alpha', 'beta']);
    await setStoredExpiry(s.configDir, Date.now() - 1000);
    await s.run(['exec', '--', process.execPath, recorder, s.logFile, '--no-follow', 'after-refresh'], {
      label: 'pd-auth exec (expired token: refresh first)',
    });
    const stored = JSON.parse(readFileSync(join(s.configDir, 'profiles.json'), 'utf8')) as StoreData;
    const execTokenSha = createHash('sha256')
      .update(stored.profiles.default?.tokens?.accessToken ?? '')
      .digest('hex');
    await Promise.all([
      ...[['profiles'], ['profiles', '--json'], ['profiles', '--names']].map((a) => s.run(a)),
      ...['bash', 'zsh', 'fish'].map((shell) => s.run(['completion', shell])),
    ]);
    await s.run(['use', 'default']);
    // rotate-secret with a secret regenerated in "Developer Hub".
    fx.emulator.regenerateSecret();
    await s.run(['rotate-secret'], { extraEnv: secretEnv() });
    // One after the other: each doctor binds the callback port for a moment to see that it is free.
    await s.run(['doctor']);
    await s.run(['doctor', '--json']);
    await s.run(['storage']);
    await s.run(['doctor', '--live']);
    await s.run(['storage', 'file']);
    await s.run(['export'], { mayPrintCredentials: true });
    await s.run(['export', '--format', 'json'], { mayPrintCredentials: true });
    await s.run(['logout']);
    // Logs in again with the stored secret (no secret given), to have something to revoke.
    await s.run(login, { opensBrowser: true, label: 'pd-auth login (stored secret)' });
    await s.run(['logout', '--revoke', '--yes']);
    await Promise.all([
      s.run(['status'], { expected: 4, label: 'pd-auth status (logged out)' }),
      s.run(['token'], { expected: 4, label: 'pd-auth token (logged out)' }),
    ]);
    return { c, execTokenSha };
  } finally {
    await fx.emulator.close();
    tmp.remove();
  }
});

for (const mode of modes) {
  describe(`secrets: every command ${modeTitle[mode]} (spawned, against the emulator)`, () => {
    let c: Collected;
    let execTokenSha: string;
    beforeAll(async () => {
      ({ c, execTokenSha } = await commandsScenario(mode));
    }, 120_000);

    it('ran every command but `emulator`, each with the expected exit code', () => {
      const { got, want } = exitCodes(c);

      expect(got).toEqual(want);
      expect([...new Set(c.outputs.map((o) => o.args[0]))].sort()).toEqual(
        allCommands.filter((n) => n !== 'emulator'),
      );
    });

    if (mode === 'verbose')
      it('shows debug output from the commands that talk to the server', () => {
        const debugged = c.outputs.filter((o) => /^(login|refresh|api|rotate-secret)$/.test(o.args[0] ?? ''));

        expect(debugged.length).toBeGreaterThan(0);
        for (const o of debugged)
          expect(o.result.stderr, `${o.label} shows debug output`).toContain('[debug]');
      });
    else
      it('shows no debug output', () => {
        expect(c.outputs.filter((o) => o.result.stderr.includes('[debug]')).map((o) => o.label)).toEqual([]);
      });

    it(
      mode === 'plain'
        ? '`token` with a valid stored token took the fast path, in every format'
        : 'no run took the fast path (--verbose turns it off)',
      () => {
        const fast = c.outputs
          .filter((o) => o.fastPath)
          .map((o) => o.label)
          .sort();

        expect(fast).toEqual(
          mode === 'plain' ? tokenFormats.map((f) => `pd-auth token --format ${f}`).sort() : [],
        );
      },
    );

    it('saw the emulator issue new tokens along the way (the scan has values to look for)', () => {
      const count = (k: Kind) => [...c.values.values()].filter((v) => v === k).length;

      expect(count('client secret')).toBeGreaterThanOrEqual(2);
      expect(count('access token')).toBeGreaterThanOrEqual(5);
      expect(count('refresh token')).toBeGreaterThanOrEqual(4);
      expect(count('authorization code')).toBe(2);
    });

    it('prints no client secret, refresh token or code anywhere, and the access token only from `token`', () => {
      expect(c.outputs.flatMap((o) => outputLeaks(c, o))).toEqual([]);
    });

    it('`token` prints the access token on stdout only, in every format', () => {
      const tokenRuns = c.outputs.filter((o) => o.mayPrintAccessToken);
      const access = [...c.values].filter(([, k]) => k === 'access token').map(([v]) => v);

      expect(tokenRuns).toHaveLength(tokenFormats.length + 1);
      for (const o of tokenRuns)
        expect(
          access.some((t) => o.result.stdout.includes(t)),
          o.label,
        ).toBe(true);
    });

    it('starts the browser and the exec child with no secret or token in their argv', () => {
      expect(c.argvs.map((a) => a.label)).toEqual([
        expect.stringMatching(/^pd-auth login/),
        expect.stringMatching(/^pd-auth exec -- /),
        'pd-auth exec (expired token: refresh first)',
        'pd-auth login (stored secret)',
      ]);
      expect(argvLeaks(c, c)).toEqual([]);
    });

    it('opens an authorize URL with only response_type, client_id, redirect_uri and state', () => {
      const browserArgv = c.argvs.filter((a) => a.label.includes('login'));

      expect(browserArgv).toHaveLength(2);
      for (const a of browserArgv) {
        const url = new URL(a.argv.at(-1) ?? '');
        expect(url.pathname).toBe('/oauth/authorize');
        expect([...url.searchParams.keys()].sort()).toEqual([
          'client_id',
          'redirect_uri',
          'response_type',
          'state',
        ]);
      }
    });

    it('passes the access token to the exec child in its environment, not its argv', () => {
      const children = c.argvs.filter((a) => a.label.includes('exec'));

      expect(children).toHaveLength(2);
      expect(children.every((a) => a.tokenSha256 !== null)).toBe(true);
      expect(children[1]?.tokenSha256).toBe(execTokenSha);
    });

    it('shows a result page with no secret, and leaves no code in the URLs after the callback', () => {
      expect(c.pages).toHaveLength(2);
      for (const p of c.pages) expect(p.html).toContain('Logged in');
      expect(pageLeaks(c, c)).toEqual([]);
      expect(c.urlsAfterCallback.length).toBeGreaterThan(0);
      for (const { url } of c.urlsAfterCallback)
        expect(new URL(url).searchParams.has('code'), url).toBe(false);
    });
  });
}

/** Wrong and stale secrets, and damaged stores holding real secrets: every failure path. */
const failuresScenario = once(async (mode) => {
  const c = collection('failures', mode);
  const invalidStores: Array<{ name: string; dir: string; before: Buffer | undefined }> = [];
  const fx = await startTestEmulator({ clientSecret: newSecret() });
  const tmp = makeTempDir();
  try {
    c.clientIds.add(fx.emulator.app.clientId);
    remember(c, fx.emulator.app.clientSecret, 'client secret');
    const s = scenario(c, fx, tmp.path, 'fail');
    const login = ['login', '--redirect-uri', fx.redirectUri, '--timeout', '15'];

    // A wrong client secret at login: the consent works, the code exchange is refused.
    const wrong = newSecret();
    remember(c, wrong, 'client secret');
    await s.run([...login, '--profile', 'wrong'], {
      expected: 'nonzero',
      extraEnv: { PIPEDRIVE_CLIENT_SECRET: wrong },
      opensBrowser: true,
      label: 'pd-auth login (wrong client secret)',
    });
    await s.run([...login, '--profile', 'wrong', '--client-secret-stdin'], {
      expected: 'nonzero',
      input: `${wrong}\n`,
      opensBrowser: true,
      label: 'pd-auth login --client-secret-stdin (wrong client secret)',
    });
    // A secret regenerated in Developer Hub but not given to pd-auth yet.
    await s.run(login, {
      extraEnv: { PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret },
      opensBrowser: true,
    });
    fx.emulator.regenerateSecret();
    remember(c, fx.emulator.app.clientSecret, 'client secret');
    const stale = [
      ['refresh'],
      ['token', '--min-valid', '86400'],
      ['exec', '--min-valid', '86400', '--', process.execPath, recorder, s.logFile, '--no-follow'],
      ['logout', '--revoke', '--yes'],
    ];
    await Promise.all(
      stale.map((args) =>
        s.run(args, { expected: 'nonzero', label: `pd-auth ${args.join(' ')} (regenerated secret)` }),
      ),
    );
    // ...and a wrong one given to rotate-secret.
    await s.run(['rotate-secret'], {
      expected: 'nonzero',
      extraEnv: { PIPEDRIVE_CLIENT_SECRET: wrong },
      label: 'pd-auth rotate-secret (wrong secret)',
    });

    // Invalid stores holding real secrets: schema-invalid, not JSON (twice).
    const validDir = join(tmp.path, 'config-valid');
    await seedLogin(fx, validDir);
    collectStore(c, validDir);
    const text = readFileSync(join(validDir, 'profiles.json'), 'utf8');
    const data = JSON.parse(text) as StoreData;
    const secret = data.profiles.default?.clientSecret ?? '';
    const refresh = data.profiles.default?.tokens?.refreshToken ?? '';
    const variants: Record<string, string> = {
      'schema-invalid': text.replace(/"updatedAt": \d+/, '"updatedAt": "soon"'),
      'cut in the refresh token': text.slice(0, text.indexOf(refresh) + refresh.length),
      'single-quoted secret': text.replace(`"${secret}"`, `'${secret}'`),
    };
    const commands = [
      ['status', '--json'],
      ['token'],
      ['refresh'],
      ['api', 'users/me'],
      ['exec', '--', process.execPath, recorder, s.logFile, '--no-follow'],
      ['logout', '--revoke', '--yes'],
      ['rotate-secret'],
      ['login', '--redirect-uri', fx.redirectUri],
    ];
    const runs: Array<Promise<CliResult>> = [];
    for (const [name, content] of Object.entries(variants)) {
      const dir = join(tmp.path, `config-${name.replace(/\W+/g, '-')}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'profiles.json'), content, { mode: 0o600 });
      invalidStores.push({ name, dir, before: storeBytes(dir) });
      for (const args of commands) {
        runs.push(
          s.run(args, {
            expected: 'nonzero',
            extraEnv: {
              PD_AUTH_CONFIG_DIR: dir,
              ...(args[0] === 'rotate-secret' || args[0] === 'login'
                ? { PIPEDRIVE_CLIENT_SECRET: secret }
                : {}),
            },
            label: `pd-auth ${args[0]} (${name} store)`,
          }),
        );
      }
    }
    await Promise.all(runs);
    // The stores are checked here, before the directory goes: bytes as they were before the commands.
    const untouched = invalidStores.map((st) => ({
      name: st.name,
      same: storeBytes(st.dir)?.equals(st.before ?? Buffer.alloc(0)),
    }));
    return { c, commandCount: commands.length, untouched };
  } finally {
    await fx.emulator.close();
    tmp.remove();
  }
});

for (const mode of modes) {
  describe(`secrets: failure paths ${modeTitle[mode]} (spawned)`, () => {
    let c: Collected;
    let commandCount: number;
    let untouched: Array<{ name: string; same: boolean | undefined }>;
    beforeAll(async () => {
      ({ c, commandCount, untouched } = await failuresScenario(mode));
    }, 120_000);

    it('fails every time, with the expected exit code', () => {
      const { got, want } = exitCodes(c);

      expect(got).toEqual(want);
    });

    it('a wrong client secret at login: no secret, token or code in the output or on the pages', () => {
      const ran = c.outputs.filter((o) => o.label.includes('(wrong client secret)'));

      expect(ran).toHaveLength(2);
      expect(ran.flatMap((o) => outputLeaks(c, o))).toEqual([]);
      expect(pageLeaks(c, c)).toEqual([]);
      expect(argvLeaks(c, c)).toEqual([]);
    });

    it('a regenerated secret: refresh, token, exec and revoke fail without printing a secret', () => {
      const ran = c.outputs.filter(
        (o) => o.label.includes('(regenerated secret)') || o.label.includes('(wrong secret)'),
      );

      expect(ran).toHaveLength(5);
      for (const o of ran) expect(o.result.stderr).toMatch(/client secret/i);
      expect(ran.flatMap((o) => outputLeaks(c, o))).toEqual([]);
    });

    it('an invalid store: every command names the file, prints no secret and leaves the file alone', () => {
      const ran = c.outputs.filter((o) => o.label.endsWith(' store)'));

      expect(ran).toHaveLength(untouched.length * commandCount);
      for (const o of ran) expect(o.result.stderr, o.label).toContain('profiles.json');
      expect(ran.flatMap((o) => outputLeaks(c, o))).toEqual([]);
      expect(untouched).toEqual(untouched.map((u) => ({ name: u.name, same: true })));
    });
  });
}

/** `pd-auth emulator` spawned, and login, refresh and api against it. */
const emulatorScenario = once(async (mode) => {
  const c = collection('emulator', mode);
  const verbose = mode === 'verbose';
  const issued = new Set<string>();
  const tmp = makeTempDir();
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/callback`;
  const fakeSecret = newSecret();
  const emulatorRun = spawnCli(
    [
      ...(verbose ? ['--verbose'] : []),
      'emulator',
      '--port',
      '0',
      '--redirect-uri',
      redirectUri,
      '--client-secret',
      fakeSecret,
      '--refresh-token-mode',
      'rotate',
    ],
    cliEnv(verbose ? { PD_AUTH_DEBUG: '1' } : {}),
  );
  try {
    await emulatorRun.waitFor(/PD_AUTH_OAUTH_URL=http:\/\/127\.0\.0\.1:\d+\n/);
    const url = /PD_AUTH_OAUTH_URL=(\S+)/.exec(emulatorRun.stdout())?.[1] ?? '';
    // A stand-in fixture, so the scenario drives the spawned emulator like the in-process one.
    const fx = {
      emulator: { url, app: { clientId: 'emulator-client-id', clientSecret: fakeSecret, redirectUri } },
      redirectUri,
      callbackPort: port,
    } as unknown as EmulatorFixture;
    c.clientIds.add('emulator-client-id');
    remember(c, fakeSecret, 'client secret');
    const s = scenario(c, fx, tmp.path, 'emu');
    const stored = () => JSON.parse(readFileSync(join(s.configDir, 'profiles.json'), 'utf8')) as StoreData;
    await s.run(['login', '--redirect-uri', redirectUri, '--timeout', '15'], {
      extraEnv: { PIPEDRIVE_CLIENT_SECRET: fakeSecret },
      opensBrowser: true,
      label: 'pd-auth login (against `pd-auth emulator`)',
    });
    issued.add(stored().profiles.default?.tokens?.accessToken ?? '');
    issued.add(stored().profiles.default?.tokens?.refreshToken ?? '');
    await s.run(['refresh'], { label: 'pd-auth refresh (against `pd-auth emulator`)' });
    await s.run(['api', 'users/me'], { label: 'pd-auth api users/me (against `pd-auth emulator`)' });
    issued.add(stored().profiles.default?.tokens?.accessToken ?? '');
    issued.add(stored().profiles.default?.tokens?.refreshToken ?? '');
    emulatorRun.child.kill('SIGINT');
    const result = await emulatorRun.done;
    c.outputs.push({
      label: 'pd-auth emulator',
      args: ['emulator'],
      result,
      expected: 0,
      mayPrintClientSecret: true,
      fastPath: false,
    });
    return { c, issued: [...issued].filter(Boolean) };
  } finally {
    if (emulatorRun.child.exitCode === null && emulatorRun.child.signalCode === null) {
      emulatorRun.child.kill('SIGKILL');
      await emulatorRun.done;
    }
    tmp.remove();
  }
});

for (const mode of modes) {
  describe(`secrets: \`pd-auth emulator\` ${modeTitle[mode]} never prints a token`, () => {
    let c: Collected;
    let issued: string[];
    beforeAll(async () => {
      ({ c, issued } = await emulatorScenario(mode));
    }, 60_000);

    it('issued tokens and stopped cleanly; every command against it succeeded', () => {
      const { got, want } = exitCodes(c);

      expect(issued).toHaveLength(4);
      expect(got).toEqual(want);
    });

    it('prints none of the tokens it issued (its fake secret is printed by design)', () => {
      expect(c.outputs.flatMap((o) => outputLeaks(c, o))).toEqual([]);
      expect(argvLeaks(c, c)).toEqual([]);
      expect(pageLeaks(c, c)).toEqual([]);
    });
  });
}

/** A real consent in Chromium, for a login spawned with BROWSER=none. */
const chromiumScenario = once(async (mode) => {
  const c = collection('Chromium', mode);
  const verbose = mode === 'verbose';
  const tmp = makeTempDir();
  let browser: Browser | undefined;
  let fx: EmulatorFixture | undefined;
  let cli: SpawnedCli | undefined;
  try {
    const launched = launchChromium();
    fx = await startTestEmulator({ clientSecret: newSecret() });
    c.clientIds.add(fx.emulator.app.clientId);
    remember(c, fx.emulator.app.clientSecret, 'client secret');
    const configDir = join(tmp.path, 'config');
    cli = spawnCli(
      [...(verbose ? ['--verbose'] : []), 'login', '--redirect-uri', fx.redirectUri, '--timeout', '20'],
      cliEnv({
        PD_AUTH_OAUTH_URL: fx.emulator.url,
        PD_AUTH_CONFIG_DIR: configDir,
        PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
        PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
        ...(verbose ? { PD_AUTH_DEBUG: '1' } : {}),
        BROWSER: 'none',
      }),
    );
    browser = await launched;
    await cli.waitFor(/Open this URL to authorize the app:\s*\n\s*\S+/);
    const authorizeUrl = /Open this URL to authorize the app:\s*\n\s*(\S+)/.exec(cli.stderr())?.[1] ?? '';
    const page = await (await browser.newContext()).newPage();
    const visited = recordNavigations(page);
    await page.goto(authorizeUrl);
    const consent = await page.content();
    await page.getByRole('button', { name: 'Allow and install' }).click();
    await page.waitForURL(/\/callback\/result$/);
    const result = await page.content();
    const finalUrl = page.url();
    const login = await cli.done;
    c.outputs.push({
      label: 'pd-auth login (Chromium)',
      args: ['login'],
      result: login,
      expected: 0,
      fastPath: false,
    });
    collectStore(c, configDir);
    const redirectUri = fx.redirectUri;
    const at = visited.findIndex((u) => u.startsWith(redirectUri));
    const code = at < 0 ? null : new URL(visited[at] ?? '').searchParams.get('code');
    remember(c, code ?? undefined, 'authorization code');
    for (const url of visited.slice(at + 1)) c.urlsAfterCallback.push({ label: 'Chromium', url });
    c.pages.push(
      { label: 'Chromium: consent page', html: consent },
      { label: 'Chromium: pd-auth result page', html: result },
    );
    return { c, finalUrl, resultHtml: result, reachedCallbackWithCode: code !== null };
  } finally {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.done;
    }
    await browser?.close();
    await fx?.emulator.close();
    tmp.remove();
  }
});

for (const mode of modes) {
  describe(`secrets: the pages Chromium shows during a real consent, the login ${modeTitle[mode]}`, () => {
    let r: Awaited<ReturnType<typeof chromiumScenario>>;
    beforeAll(async () => {
      r = await chromiumScenario(mode);
    }, 60_000);

    it('logs in, through the callback with a code, to the result page', () => {
      expect(exitCodes(r.c).got).toEqual([['pd-auth login (Chromium)', 0]]);
      expect(r.resultHtml).toContain('Logged in');
      expect(r.reachedCallbackWithCode).toBe(true);
    });

    it('shows no secret, refresh or access token on the consent and result pages', () => {
      expect(r.c.pages).toHaveLength(2);
      expect(pageLeaks(r.c, r.c)).toEqual([]);
    });

    it('leaves no code= (nor any secret) in the URLs after the callback and the final one', () => {
      const after = r.c.urlsAfterCallback;

      expect(after.length).toBeGreaterThan(0);
      expect(r.finalUrl).not.toContain('code=');
      for (const { url } of after) expect(url).not.toContain('code=');
      expect(after.flatMap((u) => leaksIn(r.c, u.url, `URL ${u.url}`))).toEqual([]);
    });

    it('prints no secret in the login output', () => {
      expect(r.c.outputs.flatMap((o) => outputLeaks(r.c, o))).toEqual([]);
    });
  });
}

describe('secrets: the scan itself', () => {
  const secret = 'f3a9c1d2e4b5a6978812';
  const values: Values = {
    values: new Map([[secret, 'client secret' as Kind]]),
    clientIds: new Set(['app-id']),
  };

  it.each([
    ['raw', secret],
    ['encodeURIComponent', encodeURIComponent(`${secret}/+`)],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64(id:secret)', Buffer.from(`app-id:${secret}`).toString('base64')],
    ['base64url(id:secret)', Buffer.from(`app-id:${secret}`).toString('base64url')],
  ])('finds a secret written as %s', (form, text) => {
    const v =
      form === 'encodeURIComponent'
        ? { ...values, values: new Map([[`${secret}/+`, 'client secret' as Kind]]) }
        : values;

    expect(leaksIn(v, `before ${text} after`, 'here')).toContain(`here: client secret (${form})`);
  });

  it('finds 8 characters of a secret, and not 7', () => {
    expect(partialLeaksIn(values, `x ${secret.slice(5, 13)} y`, 'here', () => false)).toEqual([
      `here: 8 characters of a client secret (${JSON.stringify(secret.slice(5, 13))})`,
    ]);
    expect(partialLeaksIn(values, `x ${secret.slice(5, 12)} y`, 'here', () => false)).toEqual([]);
  });
});

describe('secrets: everything collected, against every value seen in this file', () => {
  let all: Collected[];
  beforeAll(async () => {
    all = [];
    // One after the other: each scenario starts its own emulator, CLI processes and browser.
    for (const mode of modes)
      for (const build of [commandsScenario, failuresScenario, emulatorScenario, chromiumScenario])
        all.push((await build(mode)).c);
  }, 600_000);

  it('runs every command in both modes, and finds no secret anywhere (outputs, argv, pages, URLs)', () => {
    const values = union(all);
    const leaks = all.flatMap((c) => allLeaks(values, c));
    const ran = (mode: Mode) =>
      [...new Set(all.filter((c) => c.mode === mode).flatMap((c) => c.outputs.map((o) => o.args[0])))].sort();
    const outputs = all.flatMap((c) => c.outputs);
    const summary = {
      commandsScanned: modes.map((m) => `${m} ${ran(m).length}`).join(', '),
      commandRuns: outputs.length,
      fastPathRuns: outputs.filter((o) => o.fastPath).length,
      outputsScanned: outputs.length * 2,
      argvRecorded: all.reduce((n, c) => n + c.argvs.length, 0),
      pagesScanned: all.reduce((n, c) => n + c.pages.length, 0),
      urlsAfterCallback: all.reduce((n, c) => n + c.urlsAfterCallback.length, 0),
      valuesSearched: values.values.size,
      leaks: leaks.length,
    };
    console.log(`secrets scan: ${JSON.stringify(summary)}`);

    expect(leaks).toEqual([]);
    expect(ran('plain')).toEqual(allCommands);
    expect(ran('verbose')).toEqual(allCommands);
  });

  it('shows not even a part (8 characters or more) of a secret in any output', () => {
    const values = union(all);

    expect(all.flatMap((c) => c.outputs.flatMap((o) => outputLeaks(values, o, true)))).toEqual([]);
  });
});
