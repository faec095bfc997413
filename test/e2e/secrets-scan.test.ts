import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreData } from '../../src/store/profile.js';
import { launchChromium, recordNavigations } from '../helpers/chromium.js';
import { type CliResult, cliEnv, runCli, type SpawnedCli, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Issue 4, "Secrets": every command of the built CLI, run with PD_AUTH_DEBUG=1 and --verbose
 * against the emulator, and everything it shows: its stdout and stderr, the argv of every process it
 * starts (the BROWSER command, the `exec` child), and the pages a browser sees. None may hold the
 * client secret, a refresh token or an access token (raw, URL-encoded, or as Basic `id:secret`),
 * except the access token on the stdout of `pd-auth token`. Every value is collected from the store
 * after each step, so tokens issued (and rotated away) mid-test are searched for everywhere too.
 */

const recorder = fileURLToPath(new URL('../fixtures/argv-recorder.mjs', import.meta.url));
const newSecret = () => randomBytes(20).toString('hex');

type Kind = 'client secret' | 'refresh token' | 'access token' | 'authorization code';
type Group = 'commands' | 'failures' | 'emulator' | 'browser';

interface Output {
  group: Group;
  label: string;
  args: string[];
  result: CliResult;
  /** What the exit code should be ('nonzero' for the failure paths). */
  expected: number | 'nonzero';
  /** Only `pd-auth token` may print the access token, and only on stdout. */
  mayPrintAccessToken?: boolean;
  /** `pd-auth emulator` prints its own fake client secret by design. */
  mayPrintClientSecret?: boolean;
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

interface Page {
  group: Group;
  label: string;
  html: string;
}

/** Everything collected by the file, scanned per group and once more at the end with every value. */
const seen = new Map<string, Kind>();
const clientIds = new Set<string>();
const outputs: Output[] = [];
const argvs: Array<{ group: Group; label: string; argv: string[]; tokenSha256: string | null }> = [];
const pages: Page[] = [];
const urlsAfterCallback: Array<{ label: string; url: string }> = [];

function remember(value: string | undefined, kind: Kind): void {
  if (value) seen.set(value, kind);
}

/** Every secret of every profile in the store file (nothing when there is no readable one). */
function collect(configDir: string): void {
  const path = join(configDir, 'profiles.json');
  if (!existsSync(path)) return;
  let data: StoreData;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as StoreData;
  } catch {
    return;
  }
  for (const p of Object.values(data.profiles ?? {})) {
    clientIds.add(p.clientId);
    remember(p.clientSecret, 'client secret');
    remember(p.tokens?.accessToken, 'access token');
    remember(p.tokens?.refreshToken, 'refresh token');
  }
}

/** The ways a value can show up: as is, URL-encoded (both styles), base64, and Basic `id:secret`. */
function forms(value: string, kind: Kind): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['raw', value],
    ['encodeURIComponent', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['base64', Buffer.from(value).toString('base64')],
  ];
  if (kind === 'client secret') {
    for (const id of clientIds) {
      const basic = Buffer.from(`${id}:${value}`);
      out.push(
        ['base64(id:secret)', basic.toString('base64')],
        ['base64url(id:secret)', basic.toString('base64url')],
      );
    }
  }
  // A form equal to the raw value (hex secrets) is searched for once.
  return out.filter(([, v], i) => i === 0 || v !== value);
}

/** "<where>: <kind> (<form>)" for each secret found in `text`. */
function leaksIn(text: string, where: string, skip: (kind: Kind) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const [value, kind] of seen) {
    if (skip(kind)) continue;
    for (const [form, v] of forms(value, kind))
      if (text.includes(v)) found.push(`${where}: ${kind} (${form})`);
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
function partialLeaksIn(text: string, where: string, skip: (kind: Kind) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const [value, kind] of seen) {
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

function outputPartialLeaks(o: Output): string[] {
  const secretOk = (k: Kind) => Boolean(o.mayPrintClientSecret) && k === 'client secret';
  return [
    ...partialLeaksIn(
      o.result.stdout,
      `${o.label} stdout`,
      (k) => secretOk(k) || (!!o.mayPrintAccessToken && k === 'access token'),
    ),
    ...partialLeaksIn(o.result.stderr, `${o.label} stderr`, secretOk),
  ];
}

function outputLeaks(o: Output): string[] {
  const secretOk = (k: Kind) => Boolean(o.mayPrintClientSecret) && k === 'client secret';
  return [
    ...leaksIn(
      o.result.stdout,
      `${o.label} stdout`,
      (k) => secretOk(k) || (!!o.mayPrintAccessToken && k === 'access token'),
    ),
    ...leaksIn(o.result.stderr, `${o.label} stderr`, secretOk),
  ];
}

function argvLeaks(group?: Group): string[] {
  return argvs
    .filter((a) => !group || a.group === group)
    .flatMap((a) => leaksIn(JSON.stringify(a.argv), `argv of a process started by ${a.label}`));
}

function pageLeaks(group?: Group): string[] {
  return pages.filter((p) => !group || p.group === group).flatMap((p) => leaksIn(p.html, `page ${p.label}`));
}

/** Reads the recorder's log: argv lines (and the pages a BROWSER recorder saw). */
function readLog(logFile: string): Array<ArgvRecord | PagesRecord> {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ArgvRecord | PagesRecord);
}

/** One scenario: an emulator, a config dir, and the recorder as BROWSER; runs with --verbose and debug. */
function scenario(group: Group, fx: EmulatorFixture, root: string, name: string) {
  const configDir = join(root, `config-${name}`);
  const logFile = join(root, `argv-${name}.jsonl`);
  let logged = 0;
  const env = (extra: Record<string, string | undefined>) =>
    cliEnv({
      PD_AUTH_OAUTH_URL: fx.emulator.url,
      PD_AUTH_CONFIG_DIR: configDir,
      PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
      PD_AUTH_DEBUG: '1',
      BROWSER: `${process.execPath} ${recorder} ${logFile}`,
      ...extra,
    });
  /** Moves new recorder lines into `argvs`/`pages`; waits for a BROWSER recorder to finish browsing. */
  const drain = async (label: string, waitForPages: boolean) => {
    const deadline = Date.now() + 5_000;
    let lines = readLog(logFile).slice(logged);
    while (waitForPages && !lines.some((l) => l.kind === 'pages') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      lines = readLog(logFile).slice(logged);
    }
    logged += lines.length;
    for (const l of lines) {
      if (l.kind === 'argv') argvs.push({ group, label, argv: l.argv, tokenSha256: l.tokenSha256 });
      else {
        pages.push({ group, label: `${label}: the last page the browser showed`, html: l.body });
        const at = l.visited.findIndex((u) => new URL(u).pathname === new URL(fx.redirectUri).pathname);
        if (at < 0) continue; // the browser never reached the callback: nothing after it to check
        for (const url of l.visited.slice(at + 1)) urlsAfterCallback.push({ label, url });
        // The callback URL holds the single-use code by protocol: the code must show up nowhere else.
        remember(
          new URL(l.visited[at] ?? 'http://x/').searchParams.get('code') ?? undefined,
          'authorization code',
        );
      }
    }
    return lines;
  };
  const run = async (
    args: string[],
    o: {
      expected?: number | 'nonzero';
      extraEnv?: Record<string, string | undefined>;
      input?: string;
      mayPrintAccessToken?: boolean;
      opensBrowser?: boolean;
      label?: string;
    } = {},
  ): Promise<CliResult> => {
    const label = o.label ?? `pd-auth ${args.join(' ')}`;
    const result = await runCli(['--verbose', ...args], env(o.extraEnv ?? {}), o.input, 20_000);
    outputs.push({
      group,
      label,
      args,
      result,
      expected: o.expected ?? 0,
      ...(o.mayPrintAccessToken ? { mayPrintAccessToken: true } : {}),
    });
    await drain(label, Boolean(o.opensBrowser));
    collect(configDir);
    remember(fx.emulator.app.clientSecret, 'client secret');
    return result;
  };
  return { configDir, logFile, run, env };
}

const tokenFormats = ['raw', 'env', 'header', 'json'] as const;

describe('secrets: every command with PD_AUTH_DEBUG=1 and --verbose (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let execTokenSha: string | null = null;

  beforeAll(async () => {
    fx = await startTestEmulator({ clientSecret: newSecret(), refreshTokenMode: 'rotate' });
    tmp = makeTempDir();
    clientIds.add(fx.emulator.app.clientId);
    remember(fx.emulator.app.clientSecret, 'client secret');
    const s = scenario('commands', fx, tmp.path, 'main');
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
    const { createHash } = await import('node:crypto');
    execTokenSha = createHash('sha256')
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
    await s.run(['logout']);
    // Logs in again with the stored secret (no secret given), to have something to revoke.
    await s.run(login, { opensBrowser: true, label: 'pd-auth login (stored secret)' });
    await s.run(['logout', '--revoke', '--yes']);
    await Promise.all([
      s.run(['status'], { expected: 4, label: 'pd-auth status (logged out)' }),
      s.run(['token'], { expected: 4, label: 'pd-auth token (logged out)' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await fx?.emulator.close();
    tmp?.remove();
  });

  it('ran every command with the expected exit code', () => {
    const ran = outputs.filter((o) => o.group === 'commands');
    const codes = ran.map((o) => [o.label, o.expected === 'nonzero' ? o.result.code !== 0 : o.result.code]);

    expect(codes).toEqual(ran.map((o) => [o.label, o.expected === 'nonzero' ? true : o.expected]));
    const debugged = ran.filter((o) => /^(login|refresh|api|rotate-secret)$/.test(o.args[0] ?? ''));
    for (const o of debugged) expect(o.result.stderr, `${o.label} shows debug output`).toContain('[debug]');
    const names = new Set(ran.map((o) => o.args[0]));
    expect([...names].sort()).toEqual(
      [
        'api',
        'completion',
        'exec',
        'login',
        'logout',
        'profiles',
        'refresh',
        'rotate-secret',
        'status',
        'token',
        'use',
      ].sort(),
    );
  });

  it('saw the emulator issue new tokens along the way (the scan has values to look for)', () => {
    const count = (k: Kind) => [...seen.values()].filter((v) => v === k).length;

    expect(count('client secret')).toBeGreaterThanOrEqual(2);
    expect(count('access token')).toBeGreaterThanOrEqual(5);
    expect(count('refresh token')).toBeGreaterThanOrEqual(4);
  });

  it('prints no client secret, refresh token or code anywhere, and the access token only from `token`', () => {
    const leaks = outputs.filter((o) => o.group === 'commands').flatMap(outputLeaks);

    expect(leaks).toEqual([]);
  });

  it('`token` prints the access token on stdout only, in every format', () => {
    const tokenRuns = outputs.filter((o) => o.group === 'commands' && o.mayPrintAccessToken);
    const access = [...seen].filter(([, k]) => k === 'access token').map(([v]) => v);

    expect(tokenRuns).toHaveLength(tokenFormats.length + 1);
    for (const o of tokenRuns)
      expect(
        access.some((t) => o.result.stdout.includes(t)),
        o.label,
      ).toBe(true);
  });

  it('starts the browser and the exec child with no secret or token in their argv', () => {
    const recorded = argvs.filter((a) => a.group === 'commands');

    expect(recorded.map((a) => a.label)).toEqual([
      expect.stringMatching(/^pd-auth login/),
      expect.stringMatching(/^pd-auth exec -- /),
      'pd-auth exec (expired token: refresh first)',
      'pd-auth login (stored secret)',
    ]);
    expect(argvLeaks('commands')).toEqual([]);
  });

  it('opens an authorize URL with only response_type, client_id, redirect_uri and state', () => {
    const browserArgv = argvs.filter((a) => a.group === 'commands' && a.label.includes('login'));

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
    const children = argvs.filter((a) => a.group === 'commands' && a.label.includes('exec'));

    expect(children).toHaveLength(2);
    expect(children.every((c) => c.tokenSha256 !== null)).toBe(true);
    expect(children[1]?.tokenSha256).toBe(execTokenSha);
  });

  it('shows a result page with no secret, and leaves no code in the URLs after the callback', () => {
    const results = pages.filter((p) => p.group === 'commands');

    expect(results).toHaveLength(2);
    for (const p of results) expect(p.html).toContain('Logged in');
    expect(pageLeaks('commands')).toEqual([]);
    for (const { url } of urlsAfterCallback) expect(new URL(url).searchParams.has('code'), url).toBe(false);
  });
});

describe('secrets: failure paths (spawned, --verbose)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const invalidStores: Array<{ name: string; dir: string; before: Buffer | undefined }> = [];

  beforeAll(async () => {
    fx = await startTestEmulator({ clientSecret: newSecret() });
    tmp = makeTempDir();
    clientIds.add(fx.emulator.app.clientId);
    remember(fx.emulator.app.clientSecret, 'client secret');
    const s = scenario('failures', fx, tmp.path, 'fail');
    const login = ['login', '--redirect-uri', fx.redirectUri, '--timeout', '15'];

    // A wrong client secret at login: the consent works, the code exchange is refused.
    const wrong = newSecret();
    remember(wrong, 'client secret');
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
    remember(fx.emulator.app.clientSecret, 'client secret');
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

    // Invalid stores holding real secrets: schema-invalid, not JSON (twice), from a newer pd-auth.
    const validDir = join(tmp.path, 'config-valid');
    await seedLogin(fx, validDir);
    collect(validDir);
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
  }, 60_000);

  afterAll(async () => {
    await fx?.emulator.close();
    tmp?.remove();
  });

  it('fails every time, with the expected exit code', () => {
    const ran = outputs.filter((o) => o.group === 'failures');
    const codes = ran.map((o) => [o.label, o.expected === 'nonzero' ? o.result.code !== 0 : o.result.code]);

    expect(codes).toEqual(ran.map((o) => [o.label, o.expected === 'nonzero' ? true : o.expected]));
  });

  it('a wrong client secret at login: no secret, token or code in the output or on the pages', () => {
    const ran = outputs.filter((o) => o.group === 'failures' && o.label.includes('login'));

    expect(ran.flatMap(outputLeaks)).toEqual([]);
    expect(pageLeaks('failures')).toEqual([]);
    expect(argvLeaks('failures')).toEqual([]);
  });

  it('a regenerated secret: refresh, token, exec and revoke fail without printing a secret', () => {
    const ran = outputs.filter(
      (o) => o.label.includes('(regenerated secret)') || o.label.includes('(wrong secret)'),
    );

    expect(ran).toHaveLength(5);
    for (const o of ran) expect(o.result.stderr).toMatch(/client secret/i);
    expect(ran.flatMap(outputLeaks)).toEqual([]);
  });

  it('an invalid store: every command names the file, prints no secret and leaves the file alone', () => {
    const ran = outputs.filter((o) => o.label.endsWith(' store)'));

    expect(ran).toHaveLength(invalidStores.length * 8);
    for (const o of ran) expect(o.result.stderr, o.label).toContain('profiles.json');
    expect(ran.flatMap(outputLeaks)).toEqual([]);
    for (const s of invalidStores) expect(storeBytes(s.dir), s.name).toEqual(s.before);
  });
});

describe('secrets: `pd-auth emulator` never prints a token', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulatorRun: SpawnedCli | undefined;
  let emulatorResult: CliResult;
  const issued = new Set<string>();

  beforeAll(async () => {
    tmp = makeTempDir();
    const port = await freePort();
    const redirectUri = `http://localhost:${port}/callback`;
    const fakeSecret = newSecret();
    emulatorRun = spawnCli(
      [
        '--verbose',
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
      cliEnv({ PD_AUTH_DEBUG: '1' }),
    );
    await emulatorRun.waitFor(/PD_AUTH_OAUTH_URL=http:\/\/127\.0\.0\.1:\d+\n/);
    const url = /PD_AUTH_OAUTH_URL=(\S+)/.exec(emulatorRun.stdout())?.[1] ?? '';
    // A stand-in fixture, so the scenario drives the spawned emulator like the in-process one.
    const fx = {
      emulator: { url, app: { clientId: 'emulator-client-id', clientSecret: fakeSecret, redirectUri } },
      redirectUri,
      callbackPort: port,
    } as unknown as EmulatorFixture;
    clientIds.add('emulator-client-id');
    remember(fakeSecret, 'client secret');
    const s = scenario('emulator', fx, tmp.path, 'emu');
    await s.run(['login', '--redirect-uri', redirectUri, '--timeout', '15'], {
      extraEnv: { PIPEDRIVE_CLIENT_SECRET: fakeSecret },
      opensBrowser: true,
      label: 'pd-auth login (against `pd-auth emulator`)',
    });
    const before = JSON.parse(readFileSync(join(s.configDir, 'profiles.json'), 'utf8')) as StoreData;
    issued.add(before.profiles.default?.tokens?.accessToken ?? '');
    issued.add(before.profiles.default?.tokens?.refreshToken ?? '');
    await s.run(['refresh'], { label: 'pd-auth refresh (against `pd-auth emulator`)' });
    await s.run(['api', 'users/me'], { label: 'pd-auth api users/me (against `pd-auth emulator`)' });
    const after = JSON.parse(readFileSync(join(s.configDir, 'profiles.json'), 'utf8')) as StoreData;
    issued.add(after.profiles.default?.tokens?.accessToken ?? '');
    issued.add(after.profiles.default?.tokens?.refreshToken ?? '');
    emulatorRun.child.kill('SIGINT');
    emulatorResult = await emulatorRun.done;
    outputs.push({
      group: 'emulator',
      label: 'pd-auth emulator',
      args: ['emulator'],
      result: emulatorResult,
      expected: 0,
      mayPrintClientSecret: true,
    });
  }, 40_000);

  afterAll(async () => {
    if (emulatorRun && emulatorRun.child.exitCode === null && emulatorRun.child.signalCode === null) {
      emulatorRun.child.kill('SIGKILL');
      await emulatorRun.done;
    }
    tmp?.remove();
  });

  it('issued tokens and stopped cleanly', () => {
    expect([...issued].filter(Boolean)).toHaveLength(4);
    expect(emulatorResult.code).toBe(0);
    expect(outputs.filter((o) => o.group === 'emulator').map((o) => [o.label, o.result.code])).toEqual(
      outputs.filter((o) => o.group === 'emulator').map((o) => [o.label, 0]),
    );
  });

  it('prints none of the tokens it issued (its fake secret is printed by design)', () => {
    const ran = outputs.filter((o) => o.group === 'emulator');

    expect(ran.flatMap(outputLeaks)).toEqual([]);
    expect(argvLeaks('emulator')).toEqual([]);
    expect(pageLeaks('emulator')).toEqual([]);
  });
});

describe('secrets: the pages Chromium shows during a real consent', () => {
  let browser: Browser;
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let cli: SpawnedCli | undefined;
  let finalUrl = '';
  let visited: string[] = [];
  let html: { consent: string; result: string };

  beforeAll(async () => {
    const launched = launchChromium();
    fx = await startTestEmulator({ clientSecret: newSecret() });
    tmp = makeTempDir();
    clientIds.add(fx.emulator.app.clientId);
    remember(fx.emulator.app.clientSecret, 'client secret');
    const configDir = join(tmp.path, 'config');
    const args = ['--verbose', 'login', '--redirect-uri', fx.redirectUri, '--timeout', '20'];
    cli = spawnCli(
      args,
      cliEnv({
        PD_AUTH_OAUTH_URL: fx.emulator.url,
        PD_AUTH_CONFIG_DIR: configDir,
        PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
        PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
        PD_AUTH_DEBUG: '1',
        BROWSER: 'none',
      }),
    );
    await cli.waitFor(/Open this URL to authorize the app:\s*\n\s*\S+/);
    const authorizeUrl = /Open this URL to authorize the app:\s*\n\s*(\S+)/.exec(cli.stderr())?.[1] ?? '';
    browser = await launched;
    const page = await (await browser.newContext()).newPage();
    visited = recordNavigations(page);
    await page.goto(authorizeUrl);
    const consent = await page.content();
    await page.getByRole('button', { name: 'Allow and install' }).click();
    await page.waitForURL(/\/callback\/result$/);
    const result = await page.content();
    finalUrl = page.url();
    html = { consent, result };
    const r = await cli.done;
    outputs.push({
      group: 'browser',
      label: 'pd-auth login (Chromium)',
      args: ['login'],
      result: r,
      expected: 0,
    });
    collect(configDir);
    const at = visited.findIndex((u) => u.startsWith(fx.redirectUri));
    remember(new URL(visited[at] ?? 'http://x/').searchParams.get('code') ?? undefined, 'authorization code');
    for (const url of visited.slice(at + 1)) urlsAfterCallback.push({ label: 'Chromium', url });
    pages.push(
      { group: 'browser', label: 'Chromium: consent page', html: consent },
      { group: 'browser', label: 'Chromium: pd-auth result page', html: result },
    );
  }, 40_000);

  afterAll(async () => {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.done;
    }
    await browser?.close();
    await fx?.emulator.close();
    tmp?.remove();
  });

  it('logs in, through the callback with a code, to the result page', () => {
    expect(outputs.find((o) => o.group === 'browser')?.result.code).toBe(0);
    expect(html.result).toContain('Logged in');
    expect(visited.some((u) => u.startsWith(fx.redirectUri) && new URL(u).searchParams.has('code'))).toBe(
      true,
    );
  });

  it('shows no secret, refresh or access token on the consent and result pages', () => {
    expect(pageLeaks('browser')).toEqual([]);
  });

  it('leaves no code= (nor any secret) in the URLs after the callback and the final one', () => {
    const after = urlsAfterCallback.filter((u) => u.label === 'Chromium');

    expect(after.length).toBeGreaterThan(0);
    expect(finalUrl).not.toContain('code=');
    for (const { url } of after) expect(url).not.toContain('code=');
    expect(after.flatMap((u) => leaksIn(u.url, `URL ${u.url}`))).toEqual([]);
  });

  it('prints no secret in the login output', () => {
    expect(outputs.filter((o) => o.group === 'browser').flatMap(outputLeaks)).toEqual([]);
  });
});

describe('secrets: everything collected, against every value seen in this file', () => {
  it('finds none anywhere (outputs, argv, pages)', () => {
    const leaks = [...outputs.flatMap(outputLeaks), ...argvLeaks(), ...pageLeaks()];
    const commands = new Set(outputs.map((o) => o.args[0]));
    const summary = {
      commandsScanned: commands.size,
      commandRuns: outputs.length,
      outputsScanned: outputs.length * 2,
      argvRecorded: argvs.length,
      pagesScanned: pages.length,
      urlsAfterCallback: urlsAfterCallback.length,
      valuesSearched: seen.size,
      leaks: leaks.length,
    };
    console.log(`secrets scan: ${JSON.stringify(summary)}`);

    expect(leaks).toEqual([]);
    expect(commands.size).toBe(12);
  });

  it('shows not even a part (8 characters or more) of a secret in any output', () => {
    expect(outputs.flatMap(outputPartialLeaks)).toEqual([]);
  });
});
