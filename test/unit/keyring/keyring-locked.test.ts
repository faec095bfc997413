import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyring, KeyringError } from '../../../src/keyring/keyring.js';
import { exited, keyringChild, keyringChildren, procFile } from '../../helpers/keyring-child.js';
import { type SecretService, startSecretService } from '../../helpers/secret-service.js';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** A harness holding the entry `stored`, then locked with `prompter`. */
async function lockedHarness(prompter: 'none' | 'silent') {
  const ss = await startSecretService();
  const env = { PATH, ...ss.env };
  await createKeyring({ timeoutMs: 20_000, env }).run([
    { op: 'set', account: 'stored', secret: 'pw-stored' },
  ]);
  await ss.lock({ prompter });
  return { ss, env };
}

describe('createKeyring on a locked Secret Service with no prompter to unlock it', () => {
  let ss: SecretService;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ({ ss, env } = await lockedHarness('none'));
  });
  afterAll(() => ss?.stop());

  it('rejects with kind "locked" at the first op that needs the secret, counting the ones before', async () => {
    const kr = createKeyring({ timeoutMs: 20_000, env });

    // An entry never stored reads as null even when locked; the stored one needs the unlock.
    const err = await kr
      .run([
        { op: 'get', account: 'never-stored' },
        { op: 'get', account: 'stored' },
        { op: 'delete', account: 'stored' },
      ])
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(KeyringError);
    expect(err).toMatchObject({
      kind: 'locked',
      completed: 1,
      message:
        'the OS keyring (Secret Service) is locked, and no unlock prompt could be shown (or it was dismissed)',
      cause: { message: "Couldn't access platform storage: Secret Service: unlock prompt was dismissed" },
    });
  });
});

describe('createKeyring on a locked Secret Service whose unlock prompt never comes up', () => {
  let ss: SecretService;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ({ ss, env } = await lockedHarness('silent'));
  });
  afterAll(() => ss?.stop());

  it('kills the helper at timeoutMs and rejects with kind "timeout", counting the ops that completed', async () => {
    const onSlow = vi.fn();
    const secret = 'pw-while-blocked-7f3a';
    const started = Date.now();
    const batch = createKeyring({ timeoutMs: 1500, env, onSlow })
      .run([
        { op: 'get', account: 'never-stored' },
        { op: 'set', account: 'stored', secret },
        { op: 'get', account: 'stored' },
      ])
      .catch((e: unknown) => e);

    const pid = await keyringChild(ss.env.HOME);
    const seen = { cmdline: procFile(pid, 'cmdline'), environ: procFile(pid, 'environ') };
    const err = await batch;

    expect(err).toBeInstanceOf(KeyringError);
    expect(err).toMatchObject({
      kind: 'timeout',
      completed: 1,
      message: 'the OS keyring (Secret Service) did not answer within 1.5 s',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(seen.cmdline).toContain('--input-type=commonjs');
    expect(seen.environ).toContain(`HOME=${ss.env.HOME}`);
    expect(seen.cmdline).not.toContain(secret);
    expect(seen.environ).not.toContain(secret);
    expect(onSlow).not.toHaveBeenCalled(); // timeoutMs is below the default noticeAfterMs
    await exited(pid);
    await exited(pid);
  });

  it('calls onSlow once when the batch is still running after noticeAfterMs', async () => {
    const onSlow = vi.fn();
    const kr = createKeyring({ timeoutMs: 1500, noticeAfterMs: 300, env, onSlow });

    const err = await kr.run([{ op: 'get', account: 'stored' }]).catch((e: unknown) => e);

    expect(err).toMatchObject({ kind: 'timeout', completed: 0 });
    expect(onSlow).toHaveBeenCalledTimes(1);
    await Promise.all(keyringChildren(ss.env.HOME).map(exited));
  });

  it('kills the helper at once when the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController();
    const batch = createKeyring({ timeoutMs: 20_000, env, signal: controller.signal })
      .run([{ op: 'get', account: 'stored' }])
      .catch((e: unknown) => e);
    const pid = await keyringChild(ss.env.HOME);

    controller.abort();
    const err = await batch;

    expect(err).toBeInstanceOf(DOMException);
    expect(err).toMatchObject({ name: 'AbortError' });
    await exited(pid);
  });

  it('starts no helper when the signal has already aborted', async () => {
    const signal = AbortSignal.abort();

    const err = await createKeyring({ timeoutMs: 20_000, env, signal })
      .run([{ op: 'get', account: 'stored' }])
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'AbortError' });
    expect(keyringChildren(ss.env.HOME)).toEqual([]);
  });
});
