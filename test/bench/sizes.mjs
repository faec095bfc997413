// @ts-check
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bytes on disk below `path` (files' sizes; links not followed).
 * @param {string} path
 * @returns {number}
 */
function du(path) {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + du(join(path, name)), 0);
}

/**
 * @typedef {object} PackageSizes
 * @property {number} packedBytes the tarball `npm pack` would write
 * @property {number} unpackedBytes the same files, unpacked
 * @property {number} fileCount files in the tarball
 * @property {number} depsBytes every production dependency, as installed here
 * @property {number} depCount how many production dependencies the lock file holds
 */

/**
 * What `npm install pd-auth` puts on disk: the package as npm packs it (`npm pack --dry-run`, with
 * scripts off: the bench has just built), and every production dependency in the lock file (dev-only
 * ones left out), as installed here.
 * @param {string} root the package's folder
 * @returns {PackageSizes}
 */
export function packageSizes(root) {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (pack.status !== 0) throw new Error(`npm pack --dry-run failed: ${pack.stderr}`);
  /** @type {Array<{ size?: number, unpackedSize?: number, entryCount?: number }>} */
  const packed = JSON.parse(pack.stdout);
  /** @type {{ packages: Record<string, { dev?: boolean, devOptional?: boolean }> }} */
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const prod = Object.entries(lock.packages).filter(
    ([k, v]) => k.startsWith('node_modules/') && !v.dev && !v.devOptional,
  );
  return {
    packedBytes: packed[0]?.size ?? 0,
    unpackedBytes: packed[0]?.unpackedSize ?? 0,
    fileCount: packed[0]?.entryCount ?? 0,
    depsBytes: prod.reduce((sum, [k]) => sum + du(join(root, k)), 0),
    depCount: prod.length,
  };
}
