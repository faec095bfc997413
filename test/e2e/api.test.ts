import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { leakedSecrets, loggedIn, seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { spawnCliPty } from '../helpers/pty.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface Body {
  success: boolean;
  data: Record<string, unknown> & Array<Record<string, unknown>>;
  additional_data?: Record<string, unknown>;
  error?: string;
}

describe('pd-auth api (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  const env = () => cliEnv({ PD_AUTH_CONFIG_DIR: configDir });
  const api = (args: string[], input?: string) => runCli(['api', ...args], env(), input, 15_000);
  const body = (stdout: string) => JSON.parse(stdout) as Body;
  /** API requests made by the command under test (login makes one to users/me). */
  let apiBefore: number;

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    await seedLogin(fx, configDir);
    apiBefore = fx.emulator.stats.apiRequests;
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });
  const apiRequests = () => fx.emulator.stats.apiRequests - apiBefore;

  describe('success', () => {
    it('GET users/me prints the body as received (not a terminal), nothing on stderr', async () => {
      const r = await api(['users/me']);

      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(body(r.stdout).data).toMatchObject({ id: 1001, name: 'Emma Ulator', company_id: 2002 });
      expect(apiRequests()).toBe(1);
    });

    it('GET deals lists the deals', async () => {
      const r = await api(['deals']);

      expect(r.code).toBe(0);
      expect(body(r.stdout).data.map((d) => d.title)).toEqual(['Emulated deal one', 'Emulated deal two']);
    });

    it('POST deals -d JSON creates a deal and prints it (201)', async () => {
      const r = await api(['deals', '-d', '{"title":"x"}']);

      expect(r.code).toBe(0);
      expect(body(r.stdout)).toMatchObject({ success: true, data: { id: 3, title: 'x', user_id: 1001 } });
      const list = await api(['deals']);
      expect(body(list.stdout).data.map((d) => d.title)).toContain('x');
    });

    it('-d @file sends the file', async () => {
      const file = join(tmp.path, 'deal.json');
      writeFileSync(file, '{"title":"from a file"}');

      const r = await api(['deals', '-d', `@${file}`]);

      expect(r.code).toBe(0);
      expect(body(r.stdout).data).toMatchObject({ title: 'from a file' });
    });

    it('-d - sends stdin', async () => {
      const r = await api(['deals', '-d', '-'], '{"title":"from stdin"}\n');

      expect(r.code).toBe(0);
      expect(body(r.stdout).data).toMatchObject({ title: 'from stdin' });
    });

    it('v2/deals calls /api/v2/deals (v2 shape: owner_id, next_cursor)', async () => {
      const r = await api(['v2/deals']);

      expect(r.code).toBe(0);
      const b = body(r.stdout);
      expect(b.data[0]).toMatchObject({ id: 1, owner_id: 1001 });
      expect(b.additional_data).toEqual({ next_cursor: null });
    });

    it('/api/v1/deals is used as given', async () => {
      const r = await api(['/api/v1/deals']);

      expect(r.code).toBe(0);
      expect(body(r.stdout).data[0]).toMatchObject({ id: 1, user_id: 1001 });
    });

    it('--verbose shows the requests and the refresh on stderr, but no token or secret', async () => {
      const before = loggedIn(configDir);
      fx.emulator.expireAccessTokens();

      const r = await runCli(['api', '--verbose', 'users/me'], env());

      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`[debug] GET ${fx.emulator.url}/api/v1/users/me`);
      expect(r.stderr).toContain('grant_type=refresh_token');
      expect(leakedSecrets(r.stderr, before)).toEqual([]);
      expect(leakedSecrets(r.stderr, loggedIn(configDir))).toEqual([]);
    });

    it('pretty-prints the JSON on a terminal', async () => {
      const pty = spawnCliPty(['api', 'users/me'], env());
      try {
        const { exitCode } = await pty.exited;

        expect(exitCode).toBe(0);
        expect(pty.screen()).toMatch(/^\{\r?\n {2}"success": true,\r?\n {2}"data": \{\r?\n {4}"id": 1001,/);
      } finally {
        pty.stop();
      }
    });

    it('refreshes once after a 401 and retries: one refresh grant, two API requests', async () => {
      const before = loggedIn(configDir).tokens.accessToken;
      fx.emulator.expireAccessTokens();

      const r = await api(['users/me']);

      expect(r.code).toBe(0);
      expect(body(r.stdout).data).toMatchObject({ id: 1001 });
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      expect(apiRequests()).toBe(2);
      expect(loggedIn(configDir).tokens.accessToken).not.toBe(before);
    });

    it('waits and retries after a 429, saying so on stderr', async () => {
      fx.emulator.injectFaults([{ path: '/api/v1/deals', status: 429, times: 1 }]);

      const r = await api(['deals']);

      expect(r.code).toBe(0);
      expect(r.stderr).toBe(
        'hint: v1 deals went out of support on 2026-08-01; use v2/deals\n' +
          'Rate limited by Pipedrive (429); retrying in 1s (1/3)\n',
      );
      expect(body(r.stdout).data).toHaveLength(2);
      expect(apiRequests()).toBe(2);
    });
  });

  describe('failure', () => {
    it("exits 1 on a 404, with Pipedrive's message on stderr and the body on stdout", async () => {
      const r = await api(['-X', 'DELETE', 'deals/1']);

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error: DELETE ${fx.emulator.url}/api/v1/deals/1 answered 404: Unknown method .`,
      );
      expect(body(r.stdout)).toMatchObject({ success: false, error: 'Unknown method .' });
      expect(leakedSecrets(r.stderr, loggedIn(configDir))).toEqual([]);
    });

    it("exits 1 on a 400 with Pipedrive's message", async () => {
      const r = await api(['deals', '-d', '{}']);

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('answered 400: Title is required');
    });

    it('refuses a full URL with exit 2 and sends nothing', async () => {
      const before = storeBytes(configDir);

      const r = await api(['https://evil.example/api/v1/users/me']);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not a URL');
      expect(r.stdout).toBe('');
      expect(apiRequests()).toBe(0);
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('refuses a full URL before refreshing an expired token: exit 2, store unchanged', async () => {
      await setStoredExpiry(configDir, Date.now() - 60_000);
      const before = storeBytes(configDir);

      const r = await api(['https://evil.example/api/v1/users/me']);

      expect(r.code).toBe(2);
      expect(fx.emulator.stats.refreshGrants).toBe(0);
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('refuses a protocol-relative URL with exit 2', async () => {
      const r = await api(['//evil.example/x']);

      expect(r.code).toBe(2);
      expect(apiRequests()).toBe(0);
    });

    it('refuses -H Authorization with exit 2 and sends nothing', async () => {
      const before = storeBytes(configDir);

      const r = await api(['-H', 'Authorization: x', 'users/me']);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pd-auth sets the Authorization header itself');
      expect(apiRequests()).toBe(0);
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('exits 2 for an unsupported method', async () => {
      const r = await api(['-X', 'TRACE', 'deals']);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unsupported method TRACE');
      expect(apiRequests()).toBe(0);
    });

    it('gives up after 3 retries of a 429 (4 requests) and exits 1', async () => {
      fx.emulator.injectFaults([
        { path: '/api/v1/deals', status: 429, times: 10, headers: { 'retry-after': '0' } },
      ]);

      const r = await api(['deals']);

      expect(r.code).toBe(1);
      expect(apiRequests()).toBe(4);
      expect(r.stderr).toContain('retrying in 0s (3/3)');
      expect(r.stderr).not.toContain('(4/3)');
      expect(r.stderr).toContain('answered 429: Rate limit exceeded');
      expect(r.stderr).toMatch(/hint:.*rate limit did not clear/);
    });

    it('does not wait for a Retry-After over 60 s: exits 1 after one request', async () => {
      fx.emulator.injectFaults([{ path: '/api/v1/deals', status: 429, headers: { 'retry-after': '3600' } }]);

      const r = await api(['deals']);

      expect(r.code).toBe(1);
      expect(apiRequests()).toBe(1);
      expect(r.stderr).not.toContain('retrying');
      expect(r.stderr).toContain('answered 429');
    });

    it('exits 4 when the API refuses even a freshly refreshed token', async () => {
      fx.emulator.injectFaults([{ path: '/api/v1/users/me', status: 401, times: 2 }]);
      const before = loggedIn(configDir);

      const r = await api(['users/me']);

      expect(r.code).toBe(4);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
      expect(apiRequests()).toBe(2);
      expect(r.stderr).toMatch(/hint:.*pd-auth login`/);
      expect(leakedSecrets(r.stderr, before)).toEqual([]);
      expect(leakedSecrets(r.stderr, loggedIn(configDir))).toEqual([]);
    });

    it('exits 2 when the -d @file cannot be read; nothing sent', async () => {
      const r = await api(['deals', '-d', `@${join(tmp.path, 'missing.json')}`]);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot read');
      expect(apiRequests()).toBe(0);
    });
  });
});
