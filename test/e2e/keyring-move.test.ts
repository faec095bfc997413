import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readStore, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { filesHolding, keyringItems } from '../helpers/keyring-items.js';
import { keyringSuite } from '../helpers/keyring-suite.js';

/** `pd-auth storage keyring|file` moves a profile's secrets; two stores never share an entry. */
describe('moving secrets between the file and the keyring (spawned CLI, private Secret Service)', () => {
  const k = keyringSuite();
  const { suite } = k;
  const env = (configDir = suite.configDir) => k.env({ configDir });
  const ours = async (configDir = suite.configDir) => {
    const id = readStore(configDir)?.storeId ?? '(none)';
    return (await keyringItems(k.box.ss)).filter((i) => i.account.startsWith(`${id}/`));
  };

  it('file → keyring → file: each move leaves the secrets in one place, and the profile works after each', async () => {
    const login = await runCli(['login', '--redirect-uri', suite.fx.redirectUri, '--storage', 'file'], env());
    expect(login.code).toBe(0);
    const inFile = readStore(suite.configDir)?.profiles.default;
    const secrets = [inFile?.clientSecret ?? '', inFile?.tokens?.refreshToken ?? ''];

    const show = await runCli(['storage'], env());
    expect([show.code, show.stdout]).toEqual([0, 'file\n']);

    const toKeyring = await runCli(['storage', 'keyring'], env());
    expect(toKeyring.code).toBe(0);
    expect(toKeyring.stderr).toContain(
      'Moved the client secret and refresh token of profile "default" to the OS keyring',
    );
    expect(readStore(suite.configDir)?.profiles.default?.storage).toBe('keyring');
    expect(filesHolding(suite.tmp.path, secrets)).toEqual([]);
    expect((await ours()).map((i) => i.secret)).toEqual(secrets);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    expect((await runCli(['token'], env())).code).toBe(0);

    const toFile = await runCli(['storage', 'file'], env());
    expect(toFile.code).toBe(0);
    const back = readStore(suite.configDir)?.profiles.default;
    expect([back?.storage, back?.clientSecret, back?.tokens?.refreshToken]).toEqual(['file', ...secrets]);
    expect(await ours()).toEqual([]);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    expect((await runCli(['token'], env())).code).toBe(0);
    expect(suite.fx.emulator.stats.refreshGrants).toBe(2);
  });

  it('a storage other than keyring or file is a usage error (exit 2), and nothing moves', async () => {
    await runCli(['login', '--redirect-uri', suite.fx.redirectUri], env());
    const before = storeBytes(suite.configDir);

    const r = await runCli(['storage', 'keychain'], env());

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"keychain" is not a storage: use keyring or file');
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('moving to where the secrets already are says so and changes nothing else', async () => {
    await runCli(['login', '--redirect-uri', suite.fx.redirectUri], env());

    const r = await runCli(['storage', 'keyring'], env());

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('already keeps its secrets in the OS keyring');
  });

  it('two stores with a "default" profile each: separate entries; logging out of one leaves the other', async () => {
    const other = `${suite.tmp.path}/other-config`;
    expect((await runCli(['login', '--redirect-uri', suite.fx.redirectUri], env())).code).toBe(0);
    expect((await runCli(['login', '--redirect-uri', suite.fx.redirectUri], env(other))).code).toBe(0);
    expect(readStore(other)?.storeId).not.toBe(readStore(suite.configDir)?.storeId);

    expect((await runCli(['logout'], env(other))).code).toBe(0);

    expect((await ours()).length).toBe(2);
    expect((await ours(other)).length).toBe(1);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    expect((await runCli(['refresh'], env())).code).toBe(0);
  });
});
