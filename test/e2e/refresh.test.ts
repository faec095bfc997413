import { beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, scriptedBrowser } from '../helpers/cli.js';
import type { EmulatorFixture } from '../helpers/emulator.js';
import {
  emulatorEnv,
  loggedIn,
  permissions,
  revokeAtEmulator,
  seedLogin,
  storeBytes,
  storePath,
} from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { emulatorSuite } from '../helpers/suite.js';

const anHourAgo = () => Date.now() - 3_600_000;

describe('pd-auth refresh (spawned, against the emulator)', () => {
  const suite = emulatorSuite();
  /** Only the config dir: refresh must work from what login stored, nothing else. */
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });

  describe('success', () => {
    it('stores a new access token, keeps the refresh token and moves the expiry', async () => {
      const before = (await seedLogin(suite.fx, suite.configDir, { now: anHourAgo })).tokens;

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      const after = loggedIn(suite.configDir).tokens;
      expect(after.accessToken).not.toBe(before?.accessToken);
      expect(after.refreshToken).toBe(before?.refreshToken);
      expect(after.expiresAt).toBeGreaterThan(before?.expiresAt ?? Number.POSITIVE_INFINITY);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('says so on stderr and prints nothing on stdout', async () => {
      await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Refreshed profile "default"');
      expect(r.stderr).not.toContain(loggedIn(suite.configDir).tokens.accessToken);
      expect(r.stdout).toBe('');
    });

    it('keeps the store file 0600 when it rewrites it', async () => {
      await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(permissions(storePath(suite.configDir))).toBe(0o600);
    });

    it('stores the new refresh token when the server rotates refresh tokens', async () => {
      suite.fx = await suite.emulator({ refreshTokenMode: 'rotate' });
      const before = (await seedLogin(suite.fx, suite.configDir)).tokens;

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(loggedIn(suite.configDir).tokens.refreshToken).not.toBe(before?.refreshToken);
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
      expect(storeBytes(suite.configDir)).toBeUndefined();
    });

    it('exits 4 with the hint `pd-auth login` when the refresh token was revoked; store unchanged', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await revokeAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');
      const before = storeBytes(suite.configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(4);
      expect(r.stderr).toContain('rejected the refresh token');
      expect(r.stderr).toMatch(/hint:.*pd-auth login/);
      expect(r.stdout).toBe('');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 1 with the hint `pd-auth rotate-secret` after the secret was regenerated; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      suite.fx.emulator.regenerateSecret();
      const before = storeBytes(suite.configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('rejected the stored client secret');
      expect(r.stderr).toMatch(/hint:.*pd-auth rotate-secret/);
      expect(r.stdout).toBe('');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 1 when the OAuth host cannot be reached; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['refresh'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not reach ${dead}`);
      expect(r.stderr).toContain('hint:');
      expect(r.stdout).toBe('');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 2 for an invalid profile name; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['refresh', '--profile', '../default'], env());

      expect(r.code).toBe(2);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });
  });

  describe('profiles', () => {
    let sandbox: EmulatorFixture;
    beforeEach(async () => {
      sandbox = await suite.emulator({ clientId: 'sandbox-app', clientSecret: 'sandbox-secret' });
      suite.fx = await suite.emulator({ clientId: 'production-app', clientSecret: 'production-secret' });
    });

    it('keeps two logins with two apps side by side', async () => {
      const login = (f: EmulatorFixture, profile: string) =>
        runCli(
          ['login', '--profile', profile, '--redirect-uri', f.redirectUri],
          emulatorEnv(f, suite.configDir, { BROWSER: scriptedBrowser() }),
        );

      expect((await login(sandbox, 'sandbox')).code).toBe(0);
      expect((await login(suite.fx, 'default')).code).toBe(0);

      expect(loggedIn(suite.configDir, 'sandbox')).toMatchObject({
        clientId: 'sandbox-app',
        oauthUrl: sandbox.emulator.url,
        tokens: { apiDomain: sandbox.emulator.url },
      });
      expect(loggedIn(suite.configDir, 'default')).toMatchObject({
        clientId: 'production-app',
        oauthUrl: suite.fx.emulator.url,
        tokens: { apiDomain: suite.fx.emulator.url },
      });
    });

    it('refreshes --profile sandbox at the sandbox app, leaving the default profile alone', async () => {
      await seedLogin(sandbox, suite.configDir, { profile: 'sandbox' });
      await seedLogin(suite.fx, suite.configDir);
      const defaultBefore = loggedIn(suite.configDir, 'default');

      const r = await runCli(['refresh', '--profile', 'sandbox'], env());

      expect(r.code).toBe(0);
      expect(sandbox.emulator.stats.refreshGrants).toBe(1);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
      expect(loggedIn(suite.configDir, 'default')).toEqual(defaultBefore);
    });
  });
});
