import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreData } from '../../src/store/profile.js';
import { type CliResult, cliEnv, type SpawnedCli, scriptedBrowser, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { emulatorEnv, loggedIn, permissions, readStore, seedLogin, storePath } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Cross-process refresh: real CLI processes racing on one real store, against the emulator.
 * The figures printed here (processes, refresh grants, wall time, stale-lock wait) go into the
 * closing note; only a generous upper bound is asserted, to catch a hang.
 */

const processes = 20;
/** proper-lockfile, resolved from this repository, for the child that plays another pd-auth. */
const lockfileLib = createRequire(import.meta.url).resolve('proper-lockfile');

/**
 * A child that takes the store lock with the options of src/store/lock.ts, says "locked", and
 * releases it when told "release" on stdin (or is killed without releasing it, like a crash).
 */
const holderScript = `
const { lock } = require(process.env.LOCKFILE_LIB);
const file = process.env.LOCK_FILE;
lock(file, { realpath: false, lockfilePath: file + '.lock', stale: 5000, update: 1000 }).then(
  (release) => {
    process.stdout.write('locked\\n');
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', async (d) => {
      if (!d.includes('release')) return;
      await release();
      process.stdout.write('released\\n');
      process.exit(0);
    });
  },
  (err) => {
    process.stderr.write(String(err && err.stack) + '\\n');
    process.exit(1);
  },
);
`;

describe('concurrency (spawned processes, one store, against the emulator)', () => {
  const fixtures: EmulatorFixture[] = [];
  const children = new Set<ChildProcess>();
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;

  const emulator = async (options: Parameters<typeof startTestEmulator>[0] = {}) => {
    const f = await startTestEmulator(options);
    fixtures.push(f);
    return f;
  };
  const env = () => cliEnv({ PD_AUTH_CONFIG_DIR: configDir });

  /** spawnCli, remembered for afterEach and killed after `timeoutMs` so a hang fails. */
  const start = (args: string[], e: NodeJS.ProcessEnv, timeoutMs = 25_000): SpawnedCli => {
    const run = spawnCli(args, e);
    children.add(run.child);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
    void run.done.then(() => clearTimeout(timer));
    return run;
  };
  const run = (args: string[], e: NodeJS.ProcessEnv, timeoutMs?: number) => start(args, e, timeoutMs).done;

  /** `count` processes at once; resolves with every result and the wall time from first spawn to last exit. */
  const parallel = async (count: number, args: string[], e: NodeJS.ProcessEnv) => {
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: count }, () => run(args, e)));
    return { results, wallMs: Math.round(performance.now() - t0) };
  };

  /** Another process holding the store lock until it is sent "release" (the config dir must exist). */
  const startLockHolder = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['-e', holderScript], {
      env: { ...process.env, LOCKFILE_LIB: lockfileLib, LOCK_FILE: storePath(configDir) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('locked')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`lock holder exited ${code} before locking:\n${err}`)));
    });
    return child;
  };
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  /** Moves the stored access token's expiry into the past, as an hour going by would. */
  const expireStoredToken = (profile = 'default') => {
    const path = storePath(configDir);
    const data = JSON.parse(readFileSync(path, 'utf8')) as StoreData;
    const p = data.profiles[profile];
    if (!p?.tokens) throw new Error(`no tokens for ${profile}`);
    p.tokens.expiresAt = Date.now() - 60_000;
    // Rewriting the existing file keeps its 0600 mode (asserted below).
    writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  };

  /**
   * The warning pd-auth prints when it opens a store of mode 0644, as it first reads the file: with
   * the store made 0644 first, the sign that a command has started on the store (and goes on to
   * the lock). Nothing says when it has reached the lock: what it does while the lock is held is
   * watched for as long as a whole other pd-auth run takes, which grows with the machine's load.
   */
  const tightenedWarning = () =>
    `warning: tightened the permissions of ${storePath(configDir)} from 0644 to 0600 (it holds credentials)`;

  /** The emulator's own verdict: the API accepts the token. */
  const apiAccepts = async (fx: EmulatorFixture, token: string) =>
    (await fetch(`${fx.emulator.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }))
      .status === 200;

  const codes = (results: CliResult[]) => results.map((r) => r.code);
  const printed = (results: CliResult[]) => [...new Set(results.map((r) => r.stdout))];

  beforeEach(() => {
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    children.clear();
    for (const f of fixtures.splice(0)) await f.emulator.close();
    tmp.remove();
  });

  describe(`${processes} parallel \`pd-auth token\` against an expired access token`, () => {
    it('refresh once when the refresh token comes back unchanged (reuse), and all print the stored token', async () => {
      const fx = await emulator({ refreshTokenMode: 'reuse' });
      const before = (await seedLogin(fx, configDir)).tokens;
      expireStoredToken();
      expect(permissions(storePath(configDir))).toBe(0o600);

      const { results, wallMs } = await parallel(processes, ['token'], env());

      expect(codes(results)).toEqual(Array(processes).fill(0));
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      expect(fx.emulator.stats.tokenRequests).toBe(2); // the login's code grant + one refresh
      const tokens = printed(results);
      expect(tokens).toHaveLength(1);
      const stored = loggedIn(configDir).tokens;
      expect(tokens[0]).toBe(`${stored.accessToken}\n`);
      expect(stored.accessToken).not.toBe(before?.accessToken);
      expect(stored.refreshToken).toBe(before?.refreshToken);
      expect(stored.expiresAt).toBeGreaterThan(Date.now());
      expect(await apiAccepts(fx, stored.accessToken)).toBe(true);
      expect(permissions(storePath(configDir))).toBe(0o600);
      console.log(
        `[concurrency] reuse: ${processes} token processes, ${fx.emulator.stats.refreshGrants} refresh grant(s), wall ${wallMs} ms`,
      );
    }, 60_000);

    it('refresh once with single-use refresh tokens (rotate), store the new refresh token, and it is the live one', async () => {
      const fx = await emulator({ refreshTokenMode: 'rotate' });
      const before = (await seedLogin(fx, configDir)).tokens;
      expireStoredToken();

      const { results, wallMs } = await parallel(processes, ['token'], env());

      expect(codes(results)).toEqual(Array(processes).fill(0));
      const grants = fx.emulator.stats.refreshGrants;
      expect(grants).toBe(1);
      const tokens = printed(results);
      expect(tokens).toHaveLength(1);
      const stored = loggedIn(configDir).tokens;
      expect(tokens[0]).toBe(`${stored.accessToken}\n`);
      expect(await apiAccepts(fx, stored.accessToken)).toBe(true);
      expect(stored.refreshToken).not.toBe(before?.refreshToken);
      // Only the stored refresh token can work now (the old one was used up): a refresh proves it.
      const again = await run(['refresh'], env());
      expect(again.code).toBe(0);
      expect(fx.emulator.stats.refreshGrants).toBe(2);
      console.log(
        `[concurrency] rotate: ${processes} token processes, ${grants} refresh grant(s), wall ${wallMs} ms`,
      );
    }, 60_000);

    it('refresh once when the new token lives less than the 5-minute margin (waiters take the stored one)', async () => {
      // Every token this emulator issues (the login's too) expires within the margin.
      const fx = await emulator({ accessTokenTtl: 60 });
      const before = (await seedLogin(fx, configDir)).tokens;
      expireStoredToken();

      const { results, wallMs } = await parallel(processes, ['token'], env());

      expect(codes(results)).toEqual(Array(processes).fill(0));
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      const tokens = printed(results);
      expect(tokens).toHaveLength(1);
      const stored = loggedIn(configDir).tokens;
      expect(tokens[0]).toBe(`${stored.accessToken}\n`);
      expect(stored.accessToken).not.toBe(before?.accessToken);
      expect(stored.expiresAt - Date.now()).toBeLessThan(5 * 60_000);
      expect(await apiAccepts(fx, stored.accessToken)).toBe(true);
      console.log(
        `[concurrency] short-lived (60 s) token: ${processes} token processes, ${fx.emulator.stats.refreshGrants} refresh grant(s), wall ${wallMs} ms`,
      );
    }, 60_000);
  });

  describe('the store lock', () => {
    it('is taken over from a killed process within seconds, and the token call succeeds', async () => {
      const fx = await emulator();
      await seedLogin(fx, configDir);
      expireStoredToken();
      const holder = await startLockHolder();
      expect(existsSync(`${storePath(configDir)}.lock`)).toBe(true);

      holder.kill('SIGKILL');
      await exited(holder);
      const t0 = performance.now();
      const r = await run(['token'], env());
      const waitMs = Math.round(performance.now() - t0);

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${loggedIn(configDir).tokens.accessToken}\n`);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      expect(existsSync(`${storePath(configDir)}.lock`)).toBe(false);
      expect(waitMs).toBeLessThan(15_000); // a hang, not a timing test
      console.log(
        `[concurrency] stale lock (holder SIGKILLed, stale after 5 s): token call took ${waitMs} ms`,
      );
    }, 30_000);

    it('held by a live process: the token call waits for the release, then refreshes', async () => {
      const fx = await emulator();
      await seedLogin(fx, configDir);
      expireStoredToken();
      // The same expired login in a store no one holds, for the yardstick below.
      const elsewhere = join(tmp.path, 'elsewhere');
      mkdirSync(elsewhere, { mode: 0o700 });
      copyFileSync(storePath(configDir), storePath(elsewhere));
      chmodSync(storePath(configDir), 0o644);
      const holder = await startLockHolder();

      const token = start(['token'], env());
      await token.waitFor(tightenedWarning());
      // A token call that did not wait would refresh and exit in less than this whole other one.
      const yardstick = await run(['token'], cliEnv({ PD_AUTH_CONFIG_DIR: elsewhere }));
      const whileHeld = { exitCode: token.child.exitCode, refreshGrants: fx.emulator.stats.refreshGrants };
      holder.stdin?.write('release\n');
      await exited(holder);
      const r = await token.done;

      expect(yardstick.code, yardstick.stderr).toBe(0);
      expect(whileHeld).toEqual({ exitCode: null, refreshGrants: 1 }); // the yardstick's grant only
      expect(holder.exitCode).toBe(0);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${loggedIn(configDir).tokens.accessToken}\n`);
      expect(fx.emulator.stats.refreshGrants).toBe(2);
    }, 60_000);
  });

  describe('parallel writers', () => {
    it('10 parallel `pd-auth refresh` all succeed (reuse) and leave one valid store with the profile intact', async () => {
      const fx = await emulator({ refreshTokenMode: 'reuse' });
      const before = await seedLogin(fx, configDir);

      const { results } = await parallel(10, ['refresh'], env());

      expect(codes(results)).toEqual(Array(10).fill(0));
      expect(fx.emulator.stats.refreshGrants).toBe(10);
      const store = readStore(configDir); // JSON.parse throws on a torn write
      expect(Object.keys(store?.profiles ?? {})).toEqual(['default']);
      const after = loggedIn(configDir);
      expect({ ...after, tokens: undefined, updatedAt: 0 }).toEqual({
        ...before,
        tokens: undefined,
        updatedAt: 0,
      });
      expect(after.tokens.refreshToken).toBe(before.tokens?.refreshToken);
      expect(await apiAccepts(fx, after.tokens.accessToken)).toBe(true);
      expect(permissions(storePath(configDir))).toBe(0o600);
      // No lock directory or temp file left behind.
      expect(readdirSync(configDir)).toEqual(['profiles.json']);
    }, 60_000);

    it('10 parallel `pd-auth refresh` all succeed with single-use refresh tokens (each re-reads under the lock)', async () => {
      const fx = await emulator({ refreshTokenMode: 'rotate' });
      await seedLogin(fx, configDir);

      const { results } = await parallel(10, ['refresh'], env());

      expect(codes(results)).toEqual(Array(10).fill(0));
      expect(fx.emulator.stats.refreshGrants).toBe(10);
      // The stored refresh token is the tenth, live one.
      expect((await run(['refresh'], env())).code).toBe(0);
    }, 60_000);

    it('two parallel logins into different profiles (two apps), held at the lock together, both end up in the store', async () => {
      const sandbox = await emulator({ clientId: 'sandbox-app', clientSecret: 'sandbox-secret' });
      const production = await emulator({ clientId: 'production-app', clientSecret: 'production-secret' });
      mkdirSync(configDir, { mode: 0o700 });
      const holder = await startLockHolder();
      // PD_AUTH_DEBUG: each says when it goes on to save, which takes the lock.
      const login = (f: EmulatorFixture, profile: string) =>
        start(
          ['login', '--profile', profile, '--redirect-uri', f.redirectUri],
          emulatorEnv(f, configDir, { BROWSER: scriptedBrowser(), PD_AUTH_DEBUG: '1' }),
          50_000,
        );
      const a = login(sandbox, 'sandbox');
      const b = login(production, 'production');

      await Promise.all([a.waitFor('saving profile "sandbox"'), b.waitFor('saving profile "production"')]);
      // Both are done with Pipedrive and want to write; while the lock is held, neither may. A login
      // that did not wait would have written in less than a whole other run (the yardstick).
      const elsewhere = join(tmp.path, 'elsewhere');
      const yardstick = await run(['profiles', '--names'], cliEnv({ PD_AUTH_CONFIG_DIR: elsewhere }));
      const whileHeld = {
        store: existsSync(storePath(configDir)),
        running: [a, b].map((l) => l.child.exitCode),
      };
      holder.stdin?.write('release\n');
      // Released at once, they race for the lock: each must add its profile to what the other wrote.
      const [ra, rb] = await Promise.all([a.done, b.done]);

      expect(yardstick.code, yardstick.stderr).toBe(0);
      expect(whileHeld).toEqual({ store: false, running: [null, null] });
      expect([ra.code, rb.code]).toEqual([0, 0]);
      expect(loggedIn(configDir, 'sandbox')).toMatchObject({
        clientId: 'sandbox-app',
        oauthUrl: sandbox.emulator.url,
      });
      expect(loggedIn(configDir, 'production')).toMatchObject({
        clientId: 'production-app',
        oauthUrl: production.emulator.url,
      });
      expect(permissions(storePath(configDir))).toBe(0o600);
    }, 60_000);
  });
});
