import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRefresh } from '../../../src/commands/refresh.js';
import { LoginNeededError, PdAuthError } from '../../../src/errors.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { loggedIn, seedLogin, storeBytes } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps } from '../../helpers/test-deps.js';

const fixedNow = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('runRefresh (in-process)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const deps = () => makeTestDeps({ configDir: tmp.path, now: () => fixedNow });

  beforeEach(async () => {
    fx = await startTestEmulator({ accessTokenTtl: 1800 });
    tmp = makeTempDir();
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  it('sets the expiry from expires_in on the fixed clock and reports it', async () => {
    await seedLogin(fx, tmp.path);
    const t = deps();

    await runRefresh({ profile: 'default' }, t.deps);

    expect(loggedIn(tmp.path).tokens).toMatchObject({
      expiresAt: fixedNow + 1_800_000,
      refreshTokenUsedAt: fixedNow,
    });
    expect(t.stderr()).toMatchInlineSnapshot(`
      "Refreshed profile "default": the access token expires 2026-01-02 03:34 UTC (in 30m).
      "
    `);
  });

  it('rejects with LoginNeededError (exit 4) for a profile that is not logged in', async () => {
    await seedLogin(fx, tmp.path);
    const before = storeBytes(tmp.path);

    const run = runRefresh({ profile: 'sandbox' }, deps().deps);

    await expect(run).rejects.toThrow(LoginNeededError);
    await expect(run).rejects.toMatchObject({ exitCode: 4, hint: 'run `pd-auth login --profile sandbox`' });
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('names the profile in the rotate-secret hint when its secret is refused', async () => {
    await seedLogin(fx, tmp.path, { profile: 'sandbox' });
    fx.emulator.regenerateSecret();
    const before = storeBytes(tmp.path);

    const run = runRefresh({ profile: 'sandbox' }, deps().deps);

    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      hint: expect.stringContaining('pd-auth rotate-secret --profile sandbox'),
    });
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('refuses a profile with tokens but no stored secret, pointing at rotate-secret', async () => {
    const seeded = await seedLogin(fx, tmp.path);
    await openProfileStore(tmp.path).update('default', () => ({ ...seeded, clientSecret: undefined }));
    const before = storeBytes(tmp.path);
    const requests = fx.emulator.stats.tokenRequests;

    const run = runRefresh({ profile: 'default' }, deps().deps);

    await expect(run).rejects.toThrow(PdAuthError);
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('pd-auth rotate-secret') });
    expect(fx.emulator.stats.tokenRequests).toBe(requests);
    expect(storeBytes(tmp.path)).toEqual(before);
  });
});
