import { PdAuthError } from '../errors.js';
import { leftoverFiles, removeLeftoverFiles } from './leftovers.js';
import { defaultLockOptions, type LockOptions, withFileLock } from './lock.js';
import { storePath } from './paths.js';
import { ensurePrivate } from './permissions.js';
import { emptyStore, type Profile, type StoreData } from './profile.js';
import { parseStore, storeReadError } from './store-file.js';

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
  /** Removes the temp files a killed writer left beside the store (leftovers.ts); returns how many. */
  removeLeftovers(): Promise<number>;
}

/** What pd-auth uses of a conf instance: the document, read from the file and written atomically. */
interface ConfDocument {
  store: Record<string, unknown>;
}

/**
 * The store: conf keeps the document (`profiles.json` in `dir`, mode 0600, atomic temp+rename
 * writes), and pd-auth adds its own schema and migrations (parseStore), a 0700 directory, and a
 * cross-process lock around every read-modify-write. An unreadable or invalid file is reported,
 * never cleared.
 */
export function openProfileStore(
  dir: string,
  lockOptions: LockOptions = defaultLockOptions,
  warn: (message: string) => void = () => {},
): ProfileStore {
  const path = storePath(dir);
  let conf: Promise<ConfDocument> | undefined;
  const open = async (): Promise<ConfDocument> => {
    const { default: Conf } = await import('conf');
    ensurePrivate(dir, path, warn);
    return new Conf<Record<string, unknown>>({
      cwd: dir,
      configName: 'profiles',
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      serialize: (v) => `${JSON.stringify(v, null, 2)}\n`,
      deserialize: (text) => parseStore(text) as unknown as Record<string, unknown>,
    });
  };
  const document = () => {
    conf ??= open();
    return conf;
  };
  const read = async (): Promise<StoreData> => {
    try {
      const doc = (await document()).store;
      // conf hands back an empty object when there is no file yet.
      return Object.keys(doc).length === 0 ? emptyStore() : (doc as unknown as StoreData);
    } catch (err) {
      conf = undefined;
      throw err instanceof PdAuthError ? err : storeReadError(path, err);
    }
  };
  const write = async (data: StoreData) => {
    const doc = await document();
    removeLeftoverFiles(path);
    try {
      doc.store = data as unknown as Record<string, unknown>;
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
    getProfile: async (name) => (await read()).profiles[name],
    removeLeftovers: async () =>
      leftoverFiles(path).length === 0 ? 0 : transaction(async () => removeLeftoverFiles(path)),
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
