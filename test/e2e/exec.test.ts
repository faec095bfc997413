import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type SpawnedCli, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { loggedIn, seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { spawnCliPty } from '../helpers/pty.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A child that says "ready", then on `signal` prints a marker and exits with `code`. */
const trapping = (signal: 'TERM' | 'INT' | 'HUP', code: number) =>
  `trap 'echo got-${signal}; exit ${code}' ${signal}; echo ready; while :; do sleep 0.05; done`;

describe('pd-auth exec (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  const running: SpawnedCli[] = [];
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: configDir, ...extra });
  const spawnExec = (script: string) => {
    const run = spawnCli(['exec', '--', 'sh', '-c', script], env());
    running.push(run);
    return run;
  };

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.done;
    }
    await fx.emulator.close();
    tmp.remove();
  });

  it('passes PIPEDRIVE_ACCESS_TOKEN and PIPEDRIVE_API_DOMAIN to the command', async () => {
    const { tokens } = await seedLogin(fx, configDir);

    const r = await runCli(
      ['exec', '--', 'sh', '-c', 'printf "%s\\n%s\\n" "$PIPEDRIVE_ACCESS_TOKEN" "$PIPEDRIVE_API_DOMAIN"'],
      env(),
    );

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${tokens?.accessToken}\n${fx.emulator.url}\n`);
    expect(r.stderr).toBe('');
  });

  it('passes the rest of the environment through', async () => {
    await seedLogin(fx, configDir);

    const r = await runCli(
      ['exec', '--', 'sh', '-c', 'printf %s "$MY_SETTING"'],
      env({ MY_SETTING: 'kept' }),
    );

    expect(r.stdout).toBe('kept');
  });

  it('refreshes an expired token first and gives the command the new one', async () => {
    const before = (await seedLogin(fx, configDir)).tokens;
    await setStoredExpiry(configDir, Date.now() - 60_000);

    const r = await runCli(['exec', '--', 'sh', '-c', 'printf %s "$PIPEDRIVE_ACCESS_TOKEN"'], env());

    expect(r.code).toBe(0);
    expect(fx.emulator.stats.refreshGrants).toBe(1);
    expect(r.stdout).toBe(loggedIn(configDir).tokens.accessToken);
    expect(r.stdout).not.toBe(before?.accessToken);
  });

  it("exits with the command's exit code", async () => {
    await seedLogin(fx, configDir);

    const r = await runCli(['exec', '--', 'sh', '-c', 'exit 7'], env());

    expect(r.code).toBe(7);
    expect(r.stderr).toBe('');
  });

  it("passes stdin to the command and the command's stdout and stderr back", async () => {
    await seedLogin(fx, configDir);

    const r = await runCli(['exec', '--', 'sh', '-c', 'cat; echo oops >&2'], env(), 'line one\nline two\n');

    expect(r.code).toBe(0);
    expect(r.stdout).toBe('line one\nline two\n');
    expect(r.stderr).toBe('oops\n');
  });

  it('passes SIGTERM on to the command and exits with its status', async () => {
    await seedLogin(fx, configDir);
    const run = spawnExec(trapping('TERM', 42));
    await run.waitFor('ready');

    run.child.kill('SIGTERM');
    const r = await run.done;

    expect(r.stdout).toBe('ready\ngot-TERM\n');
    expect(r.code).toBe(42);
  });

  it('passes SIGINT on to the command when stdin is not a terminal', async () => {
    await seedLogin(fx, configDir);
    const run = spawnExec(trapping('INT', 43));
    await run.waitFor('ready');

    run.child.kill('SIGINT');
    const r = await run.done;

    expect(r.stdout).toBe('ready\ngot-INT\n');
    expect(r.code).toBe(43);
  });

  it('passes SIGHUP on to the command', async () => {
    await seedLogin(fx, configDir);
    const run = spawnExec(trapping('HUP', 44));
    await run.waitFor('ready');

    run.child.kill('SIGHUP');
    const r = await run.done;

    expect(r.stdout).toBe('ready\ngot-HUP\n');
    expect(r.code).toBe(44);
  });

  it('Ctrl+C in a terminal reaches the command once (not passed on a second time)', async () => {
    await seedLogin(fx, configDir);
    // Counts SIGINTs: waits for the first, then gives a duplicate time to arrive.
    const script =
      'n=0; trap \'n=$((n+1))\' INT; echo ready; while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.3; echo "ints=$n"; exit 3';
    const pty = spawnCliPty(['exec', '--', 'sh', '-c', script], env());
    try {
      await pty.waitFor('ready');

      pty.type('\x03');
      const { exitCode } = await pty.exited;

      expect(pty.screen()).toContain('ints=1');
      expect(exitCode).toBe(3);
    } finally {
      pty.stop();
    }
  });

  it('exits 128 + 15 when SIGTERM ended a command that does not trap it', async () => {
    await seedLogin(fx, configDir);
    const run = spawnExec('echo ready; exec sleep 10');
    await run.waitFor('ready');

    run.child.kill('SIGTERM');
    const r = await run.done;

    expect(r.code).toBe(143);
    expect(r.signal).toBeNull();
  });

  it('exits 127 when the command does not exist', async () => {
    await seedLogin(fx, configDir);

    const r = await runCli(['exec', '--', 'pd-auth-no-such-command'], env());

    expect(r.code).toBe(127);
    expect(r.stderr).toBe('error: cannot run pd-auth-no-such-command: command not found\n');
    expect(r.stdout).toBe('');
  });

  it('exits 4 when not logged in, and the command never runs', async () => {
    const marker = join(tmp.path, 'ran');

    const r = await runCli(['exec', '--', 'sh', '-c', `touch '${marker}'`], env());

    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/hint:.*pd-auth login`/);
    expect(existsSync(marker)).toBe(false);
    expect(storeBytes(configDir)).toBeUndefined();
  });

  it('exits 2 without a command', async () => {
    await seedLogin(fx, configDir);

    const r = await runCli(['exec'], env());

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
