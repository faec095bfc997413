import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRotateSecret } from '../../../src/commands/rotate-secret.js';
import { LoginNeededError, PdAuthError, UsageError } from '../../../src/errors.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { loggedIn, revokeAtEmulator, seedLogin, storeBytes } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps, type TestDepsOptions } from '../../helpers/test-deps.js';

describe('runRotateSecret (in-process)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const deps = (opts: Omit<TestDepsOptions, 'configDir'> = {}) =>
    makeTestDeps({ configDir: tmp.path, ...opts });

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  it('asks for the new secret in a terminal, and shows it only masked', async () => {
    await seedLogin(fx, tmp.path);
    const secret = fx.emulator.regenerateSecret();
    const t = deps({ interactive: true, answers: [secret] });

    await runRotateSecret({ profile: 'default', verify: true }, t.deps);

    expect(t.prompter.asked).toEqual(['New client secret (input hidden):']);
    expect(loggedIn(tmp.path).clientSecret).toBe(secret);
    expect(t.stderr()).toContain(`(${secret.slice(0, 4)}…${secret.slice(-4)}) works`);
    expect(t.stdout() + t.stderr()).not.toContain(secret);
  });

  it('does not use the stored secret as the new one without a terminal', async () => {
    await seedLogin(fx, tmp.path);
    const before = storeBytes(tmp.path);

    const run = runRotateSecret({ profile: 'default', verify: true }, deps().deps);

    await expect(run).rejects.toThrow(UsageError);
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('refuses a secret with control characters (usage error) before calling the OAuth host', async () => {
    await seedLogin(fx, tmp.path);
    const before = storeBytes(tmp.path);
    const requests = fx.emulator.stats.tokenRequests;

    const run = runRotateSecret(
      { profile: 'default', verify: true },
      deps({ env: { clientSecret: 'abc\u001b[2Jdef' } }).deps,
    );

    await expect(run).rejects.toThrow(UsageError);
    expect(fx.emulator.stats.tokenRequests).toBe(requests);
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('rejects with exit 4 when the stored refresh token is revoked, changing nothing', async () => {
    const seeded = await seedLogin(fx, tmp.path);
    await revokeAtEmulator(fx, seeded.tokens?.refreshToken ?? '');
    const secret = fx.emulator.regenerateSecret();
    const before = storeBytes(tmp.path);

    const run = runRotateSecret(
      { profile: 'default', verify: true },
      deps({ env: { clientSecret: secret } }).deps,
    );

    await expect(run).rejects.toThrow(LoginNeededError);
    await expect(run).rejects.toThrow(/cannot check the new secret.*nothing was changed/);
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('asks for --no-verify when the profile has no tokens to check with', async () => {
    const seeded = await seedLogin(fx, tmp.path);
    await openProfileStore(tmp.path).update('default', () => ({ ...seeded, tokens: undefined }));
    const before = storeBytes(tmp.path);

    const run = runRotateSecret(
      { profile: 'default', verify: true },
      deps({ env: { clientSecret: 'new-secret' } }).deps,
    );

    await expect(run).rejects.toThrow(PdAuthError);
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('--no-verify') });
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('with --no-verify keeps the tokens and changes only the secret', async () => {
    const seeded = await seedLogin(fx, tmp.path);

    await runRotateSecret(
      { profile: 'default', verify: false },
      deps({ env: { clientSecret: 'new-secret' } }).deps,
    );

    const after = loggedIn(tmp.path);
    expect(after.clientSecret).toBe('new-secret');
    expect(after.tokens).toEqual(seeded.tokens);
  });
});
