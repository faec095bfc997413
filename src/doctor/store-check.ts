import { accessSync, constants, readFileSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { leftoverFiles } from '../store/leftovers.js';
import { storePath } from '../store/paths.js';
import { type StoreData, storeVersion } from '../store/profile.js';
import { parseStore, storeReadError } from '../store/store-file.js';
import { failure, type Outcome, ok, warning } from './check.js';

export interface StoreFinding {
  outcome: Outcome;
  path: string;
  /** The store as read; undefined when there is none yet or it could not be read. */
  data: StoreData | undefined;
  /** False when a store exists but could not be read: checks that need it are skipped. */
  readable: boolean;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
const wide = (st: Stats) => (st.mode & 0o077) !== 0;
const stat = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

/** The nearest directory that exists above `dir`, which a first login would create `dir` in. */
function existingAncestor(dir: string): string {
  let d = dir;
  while (!stat(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/**
 * The store, looked at without changing anything: no mkdir, no chmod (the store module tightens
 * modes when it opens the file; doctor only says so), and the file read and parsed directly.
 */
export function checkStore(configDir: string, platform: NodeJS.Platform): StoreFinding {
  const path = storePath(configDir);
  const done = (outcome: Outcome, data?: StoreData, readable = true): StoreFinding => ({
    outcome,
    path,
    data,
    readable,
  });
  const dirSt = stat(configDir);
  if (!dirSt) {
    const parent = existingAncestor(configDir);
    try {
      if (!stat(parent)?.isDirectory()) throw new Error('not a directory');
      accessSync(parent, constants.W_OK | constants.X_OK);
      return done(ok(`no store yet: the first login creates ${path} (0600, in a 0700 directory)`));
    } catch {
      return done(
        failure(
          `${configDir} does not exist, and ${parent} is not writable: a login could not save anything`,
          'create that directory yourself (mode 0700), or set PD_AUTH_CONFIG_DIR to a directory you can write',
        ),
      );
    }
  }
  if (!dirSt.isDirectory())
    return done(
      failure(`${configDir} is not a directory`, 'move it away, or set PD_AUTH_CONFIG_DIR elsewhere'),
    );
  const fixes: string[] = [];
  const notes: string[] = [];
  const checkModes = platform !== 'win32';
  if (checkModes && wide(dirSt)) {
    notes.push(`${configDir} is mode ${octal(dirSt.mode)} (others can look in)`);
    fixes.push(`chmod 700 ${configDir}`);
  }
  const fileSt = stat(path);
  if (fileSt && !fileSt.isFile())
    return done(
      failure(`${path} is not a regular file`, 'move it away; the next login creates the store'),
      undefined,
      false,
    );
  if (fileSt && checkModes && wide(fileSt)) {
    notes.push(`${path} is mode ${octal(fileSt.mode)} (it holds credentials; others can read it)`);
    fixes.push(`chmod 600 ${path}`);
  }
  let data: StoreData | undefined;
  let version: unknown;
  if (fileSt) {
    try {
      const text = readFileSync(path, 'utf8');
      data = parseStore(text);
      version = (JSON.parse(text) as { version?: unknown }).version;
    } catch (err) {
      const e = storeReadError(path, err);
      return done(failure(e.message, e.hint ?? 'repair the file or move it away'), undefined, false);
    }
  }
  const leftovers = leftoverFiles(path);
  if (leftovers.length > 0) {
    const copies = leftovers.length === 1 ? 'a copy' : `${leftovers.length} copies`;
    notes.push(`${copies} of the store left beside it by an interrupted write (tokens included)`);
    fixes.push(
      `the next change to the store removes them (\`pd-auth refresh\`), or when no pd-auth runs: rm ${leftovers.join(' ')}`,
    );
  }
  if (notes.length > 0) return done(warning(notes.join('; '), fixes.join('; ')), data);
  if (!data) return done(ok(`no store yet in ${configDir}: the first login creates ${path}`));
  const count = Object.keys(data.profiles).length;
  const migrated =
    version === storeVersion
      ? ''
      : ` (written by an older pd-auth as version ${String(version)}; updated at the next change)`;
  const modes =
    checkModes && fileSt ? `, mode ${octal(fileSt.mode)} in a ${octal(dirSt.mode)} directory` : '';
  return done(
    ok(
      `${path}: store version ${storeVersion}${migrated}, ${count} profile${count === 1 ? '' : 's'}${modes}`,
    ),
    data,
  );
}
