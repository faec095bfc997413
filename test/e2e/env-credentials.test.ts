// Over 150 lines: the cache, no cache, precedence, rotation and the library, one emulator each.
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, cliPath, runCli } from '../helpers/cli.js';
import { readStore, seedLogin, storeBytes } from '../helpers/fixtures.js';
import { filesHolding } from '../helpers/keyring-items.js';
import { canRunCliAs, copyCliForOtherUsers, nobody, runCliAs } from '../helpers/run-as.js';
import { emulatorSuite } from '../helpers/suite.js';

const isRoot = process.getuid?.() === 0;

/**
 * A CI job's credentials: PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET and PIPEDRIVE_REFRESH_TOKEN,
 * no login, no stored profile. The store is a cache where it can be written.
 */
describe('credentials from the environment (spawned CLI, against the emulator)', () => {
  const suite = emulatorSuite();
  /** A refresh token issued to the emulator's app, as a CI secret would hold it. */
  const ciSecrets = async () => {
    const p = await seedLogin(suite.fx, join(suite.tmp.path, 'laptop'));
    return {
      PIPEDRIVE_CLIENT_ID: p.clientId,
      PIPEDRIVE_CLIENT_SECRET: p.clientSecret ?? '',
      PIPEDRIVE_REFRESH_TOKEN: p.tokens?.refreshToken ?? '',
      PD_AUTH_OAUTH_URL: suite.fx.emulator.url,
    };
  };
  const ciEnv = (secrets: Record<string, string>, extra: Record<string, string> = {}) =>
    cliEnv({ ...secrets, PD_AUTH_CONFIG_DIR: suite.configDir, CI: 'true', ...extra });

  it('50 `pd-auth token` calls make one refresh; the cache holds no secret from the environment', async () => {
    const secrets = await ciSecrets();
    const before = suite.fx.emulator.stats.refreshGrants;

    const outputs: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await runCli(['token'], ciEnv(secrets));
      expect([r.code, r.stderr]).toEqual([0, '']);
      outputs.push(r.stdout);
    }

    expect(suite.fx.emulator.stats.refreshGrants - before).toBe(1);
    expect(new Set(outputs).size).toBe(1);
    expect(Object.keys(readStore(suite.configDir)?.envCache ?? {})).toHaveLength(1);
    expect(
      filesHolding(suite.configDir, [secrets.PIPEDRIVE_CLIENT_SECRET, secrets.PIPEDRIVE_REFRESH_TOKEN]),
    ).toEqual([]);
    console.log(
      `[env-credentials] 50 token calls with a cache: ${suite.fx.emulator.stats.refreshGrants - before} refresh`,
    );
  }, 180_000);

  it('exec, api, refresh and status work from the environment; status says where the credentials come from', async () => {
    const secrets = await ciSecrets();

    const exec = await runCli(
      ['exec', '--', 'sh', '-c', 'test -n "$PIPEDRIVE_ACCESS_TOKEN"'],
      ciEnv(secrets),
    );
    const api = await runCli(['api', 'users/me'], ciEnv(secrets));
    const refresh = await runCli(['refresh'], ciEnv(secrets));
    const status = await runCli(['status'], ciEnv(secrets));
    const json = JSON.parse((await runCli(['status', '--json'], ciEnv(secrets))).stdout);

    expect([exec.code, api.code, refresh.code, status.code]).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(api.stdout).data.name).toBe('Emma Ulator');
    expect(status.stdout).toMatch(
      /^\(environment\): logged in \(checked live\), credentials from the environment$/m,
    );
    expect(status.stdout).toContain('Credentials:           from the environment');
    expect(json.profiles[0]).toMatchObject({ name: '(environment)', state: 'valid', storage: 'environment' });
    expect(JSON.stringify(json)).not.toContain(secrets.PIPEDRIVE_REFRESH_TOKEN);
  });

  it('with a stored profile too: the environment wins, and a warning on stderr says so', async () => {
    const secrets = await ciSecrets();
    const stored = await seedLogin(suite.fx, suite.configDir);

    const r = await runCli(['token'], ciEnv(secrets));

    expect(r.code).toBe(0);
    expect(r.stdout.trim()).not.toBe(stored.tokens?.accessToken);
    expect(r.stderr).toContain(
      'warning: using the credentials from the environment (PIPEDRIVE_REFRESH_TOKEN); the profiles stored in',
    );
  });

  it('doctor --live checks them: credentials from the environment, accepted by Pipedrive', async () => {
    const secrets = await ciSecrets();

    const r = await runCli(['doctor', '--live', '--json'], ciEnv(secrets));

    const checks = Object.fromEntries(
      JSON.parse(r.stdout).checks.map((c: { id: string; result: string; reason: string }) => [c.id, c]),
    );
    expect(checks.credentials).toMatchObject({
      result: 'ok',
      reason: expect.stringContaining('credentials from the environment'),
    });
    expect(checks.live).toMatchObject({
      result: 'ok',
      reason: expect.stringContaining('Pipedrive accepted'),
    });
    expect(checks.storage.result).toBe('skipped');
    expect(r.stdout).not.toContain(secrets.PIPEDRIVE_REFRESH_TOKEN);
  });

  it('the library: getAccessToken uses them', async () => {
    const secrets = await ciSecrets();
    const script = `require(${JSON.stringify(join(process.cwd(), 'dist/pd-auth.cjs'))}).getAccessToken().then((t) => process.stdout.write(t.profile + ' ' + t.accessToken.slice(0, 4)))`;
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');

    const r = await promisify(execFile)(process.execPath, ['-e', script], { env: ciEnv(secrets) });

    expect(r.stdout).toBe('(environment) v1u:');
  });

  it.each([
    [
      ['token', '--profile', 'default'],
      {},
      'both PIPEDRIVE_REFRESH_TOKEN and --profile default choose credentials',
    ],
    [
      ['token'],
      { PD_AUTH_PROFILE: 'ci' },
      'both PIPEDRIVE_REFRESH_TOKEN and PD_AUTH_PROFILE=ci choose credentials',
    ],
    [
      ['status', '--all'],
      {},
      '--all lists the stored profiles, which are not used while PIPEDRIVE_REFRESH_TOKEN is set',
    ],
    [['login'], {}, 'PIPEDRIVE_REFRESH_TOKEN is set, so pd-auth uses the credentials from the environment'],
    [['logout'], {}, 'it will not log out meanwhile'],
    [['rotate-secret'], {}, 'it will not change a stored secret meanwhile'],
    [['export'], {}, 'it will not export a stored profile meanwhile'],
    [
      ['token'],
      { PIPEDRIVE_CLIENT_SECRET: '' },
      'PIPEDRIVE_REFRESH_TOKEN is set, but PIPEDRIVE_CLIENT_SECRET is not',
    ],
  ])('%j with %j is a usage error, and nothing is stored', async (args, extra, message) => {
    const secrets = await ciSecrets();
    const refreshes = suite.fx.emulator.stats.refreshGrants;

    const r = await runCli(args, ciEnv(secrets, extra));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(storeBytes(suite.configDir)).toBeUndefined();
    expect(suite.fx.emulator.stats.refreshGrants).toBe(refreshes);
  });

  it('a refresh token rotated by Pipedrive: said on stderr once, and the job goes on from the cache', async () => {
    const fx = await suite.emulator({ refreshTokenMode: 'rotate' });
    const p = await seedLogin(fx, join(suite.tmp.path, 'laptop'));
    const secrets = {
      PIPEDRIVE_CLIENT_ID: p.clientId,
      PIPEDRIVE_CLIENT_SECRET: p.clientSecret ?? '',
      PIPEDRIVE_REFRESH_TOKEN: p.tokens?.refreshToken ?? '',
      PD_AUTH_OAUTH_URL: fx.emulator.url,
    };

    const first = await runCli(['refresh'], ciEnv(secrets));
    const second = await runCli(['refresh'], ciEnv(secrets));
    const third = await runCli(['token'], ciEnv(secrets));

    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      'Pipedrive answered the refresh with a new refresh token, so PIPEDRIVE_REFRESH_TOKEN may stop working',
    );
    expect(second.code).toBe(0);
    expect(third.code).toBe(0);
    expect(fx.emulator.stats.refreshGrants).toBe(2);
    const entry = Object.values(readStore(suite.configDir)?.envCache ?? {})[0];
    expect(entry?.rotatedRefreshToken).toBeTruthy();
  });
});

describe('credentials from the environment with a read-only config directory', () => {
  const suite = emulatorSuite();
  let cli: string | undefined = cliPath;
  let copy: ReturnType<typeof copyCliForOtherUsers> | undefined;
  beforeAll(() => {
    if (!isRoot) return;
    // Root writes anywhere: the read-only case runs as nobody, from a copy it can reach if need be.
    copy = copyCliForOtherUsers();
    cli = copy.cliPath;
  });
  afterAll(() => copy?.remove());

  it('every call works, each with a refresh of its own, and nothing is written', async (ctx) => {
    const p = await seedLogin(suite.fx, join(suite.tmp.path, 'laptop'));
    const readOnly = join(suite.tmp.path, 'read-only');
    mkdirSync(readOnly, { mode: 0o755 });
    chmodSync(suite.tmp.path, 0o755);
    if (isRoot) {
      const probe = join(suite.tmp.path, 'probe');
      mkdirSync(probe);
      chownSync(probe, nobody, nobody);
      if (!cli || !canRunCliAs(cli, nobody, probe)) ctx.skip(`uid ${nobody} cannot run the CLI here`);
    } else chmodSync(readOnly, 0o555);
    const env = cliEnv({
      PIPEDRIVE_CLIENT_ID: p.clientId,
      PIPEDRIVE_CLIENT_SECRET: p.clientSecret ?? '',
      PIPEDRIVE_REFRESH_TOKEN: p.tokens?.refreshToken ?? '',
      PD_AUTH_OAUTH_URL: suite.fx.emulator.url,
      PD_AUTH_CONFIG_DIR: join(readOnly, 'pd-auth'),
      CI: 'true',
    });
    const before = suite.fx.emulator.stats.refreshGrants;

    const runs = [];
    for (let i = 0; i < 50; i++)
      runs.push(isRoot ? await runCliAs(nobody, cli ?? '', ['token'], env) : await runCli(['token'], env));

    expect(runs.map((r) => [r.code, r.stderr])).toEqual(Array(50).fill([0, '']));
    expect(runs.every((r) => r.stdout.startsWith('v1u:'))).toBe(true);
    expect(suite.fx.emulator.stats.refreshGrants - before).toBe(50);
    expect(storeBytes(join(readOnly, 'pd-auth'))).toBeUndefined();
    console.log(
      `[env-credentials] 50 token calls without a cache (read-only config dir): ${suite.fx.emulator.stats.refreshGrants - before} refreshes`,
    );
  }, 180_000);
});
