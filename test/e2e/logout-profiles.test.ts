import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import type { EmulatorFixture } from '../helpers/emulator.js';
import {
  leakedSecrets,
  loggedIn,
  readProfile,
  readStore,
  refreshAtEmulator,
  revokeAtEmulator,
  seedLogin,
  storeBytes,
} from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { emulatorSuite } from '../helpers/suite.js';
import { makeTestDeps } from '../helpers/test-deps.js';

describe('pd-auth logout, profiles, use and PD_AUTH_PROFILE (against the emulator)', () => {
  const suite = emulatorSuite();
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });

  describe('logout', () => {
    it('removes the tokens, keeps the app credentials, calls nobody and exits 0', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      const stats = suite.fx.emulator.stats;

      const r = await runCli(['logout'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'Removed the tokens of profile "default" (its client id and secret are kept for the next login).\n',
      );
      const { updatedAt: _u, ...after } = readProfile(suite.configDir) ?? { updatedAt: 0 };
      expect(after).toEqual({
        clientId: seeded.clientId,
        clientSecret: seeded.clientSecret,
        redirectUri: seeded.redirectUri,
        oauthUrl: seeded.oauthUrl,
        storage: 'file',
      });
      expect(suite.fx.emulator.stats).toEqual(stats);
    });

    it('says there is nothing to do the second time, exits 0 and changes nothing', async () => {
      await seedLogin(suite.fx, suite.configDir);
      expect((await runCli(['logout'], env())).code).toBe(0);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['logout'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toBe('Profile "default" has no tokens stored; nothing to do.\n');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 0 with nothing stored at all, and creates no store', async () => {
      const r = await runCli(['logout'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('nothing to do');
      expect(storeBytes(suite.configDir)).toBeUndefined();
    });

    it('exits 0 and removes tokens that are already dead (revoked)', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await revokeAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');

      const r = await runCli(['logout'], env());

      expect(r.code).toBe(0);
      expect(readProfile(suite.configDir)?.tokens).toBeUndefined();
    });

    it('--revoke --yes revokes at Pipedrive, says it uninstalls the app, and the refresh token is dead', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['logout', '--revoke', '--yes'], env());

      expect(r.code).toBe(0);
      expect(suite.fx.emulator.stats.revokes).toBe(1);
      expect(r.stderr).toContain(
        'Revoked the refresh token at Pipedrive: the app is uninstalled for this user.',
      );
      expect(readProfile(suite.configDir)?.tokens).toBeUndefined();
      const again = await refreshAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');
      expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(leakedSecrets(r.stdout + r.stderr, seeded)).toEqual([]);
    });

    it('--revoke without --yes does not ask when not interactive, and revokes', async () => {
      await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['logout', '--revoke'], env());

      expect(r.code).toBe(0);
      expect(suite.fx.emulator.stats.revokes).toBe(1);
      expect(readProfile(suite.configDir)?.tokens).toBeUndefined();
    });

    it('keeps everything when the interactive confirmation is answered "no" (in-process)', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);
      const t = makeTestDeps({ configDir: suite.configDir, interactive: true, answers: ['n'] });

      const code = await main(['logout', '--revoke'], t.deps);

      expect(code).toBe(0);
      expect(t.prompter.asked).toEqual([
        'Revoking uninstalls the app from Emulated Company for Emma Ulator. Continue?',
      ]);
      expect(t.stderr()).toBe('Not revoked; nothing was removed.\n');
      expect(suite.fx.emulator.stats.revokes).toBe(0);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('--revoke exits 1 with the rotate-secret hint after the secret was regenerated; nothing removed', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      suite.fx.emulator.regenerateSecret();
      const before = storeBytes(suite.configDir);

      const r = await runCli(['logout', '--revoke', '--yes'], env());

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('could not revoke the tokens');
      expect(r.stderr).toContain('nothing was removed');
      expect(r.stderr).toMatch(/hint:.*pd-auth rotate-secret`/);
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });

    it('--revoke exits 1 when the OAuth host is down; nothing removed', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['logout', '--revoke', '--yes'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not reach ${dead}`);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });
  });

  describe('two profiles side by side (two apps)', () => {
    let sandbox: EmulatorFixture;
    const token = async (args: string[] = [], extra: Record<string, string | undefined> = {}) => {
      const r = await runCli(['token', ...args], env(extra));
      expect(r.code).toBe(0);
      return r.stdout.trimEnd();
    };
    beforeEach(async () => {
      // Each login right after its emulator picked its callback port, so no connection made
      // meanwhile can take that port.
      sandbox = await suite.emulator({
        clientId: 'sandbox-app',
        user: { name: 'Sandy Box', email: 'sandy@sandbox.test', company_name: 'Sandbox Co' },
      });
      await seedLogin(sandbox, suite.configDir, { profile: 'sandbox' });
      suite.fx = await suite.emulator({
        clientId: 'production-app',
        user: { name: 'Pat Prod', email: 'pat@prod.test', company_name: 'Production Co' },
      });
      await seedLogin(suite.fx, suite.configDir);
    });
    const tokenOf = (name: string) => loggedIn(suite.configDir, name).tokens.accessToken;

    it('profiles lists both with company and user, the default one marked active', async () => {
      const r = await runCli(['profiles'], env());

      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\* default +Production Co +Pat Prod <pat@prod\.test> +token expires /);
      expect(lines[1]).toMatch(/^ {2}sandbox +Sandbox Co +Sandy Box <sandy@sandbox\.test> +token expires /);
      for (const name of ['default', 'sandbox'])
        expect(leakedSecrets(r.stdout, loggedIn(suite.configDir, name))).toEqual([]);
    });

    it('profiles --json lists them without tokens or secrets', async () => {
      const r = await runCli(['profiles', '--json'], env());

      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([
        {
          name: 'default',
          active: true,
          logged_in: true,
          user: { id: 1001, name: 'Pat Prod', email: 'pat@prod.test' },
          company: { id: 2002, name: 'Production Co', domain: 'emulated' },
          client_id: 'production-app',
          api_domain: suite.fx.emulator.url,
          storage: 'file',
        },
        {
          name: 'sandbox',
          active: false,
          logged_in: true,
          user: { id: 1001, name: 'Sandy Box', email: 'sandy@sandbox.test' },
          company: { id: 2002, name: 'Sandbox Co', domain: 'emulated' },
          client_id: 'sandbox-app',
          api_domain: sandbox.emulator.url,
          storage: 'file',
        },
      ]);
      for (const name of ['default', 'sandbox'])
        expect(leakedSecrets(r.stdout, loggedIn(suite.configDir, name))).toEqual([]);
    });

    it('profiles --names prints only the names', async () => {
      const r = await runCli(['profiles', '--names'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe('default\nsandbox\n');
    });

    it('use sandbox makes commands default to it, and profiles marks it', async () => {
      const r = await runCli(['use', 'sandbox'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Now using profile "sandbox"');
      expect(readStore(suite.configDir)?.activeProfile).toBe('sandbox');
      expect(await token()).toBe(tokenOf('sandbox'));
      const list = await runCli(['profiles', '--json'], env());
      expect((JSON.parse(list.stdout) as Array<{ active: boolean }>).map((p) => p.active)).toEqual([
        false,
        true,
      ]);
    });

    it('PD_AUTH_PROFILE wins over use', async () => {
      expect((await runCli(['use', 'sandbox'], env())).code).toBe(0);

      expect(await token([], { PD_AUTH_PROFILE: 'default' })).toBe(tokenOf('default'));
    });

    it('--profile wins over PD_AUTH_PROFILE and use', async () => {
      expect((await runCli(['use', 'default'], env())).code).toBe(0);

      expect(await token(['--profile', 'sandbox'], { PD_AUTH_PROFILE: 'default' })).toBe(tokenOf('sandbox'));
    });

    it('status --all marks the profile PD_AUTH_PROFILE selects as active, as profiles does', async () => {
      const extra = { PD_AUTH_PROFILE: 'sandbox' };

      const profiles = await runCli(['profiles', '--json'], env(extra));
      const status = await runCli(['status', '--all', '--offline', '--json'], env(extra));

      const active = (list: Array<{ name: string; active: boolean }>) =>
        list.filter((p) => p.active).map((p) => p.name);
      expect(active(JSON.parse(profiles.stdout))).toEqual(['sandbox']);
      expect(active((JSON.parse(status.stdout) as { profiles: [] }).profiles)).toEqual(['sandbox']);
    });

    it('use of a missing profile exits 1 naming the known ones; store unchanged', async () => {
      const before = storeBytes(suite.configDir);

      const r = await runCli(['use', 'missing'], env());

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('there is no profile "missing" (profiles: default, sandbox)');
      expect(r.stderr).toMatch(/hint:.*pd-auth login --profile missing`/);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('an invalid PD_AUTH_PROFILE exits 2; store unchanged', async () => {
      const before = storeBytes(suite.configDir);

      const r = await runCli(['token'], env({ PD_AUTH_PROFILE: '../etc' }));

      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('PD_AUTH_PROFILE="../etc" is not a valid profile name');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('logout --profile sandbox leaves the default profile alone', async () => {
      const defaultBefore = loggedIn(suite.configDir, 'default');

      const r = await runCli(['logout', '--profile', 'sandbox'], env());

      expect(r.code).toBe(0);
      expect(readProfile(suite.configDir, 'sandbox')?.tokens).toBeUndefined();
      expect(loggedIn(suite.configDir, 'default')).toEqual(defaultBefore);
    });
  });
});
