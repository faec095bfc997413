import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * conf writes through `atomically`, which writes `<file>.tmp-<digits>` and renames it over the file.
 * A writer killed in between leaves that temp file behind: a full copy of the store, tokens included.
 * The name is atomically's, not ours: test/unit/store/leftovers.test.ts kills a real conf write
 * before its rename and fails if an upgrade names the file otherwise.
 */
const leftoverPrefix = (file: string) => `${basename(file)}.tmp-`;

export function leftoverFiles(file: string): string[] {
  const prefix = leftoverPrefix(file);
  try {
    return readdirSync(dirname(file))
      .filter((name) => name.startsWith(prefix))
      .map((name) => join(dirname(file), name));
  } catch {
    return [];
  }
}

/** Removes them; only with the store lock held, when no live writer can own one. Returns how many. */
export function removeLeftoverFiles(file: string): number {
  const found = leftoverFiles(file);
  for (const path of found) rmSync(path, { force: true });
  return found.length;
}
