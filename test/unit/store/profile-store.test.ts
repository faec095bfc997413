import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PdAuthError } from '../../../src/errors.js';
import { withFileLock } from '../../../src/store/lock.js';
import { storeFileName } from '../../../src/store/paths.js';
import type { Profile, StoreData } from '../../../src/store/profile.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const now = Date.UTC(2026, 10, 26, 19, 7, 0);

const profile: Profile = {
  clientId: 'b4d083d9216986345b32',
  clientSecret: 'secret-0123456789abcdef',
  redirectUri: 'http://localhost:8484/callback',
  oauthUrl: 'https://oauth.pipedrive.com',
  tokens: {
    accessToken: 'v1u:AQIBAHj+abc=:def/==',
    refreshToken: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
    tokenType: 'Bearer',
    expiresAt: now + 3_600_000,
    obtainedAt: now,
    scope: ['base', 'deals:full'],
    apiDomain: 'https://user-company.pipedrive.com',
    refreshTokenUsedAt: now,
  },
  user: { id: 777, name: 'James', email: 'james@sis.gov.uk' },
  company: { id: 7, name: 'MI6', domain: 'casinoroyale' },
  updatedAt: now,
};

let temp: ReturnType<typeof makeTempDir>;
let dir: string;
let file: string;

beforeEach(() => {
  temp = makeTempDir();
  dir = join(temp.path, 'pd-auth');
  file = join(dir, storeFileName);
});

afterEach(() => {
  temp.remove();
});

const mode = (path: string) => statSync(path).mode & 0o777;

function writeStoreFile(text: string): Buffer {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  return readFileSync(file);
}

async function failure(promise: Promise<unknown>): Promise<PdAuthError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PdAuthError) return err;
    throw err;
  }
  throw new Error('expected the store call to fail');
}

describe('openProfileStore: round trip', () => {
  it('reads back a profile it stored', async () => {
    const store = openProfileStore(dir);

    await store.update('default', () => profile);

    expect(await store.getProfile('default')).toEqual(profile);
  });

  it('reads back from a fresh store on the same directory', async () => {
    await openProfileStore(dir).update('default', () => profile);

    expect(await openProfileStore(dir).read()).toEqual({ version: 3, profiles: { default: profile } });
  });

  it('passes the current profile to the update function', async () => {
    const store = openProfileStore(dir);
    await store.update('default', () => profile);
    const seen: Array<Profile | undefined> = [];

    await store.update('default', (current) => {
      seen.push(current);
      return current && { ...current, updatedAt: now + 1 };
    });

    expect(seen).toEqual([profile]);
    expect((await store.getProfile('default'))?.updatedAt).toBe(now + 1);
  });

  it('keeps other profiles when one is updated', async () => {
    const store = openProfileStore(dir);
    await store.update('sandbox', () => ({ ...profile, clientId: 'sandbox-id' }));

    await store.update('default', () => profile);

    expect(Object.keys((await store.read()).profiles).sort()).toEqual(['default', 'sandbox']);
    expect((await store.getProfile('sandbox'))?.clientId).toBe('sandbox-id');
  });

  it('deletes a profile when the update function returns undefined', async () => {
    const store = openProfileStore(dir);
    await store.update('default', () => profile);
    await store.update('sandbox', () => profile);

    await store.update('default', () => undefined);

    expect(await store.getProfile('default')).toBeUndefined();
    expect(Object.keys((await store.read()).profiles)).toEqual(['sandbox']);
  });

  it('writes versioned, pretty JSON', async () => {
    await openProfileStore(dir).update('default', () => profile);

    const text = readFileSync(file, 'utf8');

    expect(JSON.parse(text)).toEqual({ version: 3, profiles: { default: profile } });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 3');
  });

  it('names the file in its path', () => {
    expect(openProfileStore(dir).path).toBe(file);
  });
});

describe('openProfileStore: a missing file', () => {
  it('reads as an empty store', async () => {
    expect(await openProfileStore(dir).read()).toEqual({ version: 3, profiles: {} });
  });

  it('is not created by reading', async () => {
    const store = openProfileStore(dir);

    await store.read();
    await store.getProfile('default');

    expect(existsSync(file)).toBe(false);
  });
});

describe('openProfileStore: removeLeftovers', () => {
  const leftover = (name: string) => join(dir, `${storeFileName}.tmp-${name}`);

  it('removes the temp files a killed writer left, holding the lock, and nothing else', async () => {
    const before = writeStoreFile(`${JSON.stringify({ version: 2, profiles: { default: profile } })}\n`);
    writeFileSync(leftover('1a'), '{"version": 2, "profiles": {}}\n', { mode: 0o600 });
    writeFileSync(leftover('2b'), '{"vers', { mode: 0o600 });
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const store = openProfileStore(dir, { staleMs: 5_000, waitMs: 2_000 });

    // Another holder of the lock: the sweep waits for it.
    let sweptWhileHeld = false;
    let swept: Promise<number> | undefined;
    await withFileLock(file, async () => {
      swept = store.removeLeftovers();
      await new Promise((resolve) => setTimeout(resolve, 150));
      sweptWhileHeld = !existsSync(leftover('1a'));
    });

    expect(await swept).toBe(2);
    expect(sweptWhileHeld).toBe(false);
    expect(existsSync(leftover('1a')) || existsSync(leftover('2b'))).toBe(false);
    expect(readFileSync(file)).toEqual(before);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('with none, returns 0 without taking the lock or creating a store', async () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const store = openProfileStore(dir, { staleMs: 5_000, waitMs: 100 });

    // Holding the lock: a sweep that tried to take it would fail after waitMs.
    const n = await withFileLock(file, () => store.removeLeftovers());

    expect(n).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

describe.skipIf(process.platform === 'win32')('openProfileStore: permissions', () => {
  it('writes the file with mode 0600', async () => {
    await openProfileStore(dir).update('default', () => profile);

    expect(mode(file)).toBe(0o600);
  });

  it('creates the directory with mode 0700', async () => {
    await openProfileStore(dir).update('default', () => profile);

    expect(mode(dir)).toBe(0o700);
  });

  it('tightens a directory that existed with mode 0755', async () => {
    mkdirSync(dir);
    chmodSync(dir, 0o755);

    await openProfileStore(dir).update('default', () => profile);

    expect(mode(dir)).toBe(0o700);
  });

  it('tightens a 0755 directory on the first read too', async () => {
    mkdirSync(dir);
    chmodSync(dir, 0o755);

    await openProfileStore(dir).read();

    expect(mode(dir)).toBe(0o700);
  });

  it('rewrites a 0644 file as 0600', async () => {
    writeStoreFile(`${JSON.stringify({ version: 2, profiles: {} })}\n`);
    chmodSync(file, 0o644);

    await openProfileStore(dir).update('default', () => profile);

    expect(mode(file)).toBe(0o600);
  });
});

describe('openProfileStore: an unreadable file', () => {
  const invalidJson = '{"version": 2, "profiles": {';
  const wrongVersion = `${JSON.stringify({ version: 0, profiles: {} }, null, 2)}\n`;
  const numberForString = `${JSON.stringify({ version: 2, profiles: { default: { ...profile, clientId: 123 } } })}\n`;

  it('reports invalid JSON as a PdAuthError naming the file', async () => {
    writeStoreFile(invalidJson);

    const err = await failure(openProfileStore(dir).read());

    expect(err.message).toBe(`cannot read the pd-auth store ${file}: it is not valid JSON`);
    expect(err.hint).toBe('repair the file or move it away (pd-auth leaves it as it is), then log in again');
    expect(err.exitCode).toBe(1);
  });

  it('reports an unknown version as a PdAuthError naming the file', async () => {
    writeStoreFile(wrongVersion);

    const err = await failure(openProfileStore(dir).read());

    expect(err.message).toBe(
      `cannot read the pd-auth store ${file}: version 0 is not one this pd-auth knows (3)`,
    );
  });

  it('reports a number where a string belongs, with the field path', async () => {
    writeStoreFile(numberForString);

    const err = await failure(openProfileStore(dir).getProfile('default'));

    expect(err.message).toBe(
      `cannot read the pd-auth store ${file}: profiles.default.clientId should be a string`,
    );
  });

  it('reports a non-object as a PdAuthError naming the file', async () => {
    writeStoreFile('[]\n');

    const err = await failure(openProfileStore(dir).read());

    expect(err.message).toBe(`cannot read the pd-auth store ${file}: the file should hold a JSON object`);
  });

  it.each([
    ['invalid JSON', invalidJson],
    ['an unknown version', wrongVersion],
    ['a number where a string belongs', numberForString],
  ])('leaves a file with %s byte for byte as it was after a read', async (_what, text) => {
    const before = writeStoreFile(text);

    await failure(openProfileStore(dir).read());

    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.each([
    ['invalid JSON', invalidJson],
    ['an unknown version', wrongVersion],
    ['a number where a string belongs', numberForString],
  ])('refuses an update of a file with %s and changes nothing', async (_what, text) => {
    const before = writeStoreFile(text);
    const store = openProfileStore(dir);

    const err = await failure(store.update('default', () => profile));

    expect(err.message).toContain(`cannot read the pd-auth store ${file}`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('does not call the update function when the file is unreadable', async () => {
    writeStoreFile(invalidJson);
    let called = false;

    await failure(
      openProfileStore(dir).update('default', () => {
        called = true;
        return profile;
      }),
    );

    expect(called).toBe(false);
  });

  it('reports a file that went bad after the store was opened, and leaves it alone', async () => {
    const store = openProfileStore(dir);
    await store.update('default', () => profile);
    const before = writeStoreFile(invalidJson);

    const err = await failure(store.update('default', () => undefined));

    expect(err.message).toBe(`cannot read the pd-auth store ${file}: it is not valid JSON`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('migration from an older store version', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  const { obtainedAt: _dropped, ...v1Tokens } = profile.tokens as NonNullable<Profile['tokens']>;
  const v1 = {
    version: 1,
    profiles: { default: { ...profile, tokens: v1Tokens }, bare: { ...profile, tokens: undefined } },
  };

  it('reads a version 1 store as the current version, taking obtainedAt from the refresh token use', async () => {
    writeFileSync(join(tmp.path, 'profiles.json'), JSON.stringify(v1), { mode: 0o600 });

    const data = await openProfileStore(tmp.path).read();

    expect(data.version).toBe(3);
    expect(data.profiles.default?.tokens?.obtainedAt).toBe(v1Tokens.refreshTokenUsedAt);
    expect(data.profiles.bare?.tokens).toBeUndefined();
  });

  it('leaves the version 1 file as it is until the next change, then writes the current version', async () => {
    const file = join(tmp.path, 'profiles.json');
    writeFileSync(file, JSON.stringify(v1), { mode: 0o600 });
    const store = openProfileStore(tmp.path);

    await store.read();
    const untouched = JSON.parse(readFileSync(file, 'utf8')) as { version: number };
    await store.update('default', (p) => p);
    const written = JSON.parse(readFileSync(file, 'utf8')) as StoreData;

    expect(untouched.version).toBe(1);
    expect(written.version).toBe(3);
    expect(written.profiles.default?.tokens?.obtainedAt).toBe(v1Tokens.refreshTokenUsedAt);
  });

  it('refuses a store from a newer pd-auth, saying to upgrade, and leaves it as it is', async () => {
    const file = join(tmp.path, 'profiles.json');
    const text = JSON.stringify({ version: 99, profiles: {} });
    writeFileSync(file, text, { mode: 0o600 });

    await expect(openProfileStore(tmp.path).read()).rejects.toThrow(/newer pd-auth .*upgrade pd-auth/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('profile names in the file', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('refuses a name pd-auth would not accept (a newline and an escape), leaving the file as it is', async () => {
    const file = join(tmp.path, 'profiles.json');
    const text = JSON.stringify({ version: 2, profiles: { 'a\n\u001b[31m': profile } });
    writeFileSync(file, text, { mode: 0o600 });

    await expect(openProfileStore(tmp.path).read()).rejects.toThrow('is not a valid profile name');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
