import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PdAuthError } from '../errors.js';
import { defaultLockOptions, type LockOptions, withFileLock } from './lock.js';
import { migrateStore } from './migrate.js';
import { emptyStore, type Profile, type StoreData } from './profile.js';
import { SchemaError, validateStore } from './validate.js';

export interface StoreTransaction {
  read(): Promise<StoreData>;
  write(data: StoreData): Promise<void>;
}

export interface ProfileStore {
  readonly path: string;
  read(): Promise<StoreData>;
  getProfile(name: string): Promise<Profile | undefined>;
  /** One locked read-modify-write; `fn` returning undefined deletes the profile. */
  update(name: string, fn: (current: Profile | undefined) => Profile | undefined): Promise<void>;
  /**
   * Runs `fn` holding the cross-process store lock: every writer goes through here, so two
   * processes never interleave a read-modify-write, and a refresh happens once for all of them.
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Gets a write ready in the background (loads conf and the lock library, and sets up conf, which
   * reads the file but writes nothing): `login` calls it while it waits for the browser, so the save
   * after the callback is quick.
   */
  preload(): void;
  /**
   * Removes the temp files a killed writer left beside the store (each a full copy of it, tokens
   * included), holding the lock; returns how many. Takes no lock when there are none.
   */
  removeLeftovers(): Promise<number>;
}

/**
 * node:os, loaded only when the default folder is needed (it costs start-up time otherwise). Node 21
 * and 22.0–22.2 cannot load a built-in module on demand like this: there, what os.homedir() reads
 * first.
 */
function homedir(): string {
  const os = process.getBuiltinModule?.('node:os');
  if (os) return os.homedir();
  const home = process.platform === 'win32' ? process.env.USERPROFILE : process.env.HOME;
  if (!home) throw new Error('cannot find your home folder: set HOME (or PD_AUTH_CONFIG_DIR)');
  return home;
}

/** Where the store lives unless PD_AUTH_CONFIG_DIR says otherwise (XDG on Linux). */
export function defaultConfigDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'pd-auth');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Preferences', 'pd-auth');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'pd-auth');
}

export const storeFileName = 'profiles.json';

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * The directory and the file hold credentials: 0700 and 0600. Modes found wider (a directory made
 * by hand, a file copied over) are tightened, and the user is told.
 */
function ensurePrivate(dir: string, file: string, warn: (message: string) => void): void {
  // A stat first: most runs find the folder there, and a recursive mkdir costs more than a stat.
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  for (const [path, want] of [
    [dir, 0o700],
    [file, 0o600],
  ] as const) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch {
      continue; // no store file yet: it is created 0600
    }
    // Something else where the file belongs is reported by the read, and left as it is.
    if (path === file && !st.isFile()) continue;
    const mode = Number(st.mode);
    if ((mode & 0o077) !== 0) {
      chmodSync(path, want);
      warn(
        `tightened the permissions of ${path} from ${octal(mode)} to ${octal(want)} (it holds credentials)`,
      );
    }
  }
}

/**
 * A writer killed between writing its temp file and renaming it leaves `profiles.json.tmp-*` behind:
 * a full copy of the store, tokens included, that a logout would not remove. Called with the store
 * lock held, when no live writer can own one.
 */
function removeOrphanedTempFiles(dir: string): number {
  const names = orphanedTempFiles(dir);
  for (const name of names) rmSync(join(dir, name), { force: true });
  return names.length;
}

function orphanedTempFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.startsWith(`${storeFileName}.tmp-`));
  } catch {
    return [];
  }
}

type ConfInstance = { store: Record<string, unknown>; path: string };

/**
 * The store: conf writes it (atomic temp+rename, file mode 0600), loaded on the first write; an
 * unreadable or invalid file is reported, never cleared (`clearInvalidConfig: false`).
 */
export function openProfileStore(
  dir: string,
  lockOptions: LockOptions = defaultLockOptions,
  warn: (message: string) => void = () => {},
): ProfileStore {
  const path = join(dir, storeFileName);
  let conf: ConfInstance | undefined;
  const fail = (err: unknown): never => {
    const detail =
      err instanceof SchemaError
        ? err.message
        : err instanceof SyntaxError
          ? 'it is not valid JSON'
          : String((err as Error)?.message ?? err);
    const denied =
      (err as NodeJS.ErrnoException)?.code === 'EACCES' || (err as NodeJS.ErrnoException)?.code === 'EPERM';
    throw new PdAuthError(`cannot read the pd-auth store ${path}: ${detail}`, {
      hint: denied
        ? "check the file's owner and mode: it should belong to you, with mode 0600"
        : 'repair the file or move it away (pd-auth leaves it as it is), then log in again',
      // Node's JSON error quotes a piece of the file, which may be part of a secret: not kept.
      cause: err instanceof SyntaxError ? new SyntaxError('the store is not valid JSON') : err,
    });
  };
  const getConf = async (): Promise<ConfInstance> => {
    if (conf) return conf;
    const { default: Conf } = await import('conf');
    try {
      ensurePrivate(dir, path, warn);
      conf = new Conf<Record<string, unknown>>({
        cwd: dir,
        configName: 'profiles',
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
        serialize: (v) => `${JSON.stringify(v, null, 2)}\n`,
        deserialize: (text) =>
          validateStore(migrateStore(JSON.parse(text))) as unknown as Record<string, unknown>,
      }) as unknown as ConfInstance;
      return conf;
    } catch (err) {
      return fail(err);
    }
  };
  let checked = false;
  /**
   * Reads go straight to the file: conf (and its schema library) load only for a write, so the
   * commands that only read (`token` with a valid token, `status --offline`) start fast.
   */
  const read = async (): Promise<StoreData> => {
    let text: string;
    try {
      if (!checked) ensurePrivate(dir, path, warn);
      checked = true;
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyStore();
      return fail(err);
    }
    try {
      return validateStore(migrateStore(JSON.parse(text)));
    } catch (err) {
      return fail(err);
    }
  };
  const write = async (data: StoreData) => {
    const c = await getConf();
    removeOrphanedTempFiles(dir);
    try {
      c.store = data as unknown as Record<string, unknown>;
    } catch (err) {
      throw new PdAuthError(`cannot write the pd-auth store ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const transaction = async <T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> => {
    // Fail on an unreadable store before taking the lock, and create the 0700 directory it lives in.
    await read();
    return withFileLock(path, () => fn({ read, write }), lockOptions, warn);
  };
  return {
    path,
    read,
    preload: () => {
      // One step per turn of the event loop, so that a callback arriving meanwhile waits for one at
      // most: conf, the lock library, then conf's instance (it reads the file, and writes nothing).
      // A failure here shows again, and is reported, at the write itself.
      const next = (step: () => Promise<unknown>) =>
        new Promise<void>((resolve) =>
          setImmediate(() =>
            step().then(
              () => resolve(),
              () => resolve(),
            ),
          ),
        );
      void next(() => import('conf'))
        .then(() => next(() => import('proper-lockfile')))
        .then(() => next(getConf));
    },
    getProfile: async (name) => (await read()).profiles[name],
    removeLeftovers: async () =>
      orphanedTempFiles(dir).length === 0 ? 0 : transaction(async () => removeOrphanedTempFiles(dir)),
    transaction,
    update: (name, fn) =>
      transaction(async (tx) => {
        const data = await tx.read();
        const next = fn(data.profiles[name]);
        const profiles = { ...data.profiles };
        if (next === undefined) delete profiles[name];
        else profiles[name] = next;
        await tx.write({ ...data, profiles });
      }),
  };
}
