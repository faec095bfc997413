import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import {
  leakedSecrets,
  loggedIn,
  readStore,
  revokeAtEmulator,
  seedLogin,
  setStoredExpiry,
  storeBytes,
  storePath,
} from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { expiryTexts, timed } from '../helpers/run-window.js';
import { emulatorSuite } from '../helpers/suite.js';

const secret = 'status-secret-0123456789';

interface StatusJson {
  schema: number;
  store: string;
  profiles: Array<Record<string, unknown>>;
}

describe('pd-auth status (spawned, against the emulator)', () => {
  const suite = emulatorSuite({ clientId: 'status-app', clientSecret: secret });
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });
  const statusJson = (stdout: string) => JSON.parse(stdout) as StatusJson;

  describe('live', () => {
    it('exits 0 and shows user, company, api_domain, scopes, expiry, lapse, app and store', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const usersMe = suite.fx.emulator.stats.usersMe;

      const r = await timed(() => runCli(['status'], env()));

      expect(r.code).toBe(0);
      const row = (name: string, value: string) =>
        expect(r.stdout).toMatch(new RegExp(`^  ${name}:\\s+(?:${value})$`, 'm'));
      const rowText = (name: string) => new RegExp(`^  ${name}:\\s+(.*)$`, 'm').exec(r.stdout)?.[1];
      const { tokens } = loggedIn(suite.configDir);
      expect(r.stdout.split('\n')[0]).toBe('default (active): logged in (checked live)');
      row('User', 'Emma Ulator <emma@example\\.test> \\(id 1001\\)');
      row('Company', 'Emulated Company \\(emulated, id 2002\\)');
      row('API domain', suite.fx.emulator.url.replace(/\./g, '\\.'));
      row('Scopes', 'base, deals:full');
      // The date and how far off it is, on the clock of the run itself (e.g. "in 59m 58s").
      expect(expiryTexts(tokens.expiresAt, r)).toContain(rowText('Access token expires'));
      const lapsesAt = tokens.refreshTokenUsedAt + 60 * 86_400_000;
      expect(expiryTexts(lapsesAt, r).map((t) => `${t} unless used`)).toContain(
        rowText('Refresh token lapses'),
      );
      row('Client id', 'status-app');
      row('Client secret', 'stat…6789');
      row('Redirect URI', suite.fx.redirectUri.replace(/\./g, '\\.'));
      row('Store', storePath(suite.configDir).replace(/\./g, '\\.'));
      expect(suite.fx.emulator.stats.usersMe).toBe(usersMe + 1);
    });

    it('never shows the access token, the refresh token or the client secret', async () => {
      await seedLogin(suite.fx, suite.configDir);

      const r = await runCli(['status'], env());

      expect(r.code).toBe(0);
      expect(leakedSecrets(r.stdout + r.stderr, loggedIn(suite.configDir))).toEqual([]);
    });

    it('--json has the documented fields and no token or secret anywhere in it', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const { tokens } = loggedIn(suite.configDir);

      const r = await runCli(['status', '--json'], env());

      expect(r.code).toBe(0);
      const json = statusJson(r.stdout);
      expect(Object.keys(json)).toEqual(['schema', 'store', 'profiles']);
      expect(json.schema).toBe(1);
      expect(json.store).toBe(storePath(suite.configDir));
      expect(json.profiles).toEqual([
        {
          name: 'default',
          active: true,
          state: 'valid',
          checked: 'live',
          user: { id: 1001, name: 'Emma Ulator', email: 'emma@example.test' },
          company: { id: 2002, name: 'Emulated Company', domain: 'emulated' },
          api_domain: suite.fx.emulator.url,
          scopes: ['base', 'deals:full'],
          access_token_expires_at: new Date(tokens.expiresAt).toISOString(),
          refresh_token_lapses_at: new Date(tokens.refreshTokenUsedAt + 60 * 86_400_000).toISOString(),
          client_id: 'status-app',
          client_secret_stored: true,
          storage: 'file',
          storage_fallback: null,
          redirect_uri: suite.fx.redirectUri,
          oauth_url: suite.fx.emulator.url,
          error: null,
        },
      ]);
      expect(leakedSecrets(r.stdout, loggedIn(suite.configDir))).toEqual([]);
    });

    it('refreshes an expired access token first (one refresh grant) and exits 0', async () => {
      const before = (await seedLogin(suite.fx, suite.configDir)).tokens;
      await setStoredExpiry(suite.configDir, Date.now() - 60_000);

      const r = await runCli(['status', '--json'], env());

      expect(r.code).toBe(0);
      expect(statusJson(r.stdout).profiles[0]).toMatchObject({ state: 'valid', checked: 'live' });
      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
      expect(loggedIn(suite.configDir).tokens.accessToken).not.toBe(before?.accessToken);
    });

    it('refreshes once and succeeds when the API refuses a token that looks valid (401)', async () => {
      const before = (await seedLogin(suite.fx, suite.configDir)).tokens;
      suite.fx.emulator.expireAccessTokens();
      const usersMe = suite.fx.emulator.stats.usersMe;

      const r = await runCli(['status', '--json'], env());

      expect(r.code).toBe(0);
      expect(statusJson(r.stdout).profiles[0]).toMatchObject({ state: 'valid', error: null });
      expect(suite.fx.emulator.stats).toMatchObject({ refreshGrants: 1, usersMe: usersMe + 2 });
      expect(loggedIn(suite.configDir).tokens.accessToken).not.toBe(before?.accessToken);
    });

    it('exits 4 with state login_needed when the refresh token was revoked; store unchanged', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await revokeAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');
      const before = storeBytes(suite.configDir);

      const r = await runCli(['status', '--json'], env());

      expect(r.code).toBe(4);
      expect(statusJson(r.stdout).profiles[0]).toMatchObject({
        state: 'login_needed',
        error: {
          message: expect.stringContaining('rejected the refresh token'),
          hint: 'run `pd-auth login`',
        },
      });
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stdout + r.stderr, seeded)).toEqual([]);
    });

    it('exits 1 with state error when the API connection drops; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      // More drops than the retries (3) the users/me read gets.
      suite.fx.emulator.injectFaults([
        { path: '/api/v1/users/me', status: 500, dropConnection: true, times: 10 },
      ]);
      const before = storeBytes(suite.configDir);

      const r = await runCli(['status'], env());

      expect(r.code).toBe(1);
      expect(r.stdout.split('\n')[0]).toBe('default (active): check failed (checked live)');
      expect(r.stdout).toMatch(/^ {2}error: could not reach .*\/api\/v1\/users\/me/m);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });

    it('exits 1 when the OAuth host is down and the token needs a refresh; store unchanged', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);
      await setStoredExpiry(suite.configDir, Date.now() - 60_000);
      const before = storeBytes(suite.configDir);
      const dead = `http://127.0.0.1:${await freePort()}`;

      const r = await runCli(['status', '--json'], env({ PD_AUTH_OAUTH_URL: dead }));

      expect(r.code).toBe(1);
      expect(statusJson(r.stdout).profiles[0]).toMatchObject({
        state: 'error',
        error: { message: expect.stringContaining(`could not reach ${dead}`) },
      });
      expect(storeBytes(suite.configDir)).toEqual(before);
      expect(leakedSecrets(r.stdout + r.stderr, seeded)).toEqual([]);
    });
  });

  describe('offline', () => {
    it('makes no HTTP call at all and exits 0', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const stats = suite.fx.emulator.stats;

      const r = await runCli(['status', '--offline'], env());

      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('default (active): logged in');
      expect(r.stdout).toMatch(/^ {2}User:\s+Emma Ulator <emma@example\.test> \(id 1001\)$/m);
      expect(suite.fx.emulator.stats).toEqual(stats);
    });

    it('reports an expired access token as expired without refreshing it', async () => {
      await seedLogin(suite.fx, suite.configDir);
      await setStoredExpiry(suite.configDir, Date.now() - 60_000);
      const before = storeBytes(suite.configDir);
      const stats = suite.fx.emulator.stats;

      const r = await runCli(['status', '--offline', '--json'], env());

      expect(r.code).toBe(0);
      expect(statusJson(r.stdout).profiles[0]).toMatchObject({ state: 'expired', checked: 'offline' });
      expect(suite.fx.emulator.stats).toEqual(stats);
      expect(storeBytes(suite.configDir)).toEqual(before);
    });
  });

  it('--all shows two profiles of two apps, each checked at its own emulator', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const sandbox = await suite.emulator({
      clientId: 'sandbox-app',
      user: { name: 'Sandy Box', email: 'sandy@sandbox.test', company_name: 'Sandbox Co' },
    });
    await seedLogin(sandbox, suite.configDir, { profile: 'sandbox' });
    const [before, sandboxBefore] = [suite.fx.emulator.stats.usersMe, sandbox.emulator.stats.usersMe];

    const r = await runCli(['status', '--all', '--json'], env());

    expect(r.code).toBe(0);
    const list = statusJson(r.stdout).profiles;
    expect(list.map((p) => [p.name, p.active, p.state, p.client_id, p.api_domain])).toEqual([
      ['default', true, 'valid', 'status-app', suite.fx.emulator.url],
      ['sandbox', false, 'valid', 'sandbox-app', sandbox.emulator.url],
    ]);
    expect(list[1]).toMatchObject({ user: { name: 'Sandy Box' }, company: { name: 'Sandbox Co' } });
    expect(suite.fx.emulator.stats.usersMe).toBe(before + 1);
    expect(sandbox.emulator.stats.usersMe).toBe(sandboxBefore + 1);
    for (const name of ['default', 'sandbox'])
      expect(leakedSecrets(r.stdout, loggedIn(suite.configDir, name))).toEqual([]);
  });

  it('--all exits 4 when one of the profiles is logged out', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await seedLogin(suite.fx, suite.configDir, { profile: 'other' });
    expect((await runCli(['logout', '--profile', 'other'], env())).code).toBe(0);

    const r = await runCli(['status', '--all', '--json'], env());

    expect(r.code).toBe(4);
    expect(statusJson(r.stdout).profiles.map((p) => [p.name, p.state])).toEqual([
      ['default', 'valid'],
      ['other', 'not_logged_in'],
    ]);
  });

  it('exits 4 "not logged in" when nothing is stored, and creates no store', async () => {
    const r = await runCli(['status'], env());

    expect(r.code).toBe(4);
    expect(r.stdout.split('\n')[0]).toBe('default (active): not logged in');
    expect(r.stdout).toContain('hint: run `pd-auth login`');
    expect(storeBytes(suite.configDir)).toBeUndefined();
  });

  it('exits 2 for --all together with --profile; store unchanged', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const before = readStore(suite.configDir);

    const r = await runCli(['status', '--all', '--profile', 'default'], env());

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use either --profile or --all');
    expect(readStore(suite.configDir)).toEqual(before);
  });
});
