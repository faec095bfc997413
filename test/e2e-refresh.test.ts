import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emulatorEnv,
  loggedIn,
  permissions,
  revokeAtEmulator,
  seedLogin,
  storeBytes,
  storePath,
} from './commands/fixtures.js';
import { cliEnv, runCli, scriptedBrowser } from './helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from './helpers/emulator.js';
import { freePort } from './helpers/ports.js';
import { makeTempDir } from './helpers/temp-dir.js';

const anHourAgo = () => Date.now() - 3_600_000;

describe('pd-auth refresh (spawned, against the emulator)', () => {
  const fixtures: EmulatorFixture[] = [];
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  const emulator = async (options: Parameters<typeof startTestEmulator>[0] = {}) => {
    const f = await startTestEmulator(options);
    fixtures.push(f);
    return f;
  };
  /** Only the config dir: refresh must work from what login stored, nothing else. */
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: configDir, ...extra });

  beforeEach(async () => {
    fx = await emulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.emulator.close();
    tmp.remove();
  });

  describe('success', () => {
    it('stores a new access token, keeps the refresh token and moves the expiry', async () => {
      const before = (await seedLogin(fx, configDir, { now: anHourAgo })).tokens;

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      const after = loggedIn(configDir).tokens;
      expect(after.accessToken).not.toBe(before?.accessToken);
      expect(after.refreshToken).toBe(before?.refreshToken);
      expect(after.expiresAt).toBeGreaterThan(before?.expiresAt ?? Number.POSITIVE_INFINITY);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('says so on stderr and prints nothing on stdout', async () => {
      await seedLogin(fx, configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Refreshed profile "default"');
      expect(r.stderr).not.toContain(loggedIn(configDir).tokens.accessToken);
      expect(r.stdout).toBe('');
    });

    it('keeps the store file 0600 when it rewrites it', async () => {
      await seedLogin(fx, configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(permissions(storePath(configDir))).toBe(0o600);
    });

    it('stores the new refresh token when the server rotates refresh tokens', async () => {
      fx = await emulator({ refreshTokenMode: 'rotate' });
      const before = (await seedLogin(fx, configDir)).tokens;

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(loggedIn(configDir).tokens.refreshToken).not.toBe(before?.refreshToken);
      // The rotated token is the live one: a second refresh works with it.
      expect((await runCli(['refresh'], env())).code).toBe(0);
    });
  });

  describe('failure', () => {
    it('exits 4 "not logged in" when there is no profile, and creates no store', async () => {
      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(4);
      expect(r.stderr).toContain('not logged in');
      expect(r.stderr).toContain('pd-auth login');
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('exits 4 with the hint `pd-auth login` when the refresh token was revoked; store unchanged', async () => {
      const seeded = await seedLogin(fx, configDir);
      await revokeAtEmulator(fx, seeded.tokens?.refreshToken ?? '');
      const before = storeBytes(configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(4);
      expect(r.stderr).toContain('rejected the refresh token');
      expect(r.stderr).toMatch(/hint:.*pd-auth login/);
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 1 with the hint `pd-auth rotate-secret` after the secret was regenerated; store unchanged', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.regenerateSecret();
      const before = storeBytes(configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('rejected the stored client secret');
      expect(r.stderr).toMatch(/hint:.*pd-auth rotate-secret/);
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 1 when the OAuth host cannot be reached; store unchanged', async () => {
      await seedLogin(fx, configDir);
      const before = storeBytes(configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['refresh'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not reach ${dead}`);
      expect(r.stderr).toContain('hint:');
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 2 for an invalid profile name; store unchanged', async () => {
      await seedLogin(fx, configDir);
      const before = storeBytes(configDir);

      const r = await runCli(['refresh', '--profile', '../default'], env(), undefined, 5_000);

      expect(r.code).toBe(2);
      expect(storeBytes(configDir)).toEqual(before);
    });
  });

  describe('profiles', () => {
    let sandbox: EmulatorFixture;
    beforeEach(async () => {
      sandbox = await emulator({ clientId: 'sandbox-app', clientSecret: 'sandbox-secret' });
      fx = await emulator({ clientId: 'production-app', clientSecret: 'production-secret' });
    });

    it('keeps two logins with two apps side by side', async () => {
      const login = (f: EmulatorFixture, profile: string) =>
        runCli(
          ['login', '--profile', profile, '--redirect-uri', f.redirectUri],
          emulatorEnv(f, configDir, { BROWSER: scriptedBrowser() }),
        );

      expect((await login(sandbox, 'sandbox')).code).toBe(0);
      expect((await login(fx, 'default')).code).toBe(0);

      expect(loggedIn(configDir, 'sandbox')).toMatchObject({
        clientId: 'sandbox-app',
        oauthUrl: sandbox.emulator.url,
        tokens: { apiDomain: sandbox.emulator.url },
      });
      expect(loggedIn(configDir, 'default')).toMatchObject({
        clientId: 'production-app',
        oauthUrl: fx.emulator.url,
        tokens: { apiDomain: fx.emulator.url },
      });
    });

    it('refreshes --profile sandbox at the sandbox app, leaving the default profile alone', async () => {
      await seedLogin(sandbox, configDir, { profile: 'sandbox' });
      await seedLogin(fx, configDir);
      const defaultBefore = loggedIn(configDir, 'default');

      const r = await runCli(['refresh', '--profile', 'sandbox'], env());

      expect(r.code).toBe(0);
      expect(sandbox.emulator.stats.refreshGrants).toBe(1);
      expect(fx.emulator.stats.refreshGrants).toBe(0);
      expect(loggedIn(configDir, 'default')).toEqual(defaultBefore);
    });
  });
});
