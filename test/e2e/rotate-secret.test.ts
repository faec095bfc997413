import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { loggedIn, readProfile, seedLogin, storeBytes } from '../helpers/fixtures.js';
import { emulatorSuite } from '../helpers/suite.js';

describe('pd-auth rotate-secret (spawned, against the emulator)', () => {
  const suite = emulatorSuite();
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });

  describe('with the regenerated secret', () => {
    it('takes it from PIPEDRIVE_CLIENT_SECRET, stores it with refreshed tokens', async () => {
      const before = await seedLogin(suite.fx, suite.configDir);
      const secret = suite.fx.emulator.regenerateSecret();

      const r = await runCli(['rotate-secret'], env({ PIPEDRIVE_CLIENT_SECRET: secret }));

      expect(r.code).toBe(0);
      const after = loggedIn(suite.configDir);
      expect(after.clientSecret).toBe(secret);
      expect(after.tokens.accessToken).not.toBe(before.tokens?.accessToken);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
      expect(r.stdout + r.stderr).not.toContain(secret);
    });

    it('takes it from --client-secret-stdin, stores it with refreshed tokens', async () => {
      const before = await seedLogin(suite.fx, suite.configDir);
      const secret = suite.fx.emulator.regenerateSecret();

      const r = await runCli(['rotate-secret', '--client-secret-stdin'], env(), `${secret}\n`);

      expect(r.code).toBe(0);
      const after = loggedIn(suite.configDir);
      expect(after.clientSecret).toBe(secret);
      expect(after.tokens.accessToken).not.toBe(before.tokens?.accessToken);
      expect(r.stdout + r.stderr).not.toContain(secret);
    });

    it('refuses a secret from both --client-secret-stdin and PIPEDRIVE_CLIENT_SECRET, changing nothing', async () => {
      const old = suite.fx.emulator.app.clientSecret;
      await seedLogin(suite.fx, suite.configDir);
      const secret = suite.fx.emulator.regenerateSecret();
      const before = storeBytes(suite.configDir);

      const r = await runCli(
        ['rotate-secret', '--client-secret-stdin'],
        env({ PIPEDRIVE_CLIENT_SECRET: old }),
        `${secret}\n`,
      );

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pass only one');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('lets refresh work again afterwards', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const secret = suite.fx.emulator.regenerateSecret();
      expect((await runCli(['rotate-secret'], env({ PIPEDRIVE_CLIENT_SECRET: secret }))).code).toBe(0);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(2);
    });
  });

  describe('with a wrong secret', () => {
    it('exits 1 and leaves the stored secret and tokens byte-identical', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['rotate-secret'], env({ PIPEDRIVE_CLIENT_SECRET: 'not-the-secret' }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('rejected the new client secret');
      expect(r.stderr).toContain('nothing was changed');
      expect(r.stdout + r.stderr).not.toContain('not-the-secret');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('leaves refresh working with the old secret', async () => {
      await seedLogin(suite.fx, suite.configDir);
      await runCli(['rotate-secret'], env({ PIPEDRIVE_CLIENT_SECRET: 'not-the-secret' }));

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(loggedIn(suite.configDir).clientSecret).toBe(suite.fx.emulator.app.clientSecret);
    });
  });

  describe('--no-verify', () => {
    it('saves the secret without calling the OAuth host, and says so', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const requests = suite.fx.emulator.stats.tokenRequests;

      const r = await runCli(
        ['rotate-secret', '--no-verify'],
        env({ PIPEDRIVE_CLIENT_SECRET: 'unchecked-secret' }),
      );

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('WITHOUT checking');
      expect(suite.fx.emulator.stats.tokenRequests).toBe(requests);
      expect(readProfile(suite.configDir)?.clientSecret).toBe('unchecked-secret');
    });
  });

  describe('nothing to rotate, or nothing to rotate with', () => {
    it('exits 4 for a profile that does not exist, and creates none', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(
        ['rotate-secret', '--profile', 'staging'],
        env({ PIPEDRIVE_CLIENT_SECRET: 'some-secret' }),
        undefined,
        5_000,
      );

      expect(r.code).toBe(4);
      expect(r.stderr).toContain('no profile "staging"');
      expect(r.stderr).toContain('pd-auth login --profile staging');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 2 naming the secret sources without a terminal and without a secret', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['rotate-secret'], env());

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('PIPEDRIVE_CLIENT_SECRET');
      expect(r.stderr).toContain('--client-secret-stdin');
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('exits 2 for an empty line on --client-secret-stdin', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['rotate-secret', '--client-secret-stdin'], env(), '\n');

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('empty');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });
  });
});
