import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandName, isRunning, pidsWithEnv } from '../../helpers/processes.js';
import { noSessionBus, type SecretService, startSecretService } from '../../helpers/secret-service.js';

/**
 * The harness the keyring tests stand on: @napi-rs/keyring in a child process given only a harness's
 * environment reaches that harness's GNOME Keyring and nothing else.
 */
const opsScript = fileURLToPath(new URL('../../fixtures/keyring-ops.cjs', import.meta.url));
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const service = 'pd-auth-harness-test';

interface Op {
  op: 'set' | 'get' | 'delete';
  account: string;
  password?: string;
  store?: 'secret-service';
}
interface Result {
  ok: boolean;
  value?: unknown;
  error?: string;
  ms: number;
}

/**
 * Runs `ops` in a child whose whole environment is PATH and `env`; its results, in order. Rejects
 * with execFile's error (`killed: true`) when the child is still running after `timeoutMs`.
 */
function keyring(env: Record<string, string>, ops: Op[], timeoutMs = 20_000): Promise<Result[]> {
  const arg = JSON.stringify(ops.map((o) => ({ service, ...o })));
  const options = { env: { PATH, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' as const };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [opsScript, arg], options, (err, stdout) => {
      if (err) reject(err);
      else resolve((JSON.parse(stdout) as { results: Result[] }).results);
    });
  });
}

/**
 * What `secret-tool search --all service <service>` says of the items it finds (it prints the
 * attributes on stderr and the secret on stdout), the secret left out.
 */
function secretToolSearch(env: Record<string, string>): Promise<string[]> {
  const args = ['search', '--all', 'service', service];
  return new Promise((resolve, reject) => {
    execFile('secret-tool', args, { env: { PATH, ...env }, timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`secret-tool ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(`${stdout}\n${stderr}`.split('\n').filter((l) => l !== '' && !l.startsWith('secret =')));
    });
  });
}

describe('a private Secret Service', () => {
  let ss: SecretService;
  beforeAll(async () => {
    ss = await startSecretService();
  });
  afterAll(() => ss?.stop());

  it('sets, gets and deletes a password for a child given only its env', async () => {
    const results = await keyring(ss.env, [
      { op: 'set', account: 'alice', password: 'pw-round-trip' },
      { op: 'get', account: 'alice' },
      { op: 'delete', account: 'alice' },
      { op: 'get', account: 'alice' },
    ]);

    expect(results.map(({ ok, value }) => ({ ok, value }))).toEqual([
      { ok: true, value: null },
      { ok: true, value: 'pw-round-trip' },
      { ok: true, value: true },
      { ok: true, value: null },
    ]);
  });

  // Not the schema: whether GNOME Keyring adds xdg:schema=org.freedesktop.Secret.Generic to an item
  // @napi-rs/keyring creates varies from one item to the next.
  it('holds the entry where secret-tool finds it, under the attributes service and username', async () => {
    await keyring(ss.env, [{ op: 'set', account: 'bob', password: 'pw-seen' }]);

    const found = await secretToolSearch(ss.env);
    await keyring(ss.env, [{ op: 'delete', account: 'bob' }]);

    expect(found).toEqual(
      expect.arrayContaining([`attribute.service = ${service}`, 'attribute.username = bob']),
    );
  });

  it('does not share entries with another harness running at the same time', async () => {
    const other = await startSecretService();
    try {
      await keyring(ss.env, [{ op: 'set', account: 'carol', password: 'pw-here' }]);
      await keyring(other.env, [{ op: 'set', account: 'dave', password: 'pw-there' }]);

      const here = await keyring(ss.env, [
        { op: 'get', account: 'dave' },
        { op: 'get', account: 'carol' },
      ]);
      const there = await keyring(other.env, [
        { op: 'get', account: 'carol' },
        { op: 'get', account: 'dave' },
      ]);

      expect(here.map((r) => r.value)).toEqual([null, 'pw-here']);
      expect(there.map((r) => r.value)).toEqual([null, 'pw-there']);
    } finally {
      await other.stop();
    }
  });

  // Pinned: unpinned, the entry falls back to the kernel keyring, which is the machine's, not the test's.
  it('with no session bus, an entry pinned to the Secret Service fails at once, naming the variable', async () => {
    const [set] = await keyring(noSessionBus(ss.env), [
      { op: 'set', account: 'erin', password: 'pw-nowhere', store: 'secret-service' },
    ]);

    expect(set?.ok).toBe(false);
    expect(set?.error).toMatch(/DBUS_SESSION_BUS_ADDRESS/);
    // A generous bound: what matters is that it does not wait for anything.
    expect(set?.ms).toBeLessThan(5000);
  });
});

describe('a private Secret Service after lock(), with no prompter to unlock it', () => {
  let ss: SecretService;
  beforeAll(async () => {
    ss = await startSecretService();
    await keyring(ss.env, [{ op: 'set', account: 'frank', password: 'pw-locked-away' }]);
    await ss.lock();
  });
  afterAll(() => ss?.stop());

  it('getPassword of a stored entry throws "unlock prompt was dismissed" instead of waiting', async () => {
    const [get] = await keyring(ss.env, [{ op: 'get', account: 'frank' }]);

    expect(get?.ok).toBe(false);
    expect(get?.error).toBe("Couldn't access platform storage: Secret Service: unlock prompt was dismissed");
  });

  it('setPassword throws the same', async () => {
    const [set] = await keyring(ss.env, [{ op: 'set', account: 'frank', password: 'pw-new' }]);

    expect(set?.error).toBe("Couldn't access platform storage: Secret Service: unlock prompt was dismissed");
  });

  it('getPassword of an entry never stored returns null, as when unlocked', async () => {
    const [get] = await keyring(ss.env, [{ op: 'get', account: 'nobody' }]);

    expect(get).toMatchObject({ ok: true, value: null });
  });
});

describe('a private Secret Service after lock({ prompter: "silent" }), whose prompter never comes up', () => {
  let ss: SecretService;
  beforeAll(async () => {
    ss = await startSecretService();
    await keyring(ss.env, [{ op: 'set', account: 'grace', password: 'pw-waiting' }]);
    await ss.lock({ prompter: 'silent' });
  });
  afterAll(() => ss?.stop());

  it('getPassword of a stored entry is still waiting when its child is killed 2 s later', async () => {
    const waited = keyring(ss.env, [{ op: 'get', account: 'grace' }], 2000);

    await expect(waited).rejects.toMatchObject({ killed: true, signal: 'SIGKILL' });
  });
});

describe('stop()', () => {
  it('ends every process the harness started and removes its directory', async () => {
    const ss = await startSecretService();
    const pids = ss.pids();
    const names = pids.map(commandName);

    await ss.stop();

    expect(names).toEqual(expect.arrayContaining(['dbus-daemon', 'gnome-keyring-d']));
    expect(pids.filter(isRunning)).toEqual([]);
    expect(pidsWithEnv(`HOME=${ss.env.HOME}`)).toEqual([]);
    expect(existsSync(ss.env.HOME)).toBe(false);
  });
});
