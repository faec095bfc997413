import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { runStatus } from '../../../src/commands/status.js';
import { statusJson } from '../../../src/commands/status-output.js';
import { runToken } from '../../../src/commands/token.js';
import type { ProfileStatus } from '../../../src/flows/status.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { leakedSecrets, loggedIn, readProfile, seedLogin, storeBytes } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps } from '../../helpers/test-deps.js';

/** The login happens at this instant (pd-auth's clock); the emulator keeps real time. */
const loginAt = Date.UTC(2026, 0, 2, 3, 4, 5);
const minutes = (n: number) => n * 60_000;

describe('token and status commands (in-process, fixed clock)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const deps = (now = loginAt) => makeTestDeps({ configDir: tmp.path, now: () => now });
  const seed = (profile = 'default') => seedLogin(fx, tmp.path, { profile, now: () => loginAt });

  beforeEach(async () => {
    fx = await startTestEmulator({ clientId: 'cmd-app', clientSecret: 'cmd-secret-abcdefgh' });
    tmp = makeTempDir();
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  describe('runToken', () => {
    it('json: expiry from the fixed clock, nothing refreshed', async () => {
      const { tokens } = await seed();
      const t = deps(loginAt + minutes(10));

      await runToken({ profile: 'default', format: 'json' }, t.deps);

      expect(JSON.parse(t.stdout())).toEqual({
        profile: 'default',
        access_token: tokens?.accessToken,
        token_type: 'Bearer',
        api_domain: fx.emulator.url,
        expires_at: '2026-01-02T04:04:05.000Z',
        expires_in: 3000,
        scope: ['base', 'deals:full'],
      });
      expect(t.stderr()).toBe('');
      expect(fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('refreshes first when the token expires within the default 5 minutes', async () => {
      const { tokens } = await seed();
      const now = loginAt + minutes(56);
      const t = deps(now);

      await runToken({ profile: 'default', format: 'json' }, t.deps);

      const json = JSON.parse(t.stdout()) as { access_token: string; expires_in: number };
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      expect(json.access_token).not.toBe(tokens?.accessToken);
      expect(json.expires_in).toBe(3600);
      expect(loggedIn(tmp.path).tokens).toMatchObject({
        accessToken: json.access_token,
        expiresAt: now + minutes(60),
        refreshTokenUsedAt: now,
      });
    });

    it('keeps a token with 10 minutes left when minValidSeconds is 300', async () => {
      const { tokens } = await seed();
      const t = deps(loginAt + minutes(50));

      await runToken({ profile: 'default', format: 'raw', minValidSeconds: 300 }, t.deps);

      expect(t.stdout()).toBe(`${tokens?.accessToken}\n`);
      expect(fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('refreshes a token with 10 minutes left when minValidSeconds is 900', async () => {
      const { tokens } = await seed();
      const t = deps(loginAt + minutes(50));

      await runToken({ profile: 'default', format: 'raw', minValidSeconds: 900 }, t.deps);

      expect(t.stdout()).not.toBe(`${tokens?.accessToken}\n`);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('header: one Authorization line', async () => {
      const { tokens } = await seed();
      const t = deps();

      await runToken({ profile: 'default', format: 'header' }, t.deps);

      expect(t.stdout()).toBe(`Authorization: Bearer ${tokens?.accessToken}\n`);
    });

    it('env: quotes a token with quotes and $(...) so eval sets it verbatim and runs nothing', async () => {
      const seeded = await seed();
      const marker = join(tmp.path, 'ran');
      const odd = `a'b"c$(touch ${marker})\`x\``;
      await openProfileStore(tmp.path).update('default', (p) =>
        p?.tokens ? { ...p, tokens: { ...p.tokens, accessToken: odd } } : p,
      );
      const t = deps();

      await runToken({ profile: 'default', format: 'env' }, t.deps);
      const value = execFileSync(
        'sh',
        ['-c', 'eval "$1"; printf %s "$PIPEDRIVE_ACCESS_TOKEN"', 'sh', t.stdout()],
        {
          encoding: 'utf8',
        },
      );

      expect(value).toBe(odd);
      expect(existsSync(marker)).toBe(false);
      expect(seeded.tokens?.apiDomain).toBe(fx.emulator.url);
    });

    it('main: exit 2 and the allowed formats for an unknown --format; store unchanged', async () => {
      await seed();
      const before = storeBytes(tmp.path);
      const t = deps();

      const code = await main(['token', '--format', 'yaml'], t.deps);

      expect(code).toBe(2);
      expect(t.stderr()).toContain(
        "error: option '--format <format>' argument 'yaml' is invalid. Allowed choices are raw, env, header, json.",
      );
      expect(t.stdout()).toBe('');
      expect(storeBytes(tmp.path)).toEqual(before);
    });

    it('main: exit 4 with error and hint lines when not logged in', async () => {
      const t = deps();

      const code = await main(['token', '--profile', 'sandbox'], t.deps);

      expect(code).toBe(4);
      expect(t.stderr()).toBe(
        'error: profile "sandbox" is not logged in\nhint: run `pd-auth login --profile sandbox`\n',
      );
      expect(t.stdout()).toBe('');
    });
  });

  describe('runStatus', () => {
    const scrub = (text: string) =>
      text
        .replaceAll(tmp.path, '<dir>')
        .replaceAll(fx.emulator.url, '<emulator>')
        .replaceAll(fx.redirectUri, '<redirect>');

    it('live: every row, the secret masked, no token', async () => {
      await seed();
      const t = deps(loginAt + minutes(15));

      const code = await runStatus({ profiles: ['default'], json: false, offline: false }, t.deps);

      expect(code).toBe(0);
      expect(scrub(t.stdout())).toMatchInlineSnapshot(`
        "default (active): logged in (checked live)
          User:                  Emma Ulator <emma@example.test> (id 1001)
          Company:               Emulated Company (emulated, id 2002)
          API domain:            <emulator>
          Scopes:                base, deals:full
          Access token expires:  2026-01-02 04:04 UTC (in 45m)
          Refresh token lapses:  2026-03-03 03:04 UTC (in 59d) unless used
          Client id:             cmd-app
          Client secret:         cmd-…efgh
          Redirect URI:          <redirect>
          OAuth host:            <emulator>
          Store:                 <dir>/profiles.json
          Secrets:               in the store file (mode 0600)
        "
      `);
      expect(leakedSecrets(t.stdout() + t.stderr(), loggedIn(tmp.path))).toEqual([]);
    });

    it('live: stores the user and company Pipedrive reports when they changed', async () => {
      await seed();
      await openProfileStore(tmp.path).update('default', (p) =>
        p ? { ...p, user: { id: 1001, name: 'Old Name', email: 'old@example.test' } } : p,
      );

      await runStatus({ profiles: ['default'], json: true, offline: false }, deps().deps);

      expect(readProfile(tmp.path)?.user).toEqual({
        id: 1001,
        name: 'Emma Ulator',
        email: 'emma@example.test',
      });
    });

    it('offline: an expired access token is "expired" (exit 0), with no HTTP call', async () => {
      await seed();
      const stats = fx.emulator.stats;
      const t = deps(loginAt + minutes(90));

      const code = await runStatus({ profiles: ['default'], json: false, offline: true }, t.deps);

      expect(code).toBe(0);
      expect(t.stdout().split('\n')[0]).toBe(
        'default (active): logged in; the access token has expired and will be refreshed on next use',
      );
      expect(t.stdout()).toContain('Access token expires:  2026-01-02 04:04 UTC (30m ago)');
      expect(fx.emulator.stats).toEqual(stats);
    });

    it('offline: a refresh token unused for 60 days means login_needed (exit 4)', async () => {
      await seed();
      const t = deps(loginAt + 61 * 24 * minutes(60));

      const code = await runStatus({ profiles: ['default'], json: true, offline: true }, t.deps);

      expect(code).toBe(4);
      const json = JSON.parse(t.stdout()) as { profiles: Array<{ state: string }> };
      expect(json.profiles[0]?.state).toBe('login_needed');
    });

    it('all with no profiles: says so on stderr and exits 4', async () => {
      const t = deps();

      const code = await runStatus({ profiles: 'all', json: false, offline: true }, t.deps);

      expect(code).toBe(4);
      expect(t.stdout()).toBe('');
      expect(t.stderr()).toBe('No profiles yet: run `pd-auth login`.\n');
    });

    it('statusJson: the documented fields in order; the secret only as client_secret_stored', () => {
      const s: ProfileStatus = {
        name: 'p',
        active: false,
        state: 'not_logged_in',
        checked: 'offline',
        user: null,
        company: null,
        apiDomain: null,
        scopes: [],
        accessTokenExpiresAt: null,
        refreshTokenLapsesAt: null,
        clientId: 'id',
        clientSecret: 'super-secret-value',
        storage: 'file',
        storageFallback: 'no session bus',
        redirectUri: '',
        oauthUrl: '',
        error: { message: 'm', hint: null },
      };

      const text = statusJson([s], '/store.json');

      expect(text).not.toContain('super-secret-value');
      expect(JSON.parse(text)).toEqual({
        schema: 1,
        store: '/store.json',
        profiles: [
          {
            name: 'p',
            active: false,
            state: 'not_logged_in',
            checked: 'offline',
            user: null,
            company: null,
            api_domain: null,
            scopes: [],
            access_token_expires_at: null,
            refresh_token_lapses_at: null,
            client_id: 'id',
            client_secret_stored: true,
            storage: 'file',
            storage_fallback: 'no session bus',
            redirect_uri: null,
            oauth_url: null,
            error: { message: 'm', hint: null },
          },
        ],
      });
    });
  });
});
