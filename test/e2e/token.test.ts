import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import {
  leakedSecrets,
  loggedIn,
  revokeAtEmulator,
  seedLogin,
  setStoredExpiry,
  storeBytes,
} from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { timed } from '../helpers/run-window.js';
import { emulatorSuite } from '../helpers/suite.js';

describe('pd-auth token (spawned, against the emulator)', () => {
  const suite = emulatorSuite();
  /** Only the config dir: token must work from what login stored. */
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });
  const expireStoredToken = () => setStoredExpiry(suite.configDir, Date.now() - 60_000);

  describe('formats', () => {
    it('raw (the default) prints only the token and a newline; stderr stays empty', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${tokens?.accessToken}\n`);
      expect(r.stderr).toBe('');
      expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('env prints two export lines', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['token', '--format', 'env'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `export PIPEDRIVE_ACCESS_TOKEN='${tokens?.accessToken}'\nexport PIPEDRIVE_API_DOMAIN='${suite.fx.emulator.url}'\n`,
      );
      expect(r.stderr).toBe('');
    });

    it('env output sets both variables when eval-ed by sh', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);
      const r = await runCli(['token', '--format', 'env'], env());

      const shell = execFileSync(
        'sh',
        ['-c', 'eval "$1"; printf "%s|%s" "$PIPEDRIVE_ACCESS_TOKEN" "$PIPEDRIVE_API_DOMAIN"', 'sh', r.stdout],
        { encoding: 'utf8' },
      );

      expect(shell).toBe(`${tokens?.accessToken}|${suite.fx.emulator.url}`);
    });

    it('header prints an Authorization header the API accepts', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['token', '--format', 'header'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`Authorization: Bearer ${tokens?.accessToken}\n`);
      const [name, value] = r.stdout.trimEnd().split(': ');
      const res = await fetch(`${suite.fx.emulator.url}/api/v1/users/me`, {
        headers: { [name ?? '']: value ?? '' },
      });
      expect(res.status).toBe(200);
    });

    it('json prints profile, access_token, token_type, api_domain, expires_at, expires_in and scope', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);

      const r = await timed(() => runCli(['token', '--format', 'json'], env()));

      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual([
        'profile',
        'access_token',
        'token_type',
        'api_domain',
        'expires_at',
        'expires_in',
        'scope',
      ]);
      expect(json).toMatchObject({
        profile: 'default',
        access_token: tokens?.accessToken,
        token_type: 'Bearer',
        api_domain: suite.fx.emulator.url,
        expires_at: new Date(tokens?.expiresAt ?? 0).toISOString(),
        scope: ['base', 'deals:full'],
      });
      // Whole seconds left on the run's own clock, read while it ran.
      const expiresAt = tokens?.expiresAt ?? 0;
      expect(json.expires_in).toBeLessThanOrEqual(Math.floor((expiresAt - r.startedAt) / 1000));
      expect(json.expires_in).toBeGreaterThanOrEqual(Math.floor((expiresAt - r.endedAt) / 1000));
      expect(r.stderr).toBe('');
    });
  });

  describe('refresh when needed', () => {
    it('refreshes an expired token once, prints the new one and stores it', async () => {
      const before = (await seedLogin(suite.fx, suite.configDir)).tokens;
      await expireStoredToken();

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
      const after = loggedIn(suite.configDir).tokens;
      expect(after.accessToken).not.toBe(before?.accessToken);
      expect(r.stdout).toBe(`${after.accessToken}\n`);
      expect(after.refreshToken).toBe(before?.refreshToken);
      expect(after.expiresAt).toBeGreaterThan(Date.now());
    });

    it('keeps a token valid for 10 more minutes with the default margin (5 minutes)', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);
      await setStoredExpiry(suite.configDir, Date.now() + 10 * 60_000);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${tokens?.accessToken}\n`);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('refreshes a token valid for 10 more minutes when --min-valid asks for 15', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);
      await setStoredExpiry(suite.configDir, Date.now() + 10 * 60_000);

      const r = await runCli(['token', '--min-valid', '900'], env());

      expect(r.code).toBe(0);
      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
      const after = loggedIn(suite.configDir).tokens.accessToken;
      expect(after).not.toBe(tokens?.accessToken);
      expect(r.stdout).toBe(`${after}\n`);
    });
  });

  describe('failure', () => {
    it('exits 4 with the login hint when not logged in, and creates no store', async () => {
      const r = await runCli(['token'], env());

      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('profile "default" is not logged in');
      expect(r.stderr).toMatch(/hint:.*pd-auth login`/);
      expect(storeBytes(suite.configDir)).toBeUndefined();
    });

    it('exits 2 for an unknown --format; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['token', '--format', 'yaml'], env());

      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("argument 'yaml' is invalid");
      expect(r.stderr).toContain('raw, env, header, json');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 2 for a --min-valid that is not a whole number; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['token', '--min-valid', '5m'], env());

      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 4 with the login hint when the refresh token was revoked; store unchanged, nothing leaked', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await revokeAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');
      await expireStoredToken();
      const before = storeBytes(suite.configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('rejected the refresh token');
      expect(r.stderr).toMatch(/hint:.*pd-auth login`/);
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });

    it('exits 1 with the rotate-secret hint after the secret was regenerated; store unchanged', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      suite.fx.emulator.regenerateSecret();
      await expireStoredToken();
      const before = storeBytes(suite.configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('rejected the stored client secret');
      expect(r.stderr).toMatch(/hint:.*pd-auth rotate-secret`/);
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });

    it('exits 1 when the OAuth host is down and the token expired; the stored tokens stay', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await expireStoredToken();
      const before = storeBytes(suite.configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['token'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`could not reach ${dead}`);
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });
  });
});
