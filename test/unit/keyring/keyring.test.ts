import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyring, KeyringError, keyringTimeoutMs } from '../../../src/keyring/keyring.js';
import { noSessionBus, type SecretService, startSecretService } from '../../helpers/secret-service.js';

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const fault = fileURLToPath(new URL('../../fixtures/keyring-child-fault.cjs', import.meta.url));

/** What `secret-tool search --all service pd-auth` prints (attributes on stderr, secrets on stdout). */
function secretToolSearch(env: Record<string, string>): Promise<string[]> {
  const args = ['search', '--all', 'service', 'pd-auth'];
  return new Promise((resolve, reject) => {
    execFile('secret-tool', args, { env: { PATH, ...env }, timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`secret-tool ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(`${stdout}\n${stderr}`.split('\n').filter((l) => l !== ''));
    });
  });
}

describe('createKeyring on an unlocked Secret Service', () => {
  let ss: SecretService;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ss = await startSecretService();
    env = { PATH, ...ss.env };
  });
  afterAll(() => ss?.stop());
  const keyring = () => createKeyring({ timeoutMs: 20_000, env });

  it('names the Secret Service as its backend on Linux', () => {
    expect(keyring().backend).toBe('Secret Service');
  });

  it('sets, gets and deletes a secret, one batch each', async () => {
    const kr = keyring();

    const set = await kr.run([{ op: 'set', account: 'alice', secret: 'pw-alice' }]);
    const get = await kr.run([{ op: 'get', account: 'alice' }]);
    const del = await kr.run([{ op: 'delete', account: 'alice' }]);
    const after = await kr.run([{ op: 'get', account: 'alice' }]);

    expect([set, get, del, after]).toEqual([[undefined], ['pw-alice'], [true], [null]]);
  });

  it('runs a batch in order, each op seeing the ones before it', async () => {
    const results = await keyring().run([
      { op: 'get', account: 'bob' },
      { op: 'set', account: 'bob', secret: 'pw-1' },
      { op: 'set', account: 'bob', secret: 'pw-2 with spaces, "quotes" and ünïcödé' },
      { op: 'get', account: 'bob' },
      { op: 'delete', account: 'bob' },
      { op: 'delete', account: 'bob' },
    ]);

    expect(results).toEqual([
      null,
      undefined,
      undefined,
      'pw-2 with spaces, "quotes" and ünïcödé',
      true,
      false,
    ]);
  });

  it('gets null for an entry never stored and deletes it as false', async () => {
    expect(
      await keyring().run([
        { op: 'get', account: 'nobody' },
        { op: 'delete', account: 'nobody' },
      ]),
    ).toEqual([null, false]);
  });

  it('answers an empty batch with no results', async () => {
    expect(await keyring().run([])).toEqual([]);
  });

  it('stores the entry in the Secret Service, under service pd-auth and the account as username', async () => {
    await keyring().run([{ op: 'set', account: 'carol', secret: 'pw-carol' }]);

    const found = await secretToolSearch(ss.env);
    await keyring().run([{ op: 'delete', account: 'carol' }]);

    expect(found).toEqual(
      expect.arrayContaining([
        'attribute.service = pd-auth',
        'attribute.username = carol',
        'secret = pw-carol',
      ]),
    );
  });

  it('never calls onSlow for a batch that ends before noticeAfterMs', async () => {
    const onSlow = vi.fn();
    const started = Date.now();

    await createKeyring({ timeoutMs: 20_000, env, onSlow }).run([{ op: 'get', account: 'nobody' }]);
    await new Promise((resolve) => setTimeout(resolve, 3500 - (Date.now() - started)));

    expect(onSlow).not.toHaveBeenCalled();
  });

  it('with no session bus, rejects with kind "unavailable" and says why', async () => {
    const kr = createKeyring({ timeoutMs: 20_000, env: { PATH, ...noSessionBus(ss.env) } });

    const err = await kr.run([{ op: 'get', account: 'alice' }]).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(KeyringError);
    expect(err).toMatchObject({
      kind: 'unavailable',
      completed: 0,
      message:
        'the OS keyring (Secret Service) is not reachable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
    });
    expect((err as KeyringError).cause).toMatchObject({
      message: expect.stringMatching(/DBUS_SESSION_BUS_ADDRESS/),
    });
  });

  it('reports a helper that prints garbage as "failed"', async () => {
    const kr = createKeyring({
      timeoutMs: 20_000,
      env: { ...env, NODE_OPTIONS: `--require "${fault}"`, KEYRING_FAULT: 'garbage' },
    });

    const err = await kr.run([{ op: 'get', account: 'alice' }]).catch((e: unknown) => e);

    expect(err).toMatchObject({
      kind: 'failed',
      completed: 0,
      message: 'the OS keyring (Secret Service) failed: its helper process answered a line that is not JSON',
    });
  });

  it('reports a helper that dies as "failed", quoting its stderr without the secrets', async () => {
    const kr = createKeyring({
      timeoutMs: 20_000,
      env: { ...env, NODE_OPTIONS: `--require "${fault}"`, KEYRING_FAULT: 'crash' },
    });

    const err = await kr
      .run([{ op: 'set', account: 'dave', secret: 'pw-dave-never-shown' }])
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ kind: 'failed', completed: 0 });
    expect((err as Error).message).toMatch(
      /^the OS keyring \(Secret Service\) failed: its helper process ended \(exit code 3\) after 0 of 1 operations: crashed while holding .*"secret":"\*\*\*"/,
    );
    expect((err as Error).message).not.toContain('pw-dave-never-shown');
  });
});

describe('keyringTimeoutMs', () => {
  it('is 3 s when nobody can answer an unlock prompt, 60 s when someone may be typing', () => {
    expect([keyringTimeoutMs(false), keyringTimeoutMs(true)]).toEqual([3000, 60_000]);
  });
});
