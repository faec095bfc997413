// Over 150 lines: every command against one private Secret Service, arranged by one login each.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readStore, refreshAtEmulator, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { filesHolding, keyringItems } from '../helpers/keyring-items.js';
import { keyringSuite } from '../helpers/keyring-suite.js';

/**
 * With an unlocked OS keyring (a private GNOME Keyring on its own session bus), a login keeps the
 * client secret and the refresh token there, and every command works from it.
 */
describe('secrets in the OS keyring (spawned CLI, private Secret Service)', () => {
  const k = keyringSuite();
  const { suite } = k;
  /** The default storage: PD_AUTH_STORAGE unset, this file's keyring on the bus. */
  const env = (extra: Record<string, string> = {}) => k.env({ extra });
  const login = async (args: string[] = []) => {
    const r = await k.login({}, args);
    expect(r.stderr).toContain('Logged in as');
    expect(r.code).toBe(0);
    return r;
  };
  /** This store's entries: other tests' stores share the keyring, under other store ids. */
  const entries = async () => {
    const id = readStore(suite.configDir)?.storeId ?? '(none)';
    return (await keyringItems(k.box.ss)).filter((i) => i.account.startsWith(`${id}/`));
  };
  const secretOf = async (suffix: string) =>
    (await entries()).find((i) => i.account.endsWith(suffix))?.secret;

  it('login: the client secret and refresh token are in the keyring and in no file under the config dir', async () => {
    const r = await login();

    expect(r.stderr).toContain('Secrets:              in the OS keyring (Secret Service)');
    const data = readStore(suite.configDir);
    expect(data?.storeId).toMatch(/^[0-9a-f]{16}$/);
    const p = data?.profiles.default;
    expect(p?.storage).toBe('keyring');
    expect(p?.clientSecret).toBeUndefined();
    expect(p?.tokens?.refreshToken).toBeUndefined();
    expect((await entries()).map((i) => i.account)).toEqual([
      `${data?.storeId}/default/client-secret`,
      `${data?.storeId}/default/refresh-token`,
    ]);
    expect(await secretOf('/client-secret')).toBe(suite.fx.emulator.app.clientSecret);
    const refreshToken = (await secretOf('/refresh-token')) ?? '';
    expect(filesHolding(suite.tmp.path, [suite.fx.emulator.app.clientSecret, refreshToken])).toEqual([]);
    // The keyring holds the live refresh token.
    expect((await refreshAtEmulator(suite.fx, refreshToken)).status).toBe(200);
  });

  it('token, refresh, api and exec refresh through the keyring; the refresh token stays there', async () => {
    await login();
    await setStoredExpiry(suite.configDir, Date.now() - 1000);

    const token = await runCli(['token'], env());
    expect(token.code).toBe(0);
    expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
    expect(token.stdout.trim()).toBe(readStore(suite.configDir)?.profiles.default?.tokens?.accessToken);
    expect((await runCli(['refresh'], env())).code).toBe(0);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    expect((await runCli(['api', 'users/me'], env())).code).toBe(0);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    const exec = await runCli(['exec', '--', 'sh', '-c', 'test -n "$PIPEDRIVE_ACCESS_TOKEN"'], env());
    expect(exec.code).toBe(0);

    expect(suite.fx.emulator.stats.refreshGrants).toBe(4);
    expect(readStore(suite.configDir)?.profiles.default?.tokens?.refreshToken).toBeUndefined();
    expect((await entries()).length).toBe(2);
  });

  it('20 parallel `pd-auth token` with an expired token make one refresh between them', async () => {
    await login();
    await setStoredExpiry(suite.configDir, Date.now() - 1000);

    const runs = await Promise.all(
      Array.from({ length: 20 }, () => runCli(['token'], env(), undefined, 60_000)),
    );

    expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
  });

  it('status shows where the secrets are, in text and --json, and reads no secret', async () => {
    await login();

    const text = await runCli(['status', '--offline'], env());
    const json = await runCli(['status', '--offline', '--json'], env());

    expect(text.stdout).toContain('Client secret:         in the OS keyring');
    expect(text.stdout).toContain(
      'Secrets:               client secret and refresh token in the OS keyring (Secret Service)',
    );
    const p = JSON.parse(json.stdout).profiles[0];
    expect([p.storage, p.storage_fallback, p.client_secret_stored]).toEqual(['keyring', null, true]);
  });

  it('rotate-secret replaces the secret in the keyring, never in the file', async () => {
    await login();
    const secret = suite.fx.emulator.regenerateSecret();

    const r = await runCli(['rotate-secret'], env({ PIPEDRIVE_CLIENT_SECRET: secret }));

    expect(r.code).toBe(0);
    expect(await secretOf('/client-secret')).toBe(secret);
    expect(filesHolding(suite.tmp.path, [secret])).toEqual([]);
  });

  it('logout removes the refresh token from the keyring and says so; the client secret stays', async () => {
    await login();

    const r = await runCli(['logout'], env());

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('The refresh token is no longer in the OS keyring (Secret Service)');
    expect((await entries()).map((i) => i.account.split('/').pop())).toEqual(['client-secret']);
    // And the next login uses that secret without asking.
    const again = await runCli(
      ['login', '--redirect-uri', suite.fx.redirectUri],
      env({ PIPEDRIVE_CLIENT_SECRET: '' }),
    );
    expect(again.code).toBe(0);
  });

  it('logout --revoke revokes with the secrets from the keyring', async () => {
    await login();

    const r = await runCli(['logout', '--revoke', '--yes'], env());

    expect(r.code).toBe(0);
    expect(suite.fx.emulator.stats.revokes).toBe(1);
    expect((await entries()).length).toBe(1);
  });

  it('the library: getAccessToken refreshes through the keyring', async () => {
    await login();
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    const script = `require(${JSON.stringify(`${process.cwd()}/dist/pd-auth.cjs`)}).getAccessToken().then((t) => process.stdout.write(t.accessToken))`;

    // Not spawnSync: the emulator answers from this process.
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const r = await promisify(execFile)(process.execPath, ['-e', script], { env: env(), timeout: 20_000 });

    expect(r.stdout).toBe(readStore(suite.configDir)?.profiles.default?.tokens?.accessToken);
    expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
  });

  it('export reads the secrets from the keyring', async () => {
    await login();

    const r = await runCli(['export', '--format', 'json'], env());

    expect(r.code).toBe(0);
    const vars = JSON.parse(r.stdout);
    expect(vars.PIPEDRIVE_CLIENT_SECRET).toBe(suite.fx.emulator.app.clientSecret);
    expect(vars.PIPEDRIVE_REFRESH_TOKEN).toBe(await secretOf('/refresh-token'));
  });

  it('login --storage file in a session with a keyring: nothing of this store in the keyring', async () => {
    const before = storeBytes(suite.configDir);
    expect(before).toBeUndefined();

    const r = await login(['--storage', 'file']);

    expect(r.stderr).toContain('Secrets:              in that file (mode 0600)');
    expect(readStore(suite.configDir)?.profiles.default?.storage).toBe('file');
    expect(readStore(suite.configDir)?.storeId).toBeUndefined();
    expect(r.stderr).not.toContain('warning');
  });
});
