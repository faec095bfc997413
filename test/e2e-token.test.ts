import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  leakedSecrets,
  loggedIn,
  revokeAtEmulator,
  seedLogin,
  setStoredExpiry,
  storeBytes,
} from './commands/fixtures.js';
import { cliEnv, runCli } from './helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from './helpers/emulator.js';
import { freePort } from './helpers/ports.js';
import { makeTempDir } from './helpers/temp-dir.js';

describe('pd-auth token (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  /** Only the config dir: token must work from what login stored. */
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: configDir, ...extra });
  const expireStoredToken = () => setStoredExpiry(configDir, Date.now() - 60_000);

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  describe('formats', () => {
    it('raw (the default) prints only the token and a newline; stderr stays empty', async () => {
      const { tokens } = await seedLogin(fx, configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${tokens?.accessToken}\n`);
      expect(r.stderr).toBe('');
      expect(fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('env prints two export lines', async () => {
      const { tokens } = await seedLogin(fx, configDir);

      const r = await runCli(['token', '--format', 'env'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `export PIPEDRIVE_ACCESS_TOKEN='${tokens?.accessToken}'\nexport PIPEDRIVE_API_DOMAIN='${fx.emulator.url}'\n`,
      );
      expect(r.stderr).toBe('');
    });

    it('env output sets both variables when eval-ed by sh', async () => {
      const { tokens } = await seedLogin(fx, configDir);
      const r = await runCli(['token', '--format', 'env'], env());

      const shell = execFileSync(
        'sh',
        ['-c', 'eval "$1"; printf "%s|%s" "$PIPEDRIVE_ACCESS_TOKEN" "$PIPEDRIVE_API_DOMAIN"', 'sh', r.stdout],
        { encoding: 'utf8' },
      );

      expect(shell).toBe(`${tokens?.accessToken}|${fx.emulator.url}`);
    });

    it('header prints an Authorization header the API accepts', async () => {
      const { tokens } = await seedLogin(fx, configDir);

      const r = await runCli(['token', '--format', 'header'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`Authorization: Bearer ${tokens?.accessToken}\n`);
      const [name, value] = r.stdout.trimEnd().split(': ');
      const res = await fetch(`${fx.emulator.url}/api/v1/users/me`, {
        headers: { [name ?? '']: value ?? '' },
      });
      expect(res.status).toBe(200);
    });

    it('json prints profile, access_token, token_type, api_domain, expires_at, expires_in and scope', async () => {
      const { tokens } = await seedLogin(fx, configDir);

      const r = await runCli(['token', '--format', 'json'], env());

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
        api_domain: fx.emulator.url,
        expires_at: new Date(tokens?.expiresAt ?? 0).toISOString(),
        scope: ['base', 'deals:full'],
      });
      expect(json.expires_in).toBeGreaterThan(3000);
      expect(json.expires_in).toBeLessThanOrEqual(3600);
      expect(r.stderr).toBe('');
    });
  });

  describe('refresh when needed', () => {
    it('refreshes an expired token once, prints the new one and stores it', async () => {
      const before = (await seedLogin(fx, configDir)).tokens;
      await expireStoredToken();

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      const after = loggedIn(configDir).tokens;
      expect(after.accessToken).not.toBe(before?.accessToken);
      expect(r.stdout).toBe(`${after.accessToken}\n`);
      expect(after.refreshToken).toBe(before?.refreshToken);
      expect(after.expiresAt).toBeGreaterThan(Date.now());
    });

    it('keeps a token valid for 10 more minutes with the default margin (5 minutes)', async () => {
      const { tokens } = await seedLogin(fx, configDir);
      await setStoredExpiry(configDir, Date.now() + 10 * 60_000);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${tokens?.accessToken}\n`);
      expect(fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('refreshes a token valid for 10 more minutes when --min-valid asks for 15', async () => {
      const { tokens } = await seedLogin(fx, configDir);
      await setStoredExpiry(configDir, Date.now() + 10 * 60_000);

      const r = await runCli(['token', '--min-valid', '900'], env());

      expect(r.code).toBe(0);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      const after = loggedIn(configDir).tokens.accessToken;
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
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('exits 2 for an unknown --format; store unchanged', async () => {
      await seedLogin(fx, configDir);
      const before = storeBytes(configDir);

      const r = await runCli(['token', '--format', 'yaml'], env());

      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("argument 'yaml' is invalid");
      expect(r.stderr).toContain('raw, env, header, json');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 2 for a --min-valid that is not a whole number; store unchanged', async () => {
      await seedLogin(fx, configDir);
      const before = storeBytes(configDir);

      const r = await runCli(['token', '--min-valid', '5m'], env());

      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 4 with the login hint when the refresh token was revoked; store unchanged, nothing leaked', async () => {
      const seeded = await seedLogin(fx, configDir);
      await revokeAtEmulator(fx, seeded.tokens?.refreshToken ?? '');
      await expireStoredToken();
      const before = storeBytes(configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('rejected the refresh token');
      expect(r.stderr).toMatch(/hint:.*pd-auth login`/);
      expect(storeBytes(configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });

    it('exits 1 with the rotate-secret hint after the secret was regenerated; store unchanged', async () => {
      const seeded = await seedLogin(fx, configDir);
      fx.emulator.regenerateSecret();
      await expireStoredToken();
      const before = storeBytes(configDir);

      const r = await runCli(['token'], env());

      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('rejected the stored client secret');
      expect(r.stderr).toMatch(/hint:.*pd-auth rotate-secret`/);
      expect(storeBytes(configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });

    it('exits 1 when the OAuth host is down and the token expired; the stored tokens stay', async () => {
      const seeded = await seedLogin(fx, configDir);
      await expireStoredToken();
      const before = storeBytes(configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['token'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`could not reach ${dead}`);
      expect(storeBytes(configDir)).toEqual(before);
      expect(leakedSecrets(r.stderr, seeded)).toEqual([]);
    });
  });
});
