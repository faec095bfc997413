import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leftoverFiles } from '../../../src/store/leftovers.js';
import { storePath } from '../../../src/store/paths.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const writer = fileURLToPath(new URL('../../fixtures/killed-store-write.mjs', import.meta.url));

/**
 * The temp file a killed write leaves is named by conf's writer (atomically), not by pd-auth: a real
 * conf write is killed before its rename, and pd-auth must still find and remove what it left. This
 * fails when an upgrade of conf or atomically names that file otherwise.
 */
describe('what a write killed before its rename leaves', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('is one temp file that leftoverFiles finds, holding the whole store, and removeLeftovers removes it', async () => {
    const r = spawnSync(process.execPath, [writer, tmp.path], { encoding: 'utf8' });
    const file = storePath(tmp.path);

    const found = leftoverFiles(file);
    const removed = await openProfileStore(tmp.path).removeLeftovers();

    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
    expect(found).toHaveLength(1);
    expect(removed).toBe(1);
    expect(leftoverFiles(file)).toEqual([]);
  });

  it('the temp file is a copy of the store, secrets included (why it must not stay)', () => {
    spawnSync(process.execPath, [writer, tmp.path]);

    const [leftover = ''] = leftoverFiles(storePath(tmp.path));

    expect(JSON.parse(readFileSync(leftover, 'utf8'))).toMatchObject({
      profiles: { default: { clientSecret: 'crashed-client-secret' } },
    });
  });
});
