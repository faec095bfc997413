import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getValidToken } from '../../../src/flows/refresh.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { seedLogin } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps } from '../../helpers/test-deps.js';

describe('getValidToken margin', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const start = Date.UTC(2026, 0, 2, 3, 4, 5);
  let now = start;
  const deps = () => makeTestDeps({ configDir: tmp.path, now: () => now }).deps;

  beforeEach(async () => {
    // Tokens live 60 s: less than the default 5-minute margin.
    fx = await startTestEmulator({ accessTokenTtl: 60 });
    tmp = makeTempDir();
    now = start;
    await seedLogin(fx, tmp.path, { now: () => now });
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  it('does not refresh a fresh short-lived token: the default margin is at most half its lifetime', async () => {
    now = start + 29_000;

    await getValidToken('default', deps());

    expect(fx.emulator.stats.refreshGrants).toBe(0);
  });

  it('refreshes a short-lived token past half its lifetime', async () => {
    now = start + 31_000;

    await getValidToken('default', deps());

    expect(fx.emulator.stats.refreshGrants).toBe(1);
  });

  it('takes a margin the caller asks for as given, even beyond the lifetime', async () => {
    await getValidToken('default', deps(), { minValidMs: 120_000 });

    expect(fx.emulator.stats.refreshGrants).toBe(1);
  });

  it('refreshes a token the API refused, however valid it looks', async () => {
    const first = await getValidToken('default', deps());

    const second = await getValidToken('default', deps(), { rejectedToken: first.tokens.accessToken });

    expect(fx.emulator.stats.refreshGrants).toBe(1);
    expect(second.tokens.accessToken).not.toBe(first.tokens.accessToken);
  });
});
