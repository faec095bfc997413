// Over 150 lines: the keyring's three failure modes, each with its own private Secret Service.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readStore, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { keyringSuite } from '../helpers/keyring-suite.js';
import { commandName, pidsWithEnv } from '../helpers/processes.js';

/**
 * When the keyring cannot be used: a default login falls back to the 0600 file and says so; one
 * that asked for the keyring fails before the browser opens; a profile whose secrets are in the
 * keyring is never written to the file, and the command says what happened (exit 1). Each failure
 * gives up within its bound: the times are printed, not asserted.
 */
const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const out = await run();
  console.log(`[keyring] ${label}: ${Math.round(performance.now() - start)} ms`);
  return out;
};

describe('no session bus (SSH, a container)', () => {
  const { suite, env, login } = keyringSuite();

  it('a default login falls back to the file, says why on stderr, and status shows it', async () => {
    const r = await timed('login, no session bus (fallback)', () => login({ bus: false }));

    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the OS keyring \(Secret Service\) is not reachable: .*; the client secret and refresh token go to .*profiles\.json \(mode 0600\) instead \(choose with --storage keyring\|file or PD_AUTH_STORAGE\)/,
    );
    const p = readStore(suite.configDir)?.profiles.default;
    expect(p?.storage).toBe('file');
    expect(p?.tokens?.refreshToken).toBeTruthy();
    const status = JSON.parse((await runCli(['status', '--offline', '--json'], env({ bus: false }))).stdout);
    expect(status.profiles[0].storage).toBe('file');
    expect(status.profiles[0].storage_fallback).toMatch(/not reachable/);
    const text = (await runCli(['status', '--offline'], env({ bus: false }))).stdout;
    expect(text).toContain(
      'Secrets:               in the store file (mode 0600); the OS keyring was not available at login:',
    );
  });

  it('login --storage keyring fails before the browser opens, and writes nothing', async () => {
    const r = await timed('login --storage keyring, no session bus', () =>
      login({ bus: false }, ['--storage', 'keyring']),
    );

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the OS keyring \(Secret Service\) is not reachable: .*; nothing was saved$/m,
    );
    expect(r.stderr).toContain('--storage file');
    expect(r.stderr).not.toContain('Open this URL');
    expect(storeBytes(suite.configDir)).toBeUndefined();
    expect(suite.fx.emulator.stats.tokenRequests).toBe(0);
  });

  it('a keyring profile from a session with no bus: a valid token still prints; a refresh fails, file untouched', async () => {
    expect((await login()).code).toBe(0);
    expect((await runCli(['token'], env({ bus: false }))).code).toBe(0);
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    const before = storeBytes(suite.configDir);

    const r = await timed('token (refresh), no session bus', () => runCli(['token'], env({ bus: false })));

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: the OS keyring \(Secret Service\) is not reachable/m);
    expect(storeBytes(suite.configDir)).toEqual(before);
    expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
  });

  it('logout of a keyring profile with no bus: the tokens are forgotten, a warning names the entry left', async () => {
    expect((await login()).code).toBe(0);

    const r = await runCli(['logout'], env({ bus: false }));

    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the store no longer uses the OS keyring entries [0-9a-f]{16}\/default\/refresh-token/,
    );
    expect(r.stderr).not.toContain('is no longer in the OS keyring');
    expect(readStore(suite.configDir)?.profiles.default?.tokens).toBeUndefined();
  });

  it('PD_AUTH_STORAGE with another value is a usage error', async () => {
    const r = await login({ bus: false, extra: { PD_AUTH_STORAGE: 'keychain' } });

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PD_AUTH_STORAGE should be "keyring" or "file"');
    expect(storeBytes(suite.configDir)).toBeUndefined();
  });
});

describe('a locked keyring that cannot show an unlock prompt', () => {
  const { box, suite, env, login } = keyringSuite();

  it('a keyring profile: refresh fails with what happened; then a default login falls back', async () => {
    expect((await login()).code).toBe(0);
    await box.ss.lock();
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    const before = storeBytes(suite.configDir);

    const r = await timed('refresh, locked keyring', () => runCli(['refresh'], env()));

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the OS keyring \(Secret Service\) is locked/m);
    expect(storeBytes(suite.configDir)).toEqual(before);

    const again = await timed('login, locked keyring (fallback)', () => login({}, ['--profile', 'other']));
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/warning: the OS keyring \(Secret Service\) is locked/);
    expect(readStore(suite.configDir)?.profiles.other?.storage).toBe('file');
  });
});

describe('a locked keyring whose unlock prompt never answers', () => {
  const { box, suite, env } = keyringSuite();

  it('refresh gives up after the 3 s bound, exit 1, file untouched, no keyring child left', async () => {
    const login = await runCli(['login', '--redirect-uri', suite.fx.redirectUri], env());
    expect(login.code).toBe(0);
    await box.ss.lock({ prompter: 'silent' });
    await setStoredExpiry(suite.configDir, Date.now() - 1000);
    const before = storeBytes(suite.configDir);

    const start = performance.now();
    const r = await timed('refresh, keyring prompt never answered', () => runCli(['refresh'], env()));

    expect(performance.now() - start).toBeGreaterThanOrEqual(3000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the OS keyring \(Secret Service\) did not answer within 3 s/m);
    expect(storeBytes(suite.configDir)).toEqual(before);
    const nodes = pidsWithEnv(`HOME=${box.ss.env.HOME}`).filter((pid) => commandName(pid) === 'node');
    expect(nodes).toEqual([]);
  });
});
