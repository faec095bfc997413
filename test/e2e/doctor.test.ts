// Over 150 lines: each check's real failing case against one emulator, plus the all-ok runs and --live.
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIds } from '../../src/doctor/check.js';
import { runCli, scriptedBrowser } from '../helpers/cli.js';
import {
  emulatorEnv,
  leakedSecrets,
  loggedIn,
  permissions,
  revokeAtEmulator,
  seedLogin,
  storeBytes,
  storePath,
} from '../helpers/fixtures.js';
import { emulatorSuite } from '../helpers/suite.js';

interface JsonCheck {
  id: string;
  title: string;
  result: string;
  reason: string;
  fix: string | null;
}

describe('pd-auth doctor (spawned, against the emulator)', () => {
  const suite = emulatorSuite();
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  /** A user with a browser command on PATH, the emulator as the OAuth host, and no colour. */
  const env = (extra: Record<string, string> = {}) =>
    emulatorEnv(suite.fx, suite.configDir, { BROWSER: scriptedBrowser(), FORCE_COLOR: '0', ...extra });
  const doctor = (args: string[] = [], extra: Record<string, string> = {}) =>
    runCli(['doctor', ...args], env(extra));
  const json = async (args: string[] = [], extra: Record<string, string> = {}) => {
    const r = await doctor(['--json', ...args], extra);
    const report = JSON.parse(r.stdout) as { result: string; checks: JsonCheck[] };
    const check = (id: string) => report.checks.find((c) => c.id === id) as JsonCheck;
    return { ...r, report, check };
  };
  const results = (checks: JsonCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c.result]));

  it('all ok after a login: one line a check, a summary, exit 0, and the store untouched', async () => {
    const seeded = await seedLogin(suite.fx, suite.configDir);
    const before = storeBytes(suite.configDir);

    const r = await doctor();

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('pd-auth doctor: profile "default"');
    const rows = [
      ['ok', 'Node.js'],
      ['ok', 'Store'],
      ['ok', 'Secret storage'],
      ['ok', 'Callback URL'],
      ['ok', 'Browser'],
      ['ok', 'OAuth host'],
      ['ok', 'API host'],
      ['ok', 'Clock'],
      ['ok', 'Credentials'],
      ['skip', 'Live refresh'],
    ];
    expect(lines.slice(1, -1).map((l) => l.slice(0, 21))).toEqual(
      rows.map(([m, t]) => `${m?.padEnd(4)} ${t?.padEnd(16)}`),
    );
    expect(lines.at(-1)).toBe('9 ok, 0 warnings, 0 failures, 1 skipped: nothing is broken');
    expect(r.stdout).toContain(`ok   API host        ${suite.fx.emulator.url} answers (HTTP 401)`);
    expect(leakedSecrets(r.stdout, seeded)).toEqual([]);
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('--json: the documented schema, every check id in order, exit 0', async () => {
    await seedLogin(suite.fx, suite.configDir);

    const r = await json();

    expect(r.code).toBe(0);
    expect(Object.keys(r.report)).toEqual(['schema', 'profile', 'store', 'live', 'result', 'checks']);
    expect(r.report).toMatchObject({
      schema: 1,
      profile: 'default',
      store: storePath(suite.configDir),
      live: false,
      result: 'ok',
    });
    expect(r.report.checks.map((c) => c.id)).toEqual([...checkIds]);
    for (const c of r.report.checks)
      expect(Object.keys(c)).toEqual(['id', 'title', 'result', 'reason', 'fix']);
    expect(r.check('live')).toMatchObject({ result: 'skipped', fix: null });
  });

  it('--live refreshes once through the product flow, stores the new token, and prints no secret', async () => {
    const seeded = await seedLogin(suite.fx, suite.configDir);

    const r = await json(['--live', '--verbose']);

    expect(r.code).toBe(0);
    expect(r.check('live').result).toBe('ok');
    expect(r.check('live').reason).toContain('Pipedrive accepted the client secret and the refresh token');
    expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
    const after = loggedIn(suite.configDir);
    expect(after.tokens.accessToken).not.toBe(seeded.tokens?.accessToken);
    const output = r.stdout + r.stderr;
    expect([...leakedSecrets(output, seeded), ...leakedSecrets(output, after)]).toEqual([]);
  });

  it('--live with a revoked grant fails: log in again (exit 1, store unchanged)', async () => {
    const seeded = await seedLogin(suite.fx, suite.configDir);
    await revokeAtEmulator(suite.fx, seeded.tokens?.refreshToken ?? '');
    const before = storeBytes(suite.configDir);

    const r = await json(['--live']);

    expect(r.code).toBe(1);
    expect(r.report.result).toBe('failure');
    expect(r.check('live')).toMatchObject({ result: 'failure', fix: 'run `pd-auth login`' });
    expect(r.check('live').reason).toContain('Pipedrive rejected the refresh token');
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('--live with a regenerated client secret fails: rotate-secret', async () => {
    await seedLogin(suite.fx, suite.configDir);
    suite.fx.emulator.regenerateSecret();

    const r = await json(['--live']);

    expect(r.code).toBe(1);
    expect(r.check('live').reason).toContain('Pipedrive rejected the stored client secret');
    expect(r.check('live').fix).toContain('pd-auth rotate-secret');
  });

  it('a busy callback port fails, naming the process that holds it', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(suite.fx.callbackPort, '127.0.0.1', r));

    const r = await json();

    expect(r.code).toBe(1);
    const c = r.check('callback');
    expect(c.result).toBe('failure');
    expect(c.reason).toContain(`port ${suite.fx.callbackPort} is in use on 127.0.0.1 (held by `);
    if (process.platform === 'linux') expect(c.reason).toMatch(new RegExp(`\\(pid ${process.pid}\\)`));
    expect(c.fix).toContain(`lsof -i :${suite.fx.callbackPort}`);
  });

  it('a 0644 store is a warning with the chmod to run (exit 0), and doctor leaves the mode alone', async () => {
    await seedLogin(suite.fx, suite.configDir);
    chmodSync(storePath(suite.configDir), 0o644);
    const before = storeBytes(suite.configDir);

    const r = await doctor();

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`warn Store           ${storePath(suite.configDir)} is mode 0644`);
    expect(r.stdout).toContain(`       fix: chmod 600 ${storePath(suite.configDir)}\n`);
    expect(r.stderr).toBe('');
    expect(permissions(storePath(suite.configDir))).toBe(0o644);
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('an invalid store fails, naming the file; the checks that need it are skipped; nothing changes', async () => {
    await seedLogin(suite.fx, suite.configDir);
    writeFileSync(storePath(suite.configDir), '{"version": 3, "profiles": ');
    const before = storeBytes(suite.configDir);

    const r = await json(['--live']);

    expect(r.code).toBe(1);
    expect(r.check('store')).toMatchObject({
      result: 'failure',
      reason: `cannot read the pd-auth store ${storePath(suite.configDir)}: it is not valid JSON`,
    });
    expect([r.check('credentials').result, r.check('live').result]).toEqual(['skipped', 'skipped']);
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it.each([
    [2 * 60_000, 'warning', 0, /(1m 59s|2m|2m 1s) behind/],
    [-10 * 60_000, 'failure', 1, /(9m 59s|10m|10m 1s) ahead of/],
  ])('a Date header %i ms off is a %s (exit %i): %s', async (skewMs, result, code, words) => {
    await seedLogin(suite.fx, suite.configDir);
    const date = new Date(Date.now() + skewMs).toUTCString();
    suite.fx.emulator.injectFaults([{ path: '/oauth/token', status: 200, headers: { date }, times: 1 }]);

    const r = await json();

    expect(r.code).toBe(code);
    expect(r.check('clock').result).toBe(result);
    expect(r.check('clock').reason).toMatch(words);
    expect(r.check('clock').reason).toContain(`${new URL(suite.fx.emulator.url).host}'s`);
    expect(r.check('clock').fix).toContain('NTP');
  });

  it('before any login: only warnings (not logged in), exit 0; a bad --profile is a usage error (exit 2)', async () => {
    const r = await json(['--profile', 'sandbox']);

    expect(r.code).toBe(0);
    expect(results(r.report.checks)).toMatchObject({
      credentials: 'warning',
      'api-host': 'skipped',
      live: 'skipped',
    });
    expect(r.check('credentials').fix).toBe('run `pd-auth login --profile sandbox`');
    expect(storeBytes(suite.configDir)).toBeUndefined();
    expect((await doctor(['--profile', 'not a name'])).code).toBe(2);
  });
});
