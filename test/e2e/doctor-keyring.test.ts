import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readStore, storeBytes } from '../helpers/fixtures.js';
import { keyringSuite } from '../helpers/keyring-suite.js';

interface JsonCheck {
  id: string;
  result: string;
  reason: string;
  fix: string | null;
}

/**
 * Doctor's secret storage check against a private GNOME Keyring: a keyring profile from a session
 * that has the keyring, and from one without a session bus (SSH, a container).
 */
describe('pd-auth doctor: the OS keyring (spawned, private Secret Service)', () => {
  const k = keyringSuite();
  const { suite } = k;
  /** The default storage (PD_AUTH_STORAGE unset); `bus: false` is a session without the keyring. */
  const env = (bus = true) => k.env({ bus });
  const login = async (bus = true) => {
    const r = await k.login({ bus });
    expect(r.code).toBe(0);
  };
  const doctor = async (bus: boolean, args: string[] = []) => {
    const r = await runCli(['doctor', '--json', ...args], env(bus));
    const checks = JSON.parse(r.stdout).checks as JsonCheck[];
    return { ...r, check: (id: string) => checks.find((c) => c.id === id) as JsonCheck };
  };

  it('a keyring profile with the keyring there: ok, and --live refreshes through it', async () => {
    await login();
    expect(readStore(suite.configDir)?.profiles.default?.storage).toBe('keyring');

    const r = await doctor(true, ['--live']);

    expect(r.code).toBe(0);
    expect(r.check('storage')).toMatchObject({
      result: 'ok',
      reason: `the OS keyring (Secret Service) answers and holds profile "default"'s client secret and refresh token`,
    });
    expect(r.check('live').result).toBe('ok');
  });

  it('a keyring profile from a session with no keyring: a failure with the ways out; nothing changes', async () => {
    await login();
    const before = storeBytes(suite.configDir);

    const r = await doctor(false);

    expect(r.code).toBe(1);
    const c = r.check('storage');
    expect(c.result).toBe('failure');
    expect(c.reason).toMatch(
      /^the OS keyring \(Secret Service\) is not reachable: .*; profile "default" keeps its client secret and refresh token there$/,
    );
    expect(c.fix).toContain('`pd-auth storage file`');
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('a profile the login put in the file (no keyring then, nor now): a warning, not a failure', async () => {
    await login(false);

    const r = await doctor(false);

    expect(r.code).toBe(0);
    expect(r.check('storage').result).toBe('warning');
    expect(r.check('storage').fix).toContain('PD_AUTH_STORAGE=file');
  });
});
