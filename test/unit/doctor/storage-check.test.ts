import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStorage } from '../../../src/doctor/storage-check.js';
import { KeyringError, type KeyringOp, type KeyringResult } from '../../../src/keyring/keyring.js';
import type { Profile } from '../../../src/store/profile.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps } from '../../helpers/test-deps.js';

const storeId = '0123456789abcdef';
const unreachable = new KeyringError('unavailable', 'the OS keyring (Test) is not reachable: no bus', 0);

/** A keyring through the Deps seam that records each batch and answers from `entries`, or fails. */
function fakeKeyring(entries: Record<string, string>, fail?: KeyringError) {
  const batches: KeyringOp[][] = [];
  return {
    batches,
    keyring: {
      backend: 'Test',
      run: async (ops: KeyringOp[]): Promise<KeyringResult[]> => {
        batches.push(ops);
        if (fail) throw fail;
        return ops.map((o) => (o.op === 'get' ? (entries[o.account] ?? null) : null)) as KeyringResult[];
      },
    },
  };
}

const profile = (storage: 'keyring' | 'file', fallback?: string): Profile => ({
  clientId: 'c',
  redirectUri: 'http://localhost:8484/callback',
  oauthUrl: 'https://oauth.pipedrive.com',
  updatedAt: 0,
  storage,
  ...(fallback ? { storageFallback: fallback } : {}),
});

describe('the secret storage check', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());
  const run = (
    p: Profile | undefined,
    k: ReturnType<typeof fakeKeyring>,
    env: Record<string, unknown> = { storage: undefined },
  ) => {
    const t = makeTestDeps({ configDir: tmp.path, env });
    return checkStorage('default', p, storeId, { ...t.deps, keyring: k.keyring });
  };
  const both = { [`${storeId}/default/client-secret`]: 's', [`${storeId}/default/refresh-token`]: 'r' };

  it('a keyring profile: probes, then reads its two entries (one batch each)', async () => {
    const k = fakeKeyring(both);

    const o = await run(profile('keyring'), k);

    expect(o).toEqual({
      result: 'ok',
      reason: `the OS keyring (Test) answers and holds profile "default"'s client secret and refresh token`,
      fix: null,
    });
    expect(
      k.batches.map((b) => b.map((op) => `${op.op} ${op.account.replace(/^probe\/\w+$/, 'probe/*')}`)),
    ).toEqual([
      ['set probe/*', 'delete probe/*'],
      [`get ${storeId}/default/client-secret`, `get ${storeId}/default/refresh-token`],
    ]);
  });

  it('a logged-in keyring profile whose refresh token entry is gone fails: log in again', async () => {
    const loggedIn = { ...profile('keyring'), tokens: {} } as Profile;

    const o = await run(loggedIn, fakeKeyring({ [`${storeId}/default/client-secret`]: 's' }));

    expect(o).toEqual({
      result: 'failure',
      reason: `the OS keyring (Test) has no refresh token for profile "default" (entry ${storeId}/default/refresh-token)`,
      fix: 'run `pd-auth login`',
    });
  });

  it('a keyring profile with the keyring out of reach fails, with the ways out', async () => {
    const o = await run(profile('keyring'), fakeKeyring({}, unreachable));

    expect(o.result).toBe('failure');
    expect(o.reason).toBe(
      'the OS keyring (Test) is not reachable: no bus; profile "default" keeps its client secret and refresh token there',
    );
    expect(o.fix).toContain('`pd-auth storage file`');
  });

  it('a file profile chosen as such: ok, and the keyring is not touched', async () => {
    const k = fakeKeyring({}, unreachable);

    expect((await run(profile('file'), k)).result).toBe('ok');
    expect(k.batches).toEqual([]);
  });

  it('no keyring, default storage: a warning (the login falls back to the file), never a failure', async () => {
    const o = await run(profile('file', 'no bus at login'), fakeKeyring({}, unreachable));

    expect(o.result).toBe('warning');
    expect(o.fix).toContain('PD_AUTH_STORAGE=file');
  });

  it('no keyring with PD_AUTH_STORAGE=keyring: fails (that login would)', async () => {
    expect((await run(undefined, fakeKeyring({}, unreachable), { storage: 'keyring' })).result).toBe(
      'failure',
    );
  });

  it('an unusable PD_AUTH_STORAGE fails', async () => {
    expect((await run(undefined, fakeKeyring({}), { storage: 'invalid' })).result).toBe('failure');
  });
});
