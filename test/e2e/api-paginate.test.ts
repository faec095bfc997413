import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { loggedIn, seedLogin } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('pd-auth api --paginate and the v1 hint (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  let apiBefore: number;
  const api = (args: string[]) =>
    runCli(['api', ...args], cliEnv({ PD_AUTH_CONFIG_DIR: configDir }), undefined, 20_000);
  const apiRequests = () => fx.emulator.stats.apiRequests - apiBefore;

  /** A direct call with the stored token, outside the command under test. */
  async function direct(path: string, init: RequestInit = {}): Promise<string> {
    const headers = { ...init.headers, Authorization: `Bearer ${loggedIn(configDir).tokens.accessToken}` };
    return (await fetch(`${fx.emulator.url}${path}`, { ...init, headers })).text();
  }

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    await seedLogin(fx, configDir);
    // Five deals in all: the two seeded ones and three more.
    for (const title of ['three', 'four', 'five']) {
      await direct('/api/v2/deals', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title }),
      });
    }
    apiBefore = fx.emulator.stats.apiRequests;
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  const ids = (stdout: string) => (JSON.parse(stdout) as Array<{ id: number }>).map((d) => d.id);

  it('follows v2 next_cursor over three pages and prints one JSON array, no hint', async () => {
    const r = await api(['v2/deals?limit=2', '--paginate']);

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(ids(r.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(apiRequests()).toBe(3);
  });

  it('follows v1 next_start over three pages, with the out-of-support hint', async () => {
    const r = await api(['deals?limit=2', '--paginate']);

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('hint: v1 deals went out of support on 2026-08-01; use v2/deals\n');
    expect(ids(r.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(apiRequests()).toBe(3);
  });

  it.each([
    ['v2', 'v2/deals?limit=2', '/api/v2/deals'],
    ['v1', 'v1/deals?limit=2', '/api/v1/deals'],
  ])('%s: waits out a 429 on the second page and goes on', async (_v, path, apiPath) => {
    // The first page is served by a 200 fault holding the real first page, so the 429 fault
    // after it meets the second request, whatever the timing.
    const first = await direct(`${apiPath}?limit=2`);
    fx.emulator.injectFaults([
      { path: apiPath, status: 200, body: first },
      { path: apiPath, status: 429, headers: { 'retry-after': '1' } },
    ]);
    apiBefore = fx.emulator.stats.apiRequests;

    const r = await api([path, '--paginate']);

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Rate limited by Pipedrive (429); retrying in 1s (1/3)\n');
    expect(ids(r.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(apiRequests()).toBe(4);
  });

  it('refreshes after a 401 on the second page and goes on', async () => {
    const first = await direct('/api/v2/deals?limit=2');
    fx.emulator.injectFaults([
      { path: '/api/v2/deals', status: 200, body: first },
      { path: '/api/v2/deals', status: 401 },
    ]);
    apiBefore = fx.emulator.stats.apiRequests;

    const r = await api(['v2/deals?limit=2', '--paginate']);

    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(fx.emulator.stats.refreshGrants).toBe(1);
    expect(apiRequests()).toBe(4);
  });

  it('exits 1 with nothing on stdout when a page fails', async () => {
    const first = await direct('/api/v2/deals?limit=2');
    fx.emulator.injectFaults([
      { path: '/api/v2/deals', status: 200, body: first },
      { path: '/api/v2/deals', status: 403, body: JSON.stringify({ success: false, error: 'Forbidden' }) },
    ]);

    const r = await api(['v2/deals?limit=2', '--paginate']);

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('/api/v2/deals?limit=2&cursor=');
    expect(r.stderr).toContain('answered 403: Forbidden');
    expect(r.stderr).toMatch(/hint:.*scopes/);
  });

  it('refuses an answer that is not a paginated list: exit 1, nothing on stdout', async () => {
    const r = await api(['v2/deals/1', '--paginate']);

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--paginate: page 1 (GET ');
    expect(r.stderr).toContain('is not a paginated list: its data is not a list');
  });

  it.each([
    [['-X', 'POST', 'v2/deals']],
    [['-X', 'delete', 'v2/deals/1']],
    [['-d', '{"title":"x"}', 'v2/deals']],
  ])('refuses --paginate with %j: exit 2, nothing sent', async (args) => {
    const r = await api([...args, '--paginate']);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--paginate reads lists: use it with GET and no -d');
    expect(apiRequests()).toBe(0);
  });

  it('hints at PATCH v2 for PUT on a v1 deal, and still sends the request', async () => {
    const r = await api(['-X', 'PUT', '/api/v1/deals/1', '-d', '{"title":"x"}']);

    expect(r.stderr).toContain('hint: v1 deals went out of support on 2026-08-01; use -X PATCH v2/deals/1\n');
    expect(apiRequests()).toBe(1);
  });

  it('gives users/me no hint', async () => {
    const r = await api(['users/me']);

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
