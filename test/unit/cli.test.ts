import { writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { seedLogin, storeBytes, storePath } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeTestDeps } from '../helpers/test-deps.js';

describe('main: errors to exit codes', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const deps = () => makeTestDeps({ configDir: tmp.path });
  const lines = (text: string) => stripVTControlCharacters(text).split('\n');

  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    tmp.remove();
  });

  it('returns 0 for --help, with the usage on stdout', async () => {
    const t = deps();

    const code = await main(['--help'], t.deps);

    expect(code).toBe(0);
    expect(t.stdout()).toContain('Usage: pd-auth');
    expect(t.stdout()).toContain('rotate-secret');
  });

  it('returns 0 for login --help, with the login options on stdout', async () => {
    const t = deps();

    const code = await main(['login', '--help'], t.deps);

    expect(code).toBe(0);
    expect(t.stdout()).toContain('--client-secret-stdin');
  });

  it('returns 2 for a bad flag value', async () => {
    const t = deps();

    const code = await main(['login', '--timeout', 'abc'], t.deps);

    expect(code).toBe(2);
    expect(t.stderr()).toContain('--timeout');
    expect(storeBytes(tmp.path)).toBeUndefined();
  });

  it('returns 2 for missing input that cannot be asked, with error: and hint: lines', async () => {
    const t = deps();

    const code = await main(['login', '--redirect-uri', 'http://localhost:1/callback'], t.deps);

    expect(code).toBe(2);
    const out = lines(t.stderr());
    expect(out).toContainEqual(expect.stringMatching(/^error: no client id given/));
    expect(out).toContainEqual(
      expect.stringMatching(/^hint: pass --client-id ID or set PIPEDRIVE_CLIENT_ID/),
    );
  });

  it('returns 4 when the profile is not logged in', async () => {
    const t = deps();

    const code = await main(['refresh', '--profile', 'sandbox'], t.deps);

    expect(code).toBe(4);
    const out = lines(t.stderr());
    expect(out).toContain('error: profile "sandbox" is not logged in');
    expect(out).toContain('hint: run `pd-auth login --profile sandbox`');
  });

  it('returns 1 for an unreadable store, with error: and hint: lines, and leaves the file as it was', async () => {
    writeFileSync(storePath(tmp.path), '{ not json');
    const before = storeBytes(tmp.path);
    const t = deps();

    const code = await main(['refresh'], t.deps);

    expect(code).toBe(1);
    const out = lines(t.stderr());
    expect(out).toContainEqual(
      expect.stringMatching(/^error: cannot read the pd-auth store .*not valid JSON/),
    );
    expect(out).toContainEqual(expect.stringMatching(/^hint: repair the file or move it away/));
    expect(storeBytes(tmp.path)).toEqual(before);
  });

  it('returns 1 for an unexpected error and calls it a bug', async () => {
    const t = deps();
    t.deps.store = {
      ...t.deps.store,
      getProfile: async () => {
        throw new TypeError('boom');
      },
    };

    const code = await main(['refresh'], t.deps);

    expect(code).toBe(1);
    expect(lines(t.stderr())).toContain('error: boom');
    expect(t.stderr()).toContain('This is a bug in pd-auth');
  });

  describe('with an OAuth host', () => {
    let fx: EmulatorFixture;
    beforeEach(async () => {
      fx = await startTestEmulator();
    });
    afterEach(async () => {
      await fx.emulator.close();
    });

    it('returns 1 for a refused secret, with error: and hint: lines', async () => {
      await seedLogin(fx, tmp.path);
      fx.emulator.regenerateSecret();
      const t = deps();

      const code = await main(['refresh'], t.deps);

      expect(code).toBe(1);
      const out = lines(t.stderr());
      expect(out).toContainEqual(
        expect.stringMatching(/^error: Pipedrive rejected the stored client secret/),
      );
      expect(out).toContainEqual(expect.stringMatching(/^hint: .*run `pd-auth rotate-secret`/));
    });

    it('returns 0 for a refresh, with stdout empty', async () => {
      await seedLogin(fx, tmp.path);
      const t = deps();

      const code = await main(['refresh'], t.deps);

      expect(code).toBe(0);
      expect(t.stdout()).toBe('');
    });
  });
});
