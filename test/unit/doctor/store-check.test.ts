import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStore } from '../../../src/doctor/store-check.js';
import { storeVersion } from '../../../src/store/profile.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const store = (version = storeVersion) => `${JSON.stringify({ version, profiles: {} })}\n`;

describe('the store check (read only)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dir: string;
  let file: string;
  const write = (text: string, fileMode = 0o600, dirMode = 0o700) => {
    mkdirSync(dir, { mode: dirMode });
    chmodSync(dir, dirMode);
    writeFileSync(file, text, { mode: fileMode });
    chmodSync(file, fileMode);
  };
  beforeEach(() => {
    tmp = makeTempDir();
    dir = join(tmp.path, 'config');
    file = join(dir, 'profiles.json');
  });
  afterEach(() => tmp.remove());

  it('is ok with no store yet, and creates nothing', () => {
    const f = checkStore(dir, 'linux');

    expect(f.outcome).toMatchObject({
      result: 'ok',
      reason: `no store yet: the first login creates ${file} (0600, in a 0700 directory)`,
    });
    expect(() => statSync(dir)).toThrow();
  });

  it('fails when the directory could not be created (a file is in the way)', () => {
    writeFileSync(join(tmp.path, 'plain'), '');
    const f = checkStore(join(tmp.path, 'plain', 'config'), 'linux');

    expect(f.outcome.result).toBe('failure');
    expect(f.outcome.fix).toContain('PD_AUTH_CONFIG_DIR');
  });

  it('is ok for a private store of this version, with its modes and profile count', () => {
    write(store());

    expect(checkStore(dir, 'linux').outcome).toEqual({
      result: 'ok',
      reason: `${file}: store version ${storeVersion}, 0 profiles, mode 0600 in a 0700 directory`,
      fix: null,
    });
  });

  it('warns about a 0644 file with the chmod to run, and leaves the mode as it was', () => {
    write(store(), 0o644);

    const f = checkStore(dir, 'linux');

    expect(f.outcome.result).toBe('warning');
    expect(f.outcome.reason).toBe(`${file} is mode 0644 (it holds credentials; others can read it)`);
    expect(f.outcome.fix).toBe(`chmod 600 ${file}`);
    expect(mode(file)).toBe(0o644);
    expect(f.data?.version).toBe(storeVersion);
  });

  it('warns about a 0755 directory with chmod 700', () => {
    write(store(), 0o600, 0o755);

    const f = checkStore(dir, 'linux');

    expect(f.outcome.fix).toBe(`chmod 700 ${dir}`);
    expect(mode(dir)).toBe(0o755);
  });

  it('fails on a file that is not JSON, naming it, without quoting it or changing it', () => {
    write('{"version": 3, "profiles": {"a": "v1u:secret');

    const f = checkStore(dir, 'linux');

    expect(f.outcome.result).toBe('failure');
    expect(f.outcome.reason).toBe(`cannot read the pd-auth store ${file}: it is not valid JSON`);
    expect(f.outcome.reason).not.toContain('secret');
    expect(f.readable).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('{"version": 3, "profiles": {"a": "v1u:secret');
  });

  it('fails on a store from a newer pd-auth, saying to upgrade', () => {
    write(store(storeVersion + 1));

    expect(checkStore(dir, 'linux').outcome.reason).toContain('written by a newer pd-auth');
  });

  it('reads an older store as this version, and says it is updated at the next change', () => {
    write(store(2));

    expect(checkStore(dir, 'linux').outcome.reason).toContain(
      'written by an older pd-auth as version 2; updated at the next change',
    );
  });

  it('warns about copies an interrupted write left beside the store', () => {
    write(store());
    writeFileSync(`${file}.tmp-123`, store(), { mode: 0o600 });

    const f = checkStore(dir, 'linux');

    expect(f.outcome.result).toBe('warning');
    expect(f.outcome.fix).toBe(
      `the next change to the store removes them (\`pd-auth refresh\`), or when no pd-auth runs: rm ${file}.tmp-123`,
    );
  });
});
