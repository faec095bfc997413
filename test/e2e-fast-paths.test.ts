import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile, StoreData } from '../src/store/profile.js';
import { permissions, seedLogin, setStoredExpiry, storePath } from './commands/fixtures.js';
import { type CliResult, cliEnv, repoRoot, runCli } from './helpers/cli.js';
import { type PtyCli, spawnCliPty } from './helpers/pty.js';
import { emulatorSuite } from './helpers/suite.js';
import { makeTempDir } from './helpers/temp-dir.js';

/**
 * The fast paths (src/fast/*.ts: `status --offline`, the root help, the version) print exactly what
 * the full CLI prints. PD_AUTH_DEBUG=1 turns them off, so each case runs the built CLI twice, plain
 * and with PD_AUTH_DEBUG=1, and compares; the [debug] lines aside, nothing may differ. A preloaded
 * probe (test/fixtures/bundle-probe.cjs) tells which bundles each run loaded, so a case also fails
 * when the fast path silently stopped running (both runs would then be the full CLI).
 */

const probe = fileURLToPath(new URL('./fixtures/bundle-probe.cjs', import.meta.url));
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

interface Run extends CliResult {
  /** The bundles the process loaded through the code cache: none on a fast path; full.cjs (and vendor ones) otherwise. */
  bundles: string[];
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

const day = 86_400_000;
const hour = 3_600_000;
const now = Date.now();

/**
 * A stored profile. The times are whole days plus half a day away from now, so the relative times
 * printed ("in 3d", "2d ago") are the same in both runs.
 */
function profile(
  name: string,
  tokens: 'valid' | 'expired' | 'lapsed' | 'none' = 'valid',
  extra: Partial<Profile> = {},
): Profile {
  const usedAt = tokens === 'lapsed' ? now - 65 * day - 12 * hour : now - 10 * day - 12 * hour;
  const base: Profile = {
    clientId: `client-id-${name}`,
    clientSecret: `client-secret-${name}-0123456789`,
    redirectUri: 'http://localhost:8484/callback',
    oauthUrl: 'https://oauth.pipedrive.com',
    user: { id: 1001, name: `User ${name}`, email: `${name}@example.test` },
    company: { id: 2002, name: `Company ${name}`, domain: name },
    updatedAt: now - day,
    ...extra,
  };
  if (tokens === 'none') return base;
  return {
    ...base,
    tokens: {
      accessToken: `v1u:access-${name}`,
      refreshToken: `1:1:refresh-${name}`,
      tokenType: 'Bearer',
      expiresAt: tokens === 'expired' ? now - 2 * day - 12 * hour : now + 3 * day + 12 * hour,
      obtainedAt: usedAt,
      scope: ['base', 'deals:full'],
      apiDomain: `https://${name}.pipedrive.com`,
      refreshTokenUsedAt: usedAt,
    },
  };
}

function writeStore(configDir: string, data: StoreData, mode = 0o600): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(storePath(configDir), `${JSON.stringify(data, null, 2)}\n`, { mode });
  chmodSync(storePath(configDir), mode);
}

const store = (profiles: Record<string, Profile>, activeProfile?: string): StoreData => ({
  version: 2,
  ...(activeProfile ? { activeProfile } : {}),
  profiles,
});

/** Runs of the built CLI in one temp dir, each with the bundle probe. */
function runner(dir: () => string, configDir: () => string) {
  let n = 0;
  const run = async (args: string[], extra: Record<string, string> = {}, debug = false): Promise<Run> => {
    const out = join(dir(), `bundles-${++n}.json`);
    const r = await runCli(
      args,
      cliEnv({
        PD_AUTH_CONFIG_DIR: configDir(),
        NODE_OPTIONS: `--require ${JSON.stringify(probe)}`,
        BUNDLE_PROBE_OUT: out,
        ...(debug ? { PD_AUTH_DEBUG: '1' } : {}),
        ...extra,
      }),
    );
    return { ...r, bundles: JSON.parse(readFileSync(out, 'utf8')) as string[] };
  };
  /**
   * Runs `args` plain and with PD_AUTH_DEBUG=1 and expects the same exit code, stdout and stderr
   * (without [debug] lines). `fast` says whether the plain run is to take the fast path (load no
   * other bundle) or to leave the case to the full CLI.
   */
  const same = async (args: string[], extra: Record<string, string>, fast: boolean) => {
    const plain = await run(args, extra);
    const full = await run(args, extra, true);
    expect(full.bundles).toContain('full.cjs');
    if (fast) expect(plain.bundles).toEqual([]);
    else expect(plain.bundles).toContain('full.cjs');
    expect({ code: plain.code, stdout: plain.stdout, stderr: plain.stderr }).toEqual({
      code: full.code,
      stdout: full.stdout,
      stderr: withoutDebug(full.stderr),
    });
    return plain;
  };
  return { run, same };
}

describe('pd-auth status --offline: the fast path and the full CLI print the same', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  beforeEach(() => {
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(() => tmp.remove());
  const { run, same } = runner(
    () => tmp.path,
    () => configDir,
  );

  it('with no store: exit 4, not logged in', async () => {
    const r = await same(['status', '--offline'], {}, true);

    expect(r.code).toBe(4);
    expect(r.stdout.split('\n')[0]).toBe('default (active): not logged in');
  });

  it('with no store, --json', async () => {
    const r = await same(['status', '--offline', '--json'], {}, true);

    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ profiles: [{ name: 'default', state: 'not_logged_in' }] });
  });

  it('with a logged-in profile: exit 0, and no token or secret', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline'], {}, true);

    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('default (active): logged in');
    expect(r.stdout).toMatch(/^ {2}Access token expires:\s+\S+ \S+ UTC \(in 3d\)$/m);
    expect(r.stdout + r.stderr).not.toMatch(/access-default|refresh-default|client-secret-default/);
  });

  it('with a logged-in profile, --json', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline', '--json'], {}, true);

    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      schema: 1,
      store: storePath(configDir),
      profiles: [{ name: 'default', active: true, state: 'valid', checked: 'offline' }],
    });
  });

  it('with an expired access token: exit 0, expired', async () => {
    writeStore(configDir, store({ default: profile('default', 'expired') }));

    const r = await same(['status', '--offline'], {}, true);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the access token has expired');
  });

  it('with a lapsed refresh token: exit 4, login needed', async () => {
    writeStore(configDir, store({ default: profile('default', 'lapsed') }));

    const r = await same(['status', '--offline', '--json'], {}, true);

    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ profiles: [{ state: 'login_needed' }] });
  });

  it('with a logged-out profile: exit 4, not logged in', async () => {
    writeStore(configDir, store({ default: profile('default', 'none') }));

    const r = await same(['status', '--offline'], {}, true);

    expect(r.code).toBe(4);
    expect(r.stdout).toContain('error: profile "default" is not logged in');
  });

  it('--all with several profiles in several states, the active one set by `pd-auth use`', async () => {
    writeStore(
      configDir,
      store(
        {
          sandbox: profile('sandbox'),
          default: profile('default', 'expired'),
          lapsed: profile('lapsed', 'lapsed'),
          out: profile('out', 'none'),
        },
        'sandbox',
      ),
    );

    const r = await same(['status', '--offline', '--all'], {}, true);

    expect(r.code).toBe(4);
    expect(r.stdout.split('\n').filter((l) => /^\S/.test(l))).toEqual([
      'default: logged in; the access token has expired and will be refreshed on next use',
      'lapsed: login needed',
      'out: not logged in',
      'sandbox (active): logged in',
    ]);
  });

  it('--all --json with several profiles', async () => {
    writeStore(configDir, store({ a: profile('a'), b: profile('b', 'expired') }));

    const r = await same(['status', '--all', '--json', '--offline'], {}, true);

    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { profiles: Array<{ name: string; state: string }> };
    expect(json.profiles.map((p) => [p.name, p.state])).toEqual([
      ['a', 'valid'],
      ['b', 'expired'],
    ]);
  });

  it('--all with an empty store: exit 4 and a hint on stderr', async () => {
    writeStore(configDir, store({}));

    const r = await same(['status', '--offline', '--all'], {}, true);

    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No profiles yet: run `pd-auth login`.\n');
  });

  it.each([
    ['--profile x', ['status', '--offline', '--profile', 'x'], {}],
    ['--profile=x', ['status', '--profile=x', '--offline'], {}],
    ['PD_AUTH_PROFILE=x', ['status', '--offline'], { PD_AUTH_PROFILE: 'x' }],
  ])('%s picks that profile', async (_, args, extra: Record<string, string>) => {
    writeStore(configDir, store({ default: profile('default'), x: profile('x', 'expired') }));

    const r = await same(args, extra, true);

    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^x( \(active\))?: logged in; the access token has expired/);
  });

  it('--profile of a profile that does not exist: exit 4', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline', '--profile', 'nope'], {}, true);

    expect(r.code).toBe(4);
    expect(r.stdout).toContain('error: there is no profile "nope"');
  });

  it('an invalid PD_AUTH_PROFILE is left to the full CLI, which reports the usage error (exit 2)', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline'], { PD_AUTH_PROFILE: 'bad name' }, false);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PD_AUTH_PROFILE="bad name" is not a valid profile name');
  });

  it('an invalid --profile is left to the full CLI (exit 2)', async () => {
    const r = await same(['status', '--offline', '--profile', 'bad name'], {}, false);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use letters, digits');
  });

  it('--all with --profile is left to the full CLI, which reports the usage error (exit 2)', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline', '--all', '--profile', 'x'], {}, false);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use either --profile or --all');
  });

  it('a store of mode 0644: one warning in both, and the file is 0600 afterwards', async () => {
    writeStore(configDir, store({ default: profile('default') }), 0o644);
    const warning = `warning: tightened the permissions of ${storePath(configDir)} from 0644 to 0600 (it holds credentials)\n`;
    const count = (s: string) => s.split(warning).length - 1;

    const plain = await run(['status', '--offline']);
    const plainMode = permissions(storePath(configDir));
    chmodSync(storePath(configDir), 0o644);
    const full = await run(['status', '--offline'], {}, true);

    expect(plain.bundles).toEqual([]);
    expect(full.bundles).toContain('full.cjs');
    expect([count(plain.stderr), count(full.stderr)]).toEqual([1, 1]);
    expect({ code: plain.code, stdout: plain.stdout, stderr: plain.stderr }).toEqual({
      code: full.code,
      stdout: full.stdout,
      stderr: withoutDebug(full.stderr),
    });
    expect(plain.code).toBe(0);
    expect(plainMode).toBe(0o600);
    expect(permissions(storePath(configDir))).toBe(0o600);
  });

  it('a damaged store (not JSON) is left to the full CLI: exit 1, the same message', async () => {
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(storePath(configDir), '{"version": 2, "profiles": {', { mode: 0o600 });

    const r = await same(['status', '--offline'], {}, false);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the pd-auth store ${storePath(configDir)}: it is not valid JSON`);
    expect(readFileSync(storePath(configDir), 'utf8')).toBe('{"version": 2, "profiles": {');
  });

  it('an invalid PD_AUTH_HTTP_TIMEOUT is left to the full CLI, which warns', async () => {
    writeStore(configDir, store({ default: profile('default') }));

    const r = await same(['status', '--offline'], { PD_AUTH_HTTP_TIMEOUT: 'soon' }, false);

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: PD_AUTH_HTTP_TIMEOUT should be a number of seconds');
  });

  it('status without --offline is not a fast path', async () => {
    const r = await same(['status', '--json'], {}, false);

    expect(r.code).toBe(4);
  });
});

describe('pd-auth status --offline after a real login', () => {
  const suite = emulatorSuite({ clientId: 'fast-status-app', clientSecret: 'fast-status-secret-0123456789' });
  const { same } = runner(
    () => suite.tmp.path,
    () => suite.configDir,
  );

  it('prints the same as the full CLI for the store a login wrote', async () => {
    await seedLogin(suite.fx, suite.configDir);
    // An expiry days away, so that the relative time printed is the same in both runs.
    await setStoredExpiry(suite.configDir, now + 3 * day + 12 * hour);
    const stats = suite.fx.emulator.stats;

    const r = await same(['status', '--offline'], {}, true);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}User:\s+Emma Ulator <emma@example\.test> \(id 1001\)$/m);
    expect(r.stdout).toMatch(/^ {2}Client id:\s+fast-status-app$/m);
    expect(suite.fx.emulator.stats).toEqual(stats);
  });
});

describe('pd-auth --help and --version: the fast path and the full CLI print the same', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());
  const { run, same } = runner(
    () => tmp.path,
    () => join(tmp.path, 'config'),
  );

  it.each([
    ['--help', ['--help'], 0],
    ['-h', ['-h'], 0],
    ['help', ['help'], 0],
    ['no arguments', [], 2],
  ])('%s prints the root help (exit %i)', async (_, args, code) => {
    const r = await same(args, {}, true);

    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(/^Usage: pd-auth \[options\] \[command\]\n/);
    expect(r.stdout).toMatch(/^ {2}status \[options\]/m);
  });

  it('prints the same help text for all four spellings', async () => {
    const texts = new Set<string>();
    for (const args of [['--help'], ['-h'], ['help'], []]) texts.add((await run(args)).stdout);

    expect(texts.size).toBe(1);
  });

  it.each([['--version'], ['-V']])('%s prints the version', async (flag) => {
    const r = await same([flag], {}, true);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).toBe('');
  });

  it('with stdout on /dev/null (no terminal, though a character device) it takes the fast path', () => {
    const out = join(tmp.path, 'bundles-devnull.json');
    const devNull = openSync('/dev/null', 'w');
    try {
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'pd-auth.cjs'), '--help'], {
        env: cliEnv({ NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, BUNDLE_PROBE_OUT: out }),
        stdio: ['ignore', devNull, 'pipe'],
      });

      expect(r.status).toBe(0);
      expect(r.stderr.toString()).toBe('');
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([]);
    } finally {
      closeSync(devNull);
    }
  });

  it('help for a command is not a fast path', async () => {
    const r = await same(['status', '--help'], {}, false);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pd-auth status \[options\]/);
  });
});

describe('pd-auth --help in a terminal', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const sessions: PtyCli[] = [];
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.stop();
    tmp.remove();
  });

  let n = 0;
  /** Everything the terminal received, once the process has exited and its last output arrived. */
  async function helpInTerminal(cols: number, debug: boolean): Promise<{ text: string; bundles: string[] }> {
    const out = join(tmp.path, `bundles-${++n}.json`);
    const env = cliEnv({
      PD_AUTH_CONFIG_DIR: join(tmp.path, 'config'),
      NODE_OPTIONS: `--require ${JSON.stringify(probe)}`,
      BUNDLE_PROBE_OUT: out,
      ...(debug ? { PD_AUTH_DEBUG: '1' } : {}),
    });
    const cli = spawnCliPty(['--help'], env, { cols, rows: 60 });
    sessions.push(cli);
    await cli.waitFor(/help \[command\]\s+display help for command/);
    expect((await cli.exited).exitCode).toBe(0);
    // The last bytes may arrive after the exit: wait until the output stops growing.
    for (let seen = ''; seen !== cli.output(); ) {
      seen = cli.output();
      await new Promise((r) => setTimeout(r, 50));
    }
    const text = cli
      .output()
      .split('\r\n')
      .filter((l) => !l.startsWith('[debug]'))
      .join('\r\n');
    return { text, bundles: JSON.parse(readFileSync(out, 'utf8')) as string[] };
  }

  it("at 80 columns the fast path prints the full CLI's help", async () => {
    const fast = await helpInTerminal(80, false);
    const full = await helpInTerminal(80, true);

    expect(fast.bundles).toEqual([]);
    expect(full.bundles).toContain('full.cjs');
    expect(fast.text).toBe(full.text);
  });

  it('at 120 columns it prints what the full CLI prints at 120 columns, not the 80-column text', async () => {
    const at120 = await helpInTerminal(120, false);
    const full120 = await helpInTerminal(120, true);
    const full80 = await helpInTerminal(80, true);

    expect(full120.text).not.toBe(full80.text);
    expect(at120.text).toBe(full120.text);
    expect(at120.bundles).toContain('full.cjs');
  });
});
