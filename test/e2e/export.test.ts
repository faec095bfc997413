import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { seedLogin, storeBytes } from '../helpers/fixtures.js';
import { spawnCliPty } from '../helpers/pty.js';
import { emulatorSuite } from '../helpers/suite.js';

/** Reads KEY=value lines as dotenv does (a value in double quotes with \\ and " escaped). */
const parseDotenv = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [, key = '', raw = ''] = /^([A-Z_]+)=(.*)$/.exec(line) ?? [];
        const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
        return [key, value];
      }),
  );

/** `pd-auth export`: a stored profile as the environment of a CI job, for its secret store. */
describe('pd-auth export (spawned, against the emulator)', () => {
  const suite = emulatorSuite();
  const env = (extra: Record<string, string> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir, ...extra });

  it('round trip: its dotenv output is an environment in which token and api work with no store', async () => {
    const p = await seedLogin(suite.fx, suite.configDir);

    const r = await runCli(['export'], env());

    expect(r.code).toBe(0);
    const vars = parseDotenv(r.stdout);
    expect(vars).toEqual({
      PIPEDRIVE_CLIENT_ID: p.clientId,
      PIPEDRIVE_CLIENT_SECRET: p.clientSecret,
      PIPEDRIVE_REFRESH_TOKEN: p.tokens?.refreshToken,
      PD_AUTH_OAUTH_URL: suite.fx.emulator.url,
    });
    expect(r.stderr).toContain('give CI a profile of its own');
    const ci = cliEnv({ ...vars, PD_AUTH_CONFIG_DIR: join(suite.tmp.path, 'ci'), CI: 'true' });
    const token = await runCli(['token'], ci);
    const api = await runCli(['api', 'users/me'], ci);
    expect([token.code, api.code]).toEqual([0, 0]);
    expect(JSON.parse(api.stdout).data.email).toBe('emma@example.test');
  });

  it('--format json and --format shell carry the same values', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const dotenv = parseDotenv((await runCli(['export'], env())).stdout);

    const json = JSON.parse((await runCli(['export', '--format', 'json'], env())).stdout);
    const shell = await runCli(['export', '--format', 'shell'], env());
    const fromShell = await runCli(
      ['exec', '--', 'sh', '-c', `${shell.stdout.replace(/\n/g, '; ')} printf %s "$PIPEDRIVE_REFRESH_TOKEN"`],
      env(),
    );

    expect(json).toEqual(dotenv);
    expect(fromShell.stdout).toBe(dotenv.PIPEDRIVE_REFRESH_TOKEN);
  });

  it('refuses to print secrets on a terminal unless --show-secrets', async () => {
    const p = await seedLogin(suite.fx, suite.configDir);

    const refused = spawnCliPty(['export'], env());
    const code = (await refused.exited).exitCode;
    const shown = spawnCliPty(['export', '--show-secrets'], env());
    await shown.exited;

    expect(code).toBe(2);
    expect(refused.screen()).toContain('standard output is a terminal');
    expect(refused.screen()).not.toContain(p.tokens?.refreshToken ?? '(none)');
    expect(shown.screen()).toContain(`PIPEDRIVE_REFRESH_TOKEN=`);
  });

  it('--format with another value is a usage error (exit 2); nothing printed, the store unchanged', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const before = storeBytes(suite.configDir);

    const r = await runCli(['export', '--format', 'yaml'], env());

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("argument 'yaml' is invalid");
    expect(storeBytes(suite.configDir)).toEqual(before);
  });

  it('a profile that is not logged in: login needed (exit 4), nothing printed', async () => {
    const r = await runCli(['export', '--profile', 'nobody'], env());

    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(storeBytes(suite.configDir)).toBeUndefined();
  });
});
