import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Profile, StoreData } from '../../src/store/profile.js';
import { type CliResult, cliEnv, runCli } from '../helpers/cli.js';
import { permissions, seedLogin, storePath } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { emulatorSuite } from '../helpers/suite.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `pd-auth token` with a valid stored token answers without commander (src/fast-token.ts), and
 * prints exactly what the full CLI prints. PD_AUTH_DEBUG=1 turns the fast path off, so each case
 * runs the built CLI plain and with PD_AUTH_DEBUG=1 and compares; the [debug] lines aside, nothing
 * may differ. A preloaded probe (test/fixtures/commander-probe.cjs) tells whether commander loaded,
 * so a case also fails when the fast path silently stopped running.
 */

const probe = fileURLToPath(new URL('../fixtures/commander-probe.cjs', import.meta.url));
const hour = 3_600_000;

interface Run extends CliResult {
  commander: boolean;
  startedAt: number;
  endedAt: number;
}

/** stderr without the debug output: `[debug]` lines, and the stack trace lines that follow one. */
function withoutDebug(stderr: string): string {
  let inDebug = false;
  return stderr
    .split('\n')
    .filter((l) => {
      inDebug = l.startsWith('[debug]') || (inDebug && /^\s+at /.test(l));
      return !inDebug;
    })
    .join('\n');
}

/** Where the profiles' OAuth host is: a port nothing listens on (set before the tests), so a refresh fails. */
let unreachable = '';

function profile(name: string, expiresAt: number): Profile {
  const now = Date.now();
  return {
    clientId: `client-id-${name}`,
    clientSecret: `client-secret-${name}-0123456789`,
    redirectUri: 'http://localhost:8484/callback',
    oauthUrl: unreachable,
    updatedAt: now,
    tokens: {
      accessToken: `v1u:access-${name}`,
      refreshToken: `1:1:refresh-${name}`,
      tokenType: 'Bearer',
      expiresAt,
      obtainedAt: now,
      scope: ['base', 'deals:full'],
      apiDomain: `https://${name}.pipedrive.com`,
      refreshTokenUsedAt: now,
    },
  };
}

function writeStore(configDir: string, data: StoreData, mode = 0o600): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(storePath(configDir), `${JSON.stringify(data, null, 2)}\n`, { mode });
  chmodSync(storePath(configDir), mode);
}

describe('pd-auth token: the fast path and the full CLI print the same', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  let n = 0;
  beforeAll(async () => {
    unreachable = `http://127.0.0.1:${await freePort()}/unreachable`;
  });
  beforeEach(() => {
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(() => tmp.remove());

  const run = async (args: string[], extra: Record<string, string> = {}, debug = false): Promise<Run> => {
    const out = join(tmp.path, `probe-${++n}.json`);
    const startedAt = Date.now();
    const r = await runCli(
      args,
      cliEnv({
        PD_AUTH_CONFIG_DIR: configDir,
        NODE_OPTIONS: `--require ${JSON.stringify(probe)}`,
        COMMANDER_PROBE_OUT: out,
        ...(debug ? { PD_AUTH_DEBUG: '1' } : {}),
        ...extra,
      }),
    );
    const { commander } = JSON.parse(readFileSync(out, 'utf8')) as { commander: boolean };
    return { ...r, commander, startedAt, endedAt: Date.now() };
  };

  /** Both runs; `fast` says whether the plain one is to answer without commander. */
  const same = async (args: string[], fast: boolean, extra: Record<string, string> = {}) => {
    const plain = await run(args, extra);
    const full = await run(args, extra, true);
    expect(full.commander).toBe(true);
    expect(plain.commander).toBe(!fast);
    expect({ code: plain.code, stdout: plain.stdout, stderr: plain.stderr }).toEqual({
      code: full.code,
      stdout: full.stdout,
      stderr: withoutDebug(full.stderr),
    });
    return plain;
  };

  const valid = () => Date.now() + 2 * hour;

  it.each([
    ['raw', [], 'v1u:access-default\n'],
    ['--format raw', ['--format', 'raw'], 'v1u:access-default\n'],
    ['--format header', ['--format=header'], 'Authorization: Bearer v1u:access-default\n'],
    [
      '--format env',
      ['--format', 'env'],
      "export PIPEDRIVE_ACCESS_TOKEN='v1u:access-default'\nexport PIPEDRIVE_API_DOMAIN='https://default.pipedrive.com'\n",
    ],
  ])('%s', async (_, args, stdout) => {
    writeStore(configDir, { version: 3, profiles: { default: profile('default', valid()) } });

    const r = await same(['token', ...args], true);

    expect(r).toMatchObject({ code: 0, stdout, stderr: '' });
  });

  it("--format json: the same fields, and expires_in from each run's own clock", async () => {
    const expiresAt = valid();
    writeStore(configDir, { version: 3, profiles: { default: profile('default', expiresAt) } });

    const plain = await run(['token', '--format', 'json']);
    const full = await run(['token', '--format', 'json'], {}, true);

    expect([plain.commander, full.commander]).toEqual([false, true]);
    const [a, b] = [plain, full].map((r) => {
      const { expires_in, ...rest } = JSON.parse(r.stdout) as { expires_in: number };
      // Printed between the run's start and end: no other clock is compared.
      expect(expires_in).toBeLessThanOrEqual(Math.floor((expiresAt - r.startedAt) / 1000));
      expect(expires_in).toBeGreaterThanOrEqual(Math.floor((expiresAt - r.endedAt) / 1000));
      return rest;
    });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ profile: 'default', access_token: 'v1u:access-default', token_type: 'Bearer' });
  });

  it('--profile, PD_AUTH_PROFILE and the profile `pd-auth use` made active pick the same profile', async () => {
    const profiles = { a: profile('a', valid()), b: profile('b', valid()), c: profile('c', valid()) };
    writeStore(configDir, { version: 3, activeProfile: 'c', profiles });

    const flag = await same(['token', '--profile', 'a'], true, { PD_AUTH_PROFILE: 'b' });
    const env = await same(['token'], true, { PD_AUTH_PROFILE: 'b' });
    const active = await same(['token'], true);

    expect([flag.stdout, env.stdout, active.stdout]).toEqual([
      'v1u:access-a\n',
      'v1u:access-b\n',
      'v1u:access-c\n',
    ]);
  });

  it('--min-valid longer than the token has left is left to the full CLI (a refresh, which fails here)', async () => {
    writeStore(configDir, {
      version: 3,
      profiles: { default: profile('default', Date.now() + 10 * 60_000) },
    });

    const fast = await run(['token', '--min-valid', '60']);
    const refresh = await same(['token', '--min-valid', '3600'], false);

    expect(fast).toMatchObject({ code: 0, commander: false, stdout: 'v1u:access-default\n' });
    expect(refresh.code).toBe(1);
    expect(refresh.stdout).toBe('');
  });

  it.each([
    ['no store', undefined, [], {}, 4],
    ['an unknown profile', 'store', ['--profile', 'nope'], {}, 4],
    ['a bad --format', 'store', ['--format', 'xml'], {}, 2],
    ['a bad --min-valid', 'store', ['--min-valid', '0'], {}, 2],
    ['an unknown option', 'store', ['--nope'], {}, 2],
    ['an invalid PD_AUTH_PROFILE', 'store', [], { PD_AUTH_PROFILE: 'bad name' }, 2],
    ['an invalid PD_AUTH_HTTP_TIMEOUT', 'store', [], { PD_AUTH_HTTP_TIMEOUT: 'soon' }, 0],
  ])('%s is left to the full CLI', async (_, hasStore, args, extra, code) => {
    if (hasStore) writeStore(configDir, { version: 3, profiles: { default: profile('default', valid()) } });

    const r = await same(['token', ...args], false, extra);

    expect(r.code).toBe(code);
  });

  it('a store of mode 0644 is left to the full CLI, which tightens it and says so once', async () => {
    writeStore(configDir, { version: 3, profiles: { default: profile('default', valid()) } }, 0o644);

    const r = await run(['token']);

    expect(r).toMatchObject({ code: 0, commander: true, stdout: 'v1u:access-default\n' });
    expect(r.stderr).toBe(
      `warning: tightened the permissions of ${storePath(configDir)} from 0644 to 0600 (it holds credentials)\n`,
    );
    expect(permissions(storePath(configDir))).toBe(0o600);
  });

  it('a damaged store is left to the full CLI: exit 1, and the file is left as it was', async () => {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    writeFileSync(storePath(configDir), '{"version": 2, "profiles": ', { mode: 0o600 });

    const r = await same(['token'], false);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot read the pd-auth store .*: it is not valid JSON$/m);
    expect(readFileSync(storePath(configDir), 'utf8')).toBe('{"version": 2, "profiles": ');
  });
});

describe('pd-auth token after a real login', () => {
  const suite = emulatorSuite({ clientId: 'fast-token-app', clientSecret: 'fast-token-secret-0123456789' });

  it('answers from the store a login wrote, without asking the emulator', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const stats = suite.fx.emulator.stats;
    const env = cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir });

    const fast = await runCli(['token'], env);
    const full = await runCli(['token'], { ...env, PD_AUTH_DEBUG: '1' });

    expect(fast.code).toBe(0);
    expect(fast.stdout).toMatch(/^\S+\n$/);
    expect(full.stdout).toBe(fast.stdout);
    expect(suite.fx.emulator.stats).toEqual(stats);
  });
});
