import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/store/profile.js';
import { cliEnv, cliPath, runCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { emulatorEnv, loggedIn, permissions, seedLogin, storeBytes, storePath } from '../helpers/fixtures.js';
import { canRunCliAs, copyCliForOtherUsers, nobody, runCliAs } from '../helpers/run-as.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * A store pd-auth cannot use: every command refuses with the file's path and what to do, and
 * leaves the file exactly as it was. Also: modes tightened on open, and a version 1 store.
 */

/** Every command that reads the store (`completion` reads nothing; `profiles --names` stands in for it). */
const commands = (redirectUri: string): string[][] => [
  ['login', '--timeout', '2', '--redirect-uri', redirectUri],
  ['refresh'],
  ['rotate-secret'],
  ['token'],
  ['status'],
  ['status', '--offline'],
  ['logout'],
  ['logout', '--revoke', '--yes'],
  ['profiles'],
  ['profiles', '--names'],
  ['use', 'default'],
  ['exec', '--', 'true'],
  ['api', 'users/me'],
];
const commandNames = commands('http://localhost:1/callback').map((args) => args.slice(0, 3).join(' '));

/** As root, mode 000 stops nobody, not root: the mode 000 case runs the CLI as nobody instead. */
const isRoot = process.getuid?.() === 0;

const now = Date.now();
const profile = (oauthUrl: string): Profile => ({
  clientId: 'b4d083d9216986345b32',
  clientSecret: 'secret-0123456789abcdef',
  redirectUri: 'http://localhost:8484/callback',
  oauthUrl,
  tokens: {
    accessToken: 'v1u:AQIBAHj+abc=:def/==',
    refreshToken: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
    tokenType: 'Bearer',
    // Expired, so any command that got past the store would refresh (and the emulator would see it).
    expiresAt: now - 60_000,
    obtainedAt: now - 3_660_000,
    scope: ['base', 'deals:full'],
    apiDomain: oauthUrl,
    refreshTokenUsedAt: now - 3_660_000,
  },
  user: { id: 777, name: 'James', email: 'james@example.com' },
  company: { id: 7, name: 'MI6', domain: 'casinoroyale' },
  updatedAt: now,
});

interface Broken {
  what: string;
  /** Puts the bad store in place (and, for mode 000 under root, hands it to nobody). */
  arrange(configDir: string, oauthUrl: string): void;
  /** What the error line says after the path. */
  detail: string | RegExp;
  /** Run as nobody (the mode 000 case under root). */
  asNobody?: boolean;
}

const writeStore = (configDir: string, text: string) =>
  writeFileSync(storePath(configDir), text, { mode: 0o600 });
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

const broken: Broken[] = [
  {
    what: 'invalid JSON',
    arrange: (dir, url) =>
      writeStore(dir, json({ version: 2, profiles: { default: profile(url) } }).slice(0, 200)),
    detail: 'it is not valid JSON',
  },
  {
    what: 'a wrong schema (a number where a string belongs)',
    arrange: (dir, url) =>
      writeStore(dir, json({ version: 2, profiles: { default: { ...profile(url), clientId: 12345 } } })),
    detail: 'profiles.default.clientId should be a string',
  },
  {
    what: 'a newer store version',
    arrange: (dir, url) => writeStore(dir, json({ version: 4, profiles: { default: profile(url) } })),
    detail: 'it was written by a newer pd-auth (store version 4; this one knows up to 3): upgrade pd-auth',
  },
  {
    what: 'mode 000 (unreadable)',
    arrange: (dir, url) => {
      writeStore(dir, json({ version: 2, profiles: { default: profile(url) } }));
      chmodSync(storePath(dir), 0o000);
      if (isRoot) {
        chownSync(dir, nobody, nobody);
        chownSync(storePath(dir), nobody, nobody);
      }
    },
    detail: /EACCES: permission denied/,
    asNobody: isRoot,
  },
  {
    what: 'a directory in its place (unreadable even for root)',
    arrange: (dir) => {
      mkdirSync(storePath(dir), { mode: 0o700 });
      writeFileSync(join(storePath(dir), 'keep.txt'), 'mine\n');
    },
    detail: /EISDIR/,
  },
];

/** Everything about the store path that must not change: its bytes, or a directory's listing, and mode. */
function snapshot(configDir: string) {
  const path = storePath(configDir);
  const st = statSync(path);
  return {
    mode: st.mode,
    uid: st.uid,
    content: st.isDirectory()
      ? readdirSync(path).map((f) => `${f}:${readFileSync(join(path, f), 'utf8')}`)
      : readFileSync(path).toString('base64'),
    dir: readdirSync(configDir),
    dirMode: statSync(configDir).mode,
  };
}

describe('an unusable store file: every command refuses, names the file, says what to do, changes nothing', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let n = 0;
  /** The CLI file nobody runs, or undefined (with why) when this system does not let it. */
  let nobodyCli: string | undefined;
  let whyNot = '';
  let copy: ReturnType<typeof copyCliForOtherUsers> | undefined;
  beforeAll(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    // nobody must be able to reach the config directories below.
    chmodSync(tmp.path, 0o711);
    if (!isRoot) return;
    const probeDir = join(tmp.path, 'nobody-probe');
    mkdirSync(probeDir, { mode: 0o700 });
    chownSync(probeDir, nobody, nobody);
    if (canRunCliAs(cliPath, nobody, probeDir)) {
      nobodyCli = cliPath;
      return;
    }
    // The checkout may sit where nobody cannot go (a clone in a 0700 directory): use a copy.
    copy = copyCliForOtherUsers();
    if (canRunCliAs(copy.cliPath, nobody, probeDir)) nobodyCli = copy.cliPath;
    else whyNot = `uid ${nobody} cannot run node, or reach ${tmp.path}, on this system`;
  });
  afterAll(async () => {
    // Nothing got as far as Pipedrive.
    expect(fx.emulator.stats).toMatchObject({ tokenRequests: 0, revokes: 0, apiRequests: 0, usersMe: 0 });
    await fx.emulator.close();
    tmp.remove();
    copy?.remove();
  });

  for (const b of broken) {
    describe.concurrent(`with ${b.what}`, () => {
      it.for(commandNames.map((name, i) => [name, i] as const))(
        `pd-auth %s`,
        async ([, i], { expect, skip }) => {
          // Root reads mode 000: without another user to run as, this case cannot be made here.
          if (b.asNobody && !nobodyCli) skip(`running as root, and ${whyNot}`);
          const configDir = join(tmp.path, `config-${n++}`);
          mkdirSync(configDir, { mode: 0o700 });
          b.arrange(configDir, fx.emulator.url);
          const before = snapshot(configDir);
          const args = commands(fx.redirectUri)[i] as string[];
          const env = emulatorEnv(fx, configDir, { BROWSER: 'none' });

          const r = b.asNobody ? await runCliAs(nobody, nobodyCli ?? '', args, env) : await runCli(args, env);

          expect(r.code).toBe(1);
          const [line, hint] = r.stderr.trimEnd().split('\n').slice(-2);
          expect(line).toContain(`error: cannot read the pd-auth store ${storePath(configDir)}: `);
          if (typeof b.detail === 'string') expect(line).toContain(b.detail);
          else expect(line).toMatch(b.detail);
          expect(hint).toBe(
            b.what.startsWith('mode 000')
              ? "hint: check the file's owner and mode: it should belong to you, with mode 0600"
              : 'hint: repair the file or move it away (pd-auth leaves it as it is), then log in again',
          );
          expect(r.stdout).toBe('');
          expect(snapshot(configDir)).toEqual(before);
        },
      );
    });
  }

  it('pd-auth completion bash reads no store, so it still works', async () => {
    const configDir = join(tmp.path, 'config-completion');
    mkdirSync(configDir, { mode: 0o700 });
    writeStore(configDir, '{"version": 2, "profiles": {');
    const before = snapshot(configDir);

    const r = await runCli(['completion', 'bash'], cliEnv({ PD_AUTH_CONFIG_DIR: configDir }));

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -F _pd_auth pd-auth');
    expect(snapshot(configDir)).toEqual(before);
  });

  it('a directory made with plain mkdir (0755) where the file belongs is left as it was, mode included', async () => {
    const configDir = join(tmp.path, 'config-mkdir');
    mkdirSync(configDir, { mode: 0o700 });
    mkdirSync(storePath(configDir), { mode: 0o755 });
    chmodSync(storePath(configDir), 0o755);
    writeFileSync(join(storePath(configDir), 'keep.txt'), 'mine\n');
    const before = snapshot(configDir);

    const r = await runCli(['profiles'], cliEnv({ PD_AUTH_CONFIG_DIR: configDir }));

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the pd-auth store ${storePath(configDir)}: EISDIR`);
    // It is not a store file: making it 0600 (no x bit) only locks its owner out of its contents.
    expect(snapshot(configDir)).toEqual(before);
  });
});

describe.skipIf(process.platform === 'win32')(
  'a store file 0644 in a 0755 directory is tightened to 0600 / 0700 by every command, which says so',
  () => {
    const fixtures: EmulatorFixture[] = [];
    const temps: Array<ReturnType<typeof makeTempDir>> = [];
    afterAll(async () => {
      for (const f of fixtures) await f.emulator.close();
      for (const t of temps) t.remove();
    });

    it.concurrent.for(commandNames.map((name, i) => [name, i] as const))(
      'pd-auth %s',
      async ([name, i], { expect }) => {
        const fx = await startTestEmulator();
        fixtures.push(fx);
        const tmp = makeTempDir();
        temps.push(tmp);
        const configDir = join(tmp.path, 'config');
        await seedLogin(fx, configDir);
        chmodSync(configDir, 0o755);
        chmodSync(storePath(configDir), 0o644);
        const args = commands(fx.redirectUri)[i] as string[];

        const r = await runCli(args, emulatorEnv(fx, configDir, { BROWSER: 'none' }));

        // The same environment as above lets every command through (login then waits, and times out).
        expect(r.code, r.stderr).toBe(name.startsWith('login') ? 1 : 0);
        expect(permissions(configDir)).toBe(0o700);
        expect(permissions(storePath(configDir))).toBe(0o600);
        expect(r.stderr).toContain(
          `warning: tightened the permissions of ${configDir} from 0755 to 0700 (it holds credentials)`,
        );
        expect(r.stderr).toContain(
          `warning: tightened the permissions of ${storePath(configDir)} from 0644 to 0600 (it holds credentials)`,
        );
      },
    );
  },
);

describe('a store written by version 1 (no tokens.obtainedAt)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  it('works with `token` and `status --offline`, and is written back in the current version by `refresh`', async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    const configDir = join(tmp.path, 'config');
    await seedLogin(fx, configDir, { profile: 'other' });
    await seedLogin(fx, configDir);
    const v2 = JSON.parse(readFileSync(storePath(configDir), 'utf8')) as {
      profiles: Record<string, Profile & { tokens: Record<string, unknown> }>;
    };
    const v1Profiles: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(v2.profiles)) {
      const { obtainedAt: _, ...tokens } = p.tokens;
      v1Profiles[name] = { ...p, tokens };
    }
    writeStore(configDir, json({ version: 1, profiles: v1Profiles }));
    const v1Bytes = storeBytes(configDir);
    const env = cliEnv({ PD_AUTH_CONFIG_DIR: configDir });
    const stored = v2.profiles.default as Profile & { tokens: NonNullable<Profile['tokens']> };
    const other = v2.profiles.other as Profile & { tokens: NonNullable<Profile['tokens']> };

    const token = await runCli(['token'], env);
    const status = await runCli(['status', '--offline'], env);

    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toBe(`${stored.tokens.accessToken}\n`);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('default (active): logged in');
    // Reading migrates in memory only: the file changes with the next write.
    expect(storeBytes(configDir)?.equals(v1Bytes as Buffer)).toBe(true);

    const t0 = Date.now();
    const refresh = await runCli(['refresh'], env);

    expect(refresh.code, refresh.stderr).toBe(0);
    const written = JSON.parse(readFileSync(storePath(configDir), 'utf8')) as { version: number };
    expect(written.version).toBe(3);
    const refreshed = loggedIn(configDir);
    expect(refreshed.tokens.obtainedAt).toBeGreaterThanOrEqual(t0);
    expect(refreshed.tokens.accessToken).not.toBe(stored.tokens.accessToken);
    expect({ ...refreshed, tokens: undefined, updatedAt: 0 }).toEqual({
      ...stored,
      tokens: undefined,
      updatedAt: 0,
    });
    // The profile the refresh did not touch is migrated as well: obtainedAt from the refresh token's use.
    expect(loggedIn(configDir, 'other')).toEqual({
      ...other,
      tokens: { ...other.tokens, obtainedAt: other.tokens.refreshTokenUsedAt },
    });
    expect(permissions(storePath(configDir))).toBe(0o600);
  });
});
