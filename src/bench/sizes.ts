import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes on disk below `path` (files' sizes; links not followed). */
function du(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + du(join(path, name)), 0);
}

/**
 * What `npm install pd-auth` puts on disk: the package as npm packs it, and every production
 * dependency in the lock file (dev-only ones left out), as installed here.
 */
export function installedSize(root: string): { ownKb: number; depsKb: number; depCount: number } {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  });
  const packed = JSON.parse(pack.stdout || '[{}]') as Array<{ unpackedSize?: number }>;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const prod = Object.entries(lock.packages).filter(
    ([k, v]) => k.startsWith('node_modules/') && !v.dev && !v.devOptional,
  );
  const depsBytes = prod.reduce((sum, [k]) => sum + du(join(root, k)), 0);
  return { ownKb: (packed[0]?.unpackedSize ?? 0) / 1024, depsKb: depsBytes / 1024, depCount: prod.length };
}
