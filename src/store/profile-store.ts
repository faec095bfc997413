import { PdAuthError } from '../errors.js';
import type { Keyring } from '../keyring/keyring.js';
import { type KnownSecrets, loadSecrets, newStoreId } from './keyring-secrets.js';
import { leftoverFiles, removeLeftoverFiles } from './leftovers.js';
import { defaultLockOptions, type LockOptions, withFileLock } from './lock.js';
import { storePath } from './paths.js';
import { ensurePrivate } from './permissions.js';
import { emptyStore, type Profile, type StoreData } from './profile.js';
import { parseStore, storeReadError } from './store-file.js';
import { type WriteOutcome, writeWithKeyring } from './write-with-keyring.js';

export interface StoreTransaction {
  /** The document as the file holds it: a keyring profile's secrets are not loaded. */
  read(): Promise<StoreData>;
  /** The profile with its secrets, from the OS keyring when it keeps them there. */
  loadSecrets(name: string): Promise<Profile | undefined>;
  /**
   * Writes the document: a keyring profile's new secrets go to the keyring first (the file is not
   * touched if that fails), then the file; entries nothing points to any more are removed after.
   */
  write(data: StoreData): Promise<WriteOutcome>;
}

export interface ProfileStore {
  readonly path: string;
  read(): Promise<StoreData>;
  getProfile(name: string): Promise<Profile | undefined>;
  /** getProfile with the profile's secrets loaded (from the OS keyring when they are there). */
  loadSecrets(name: string): Promise<Profile | undefined>;
  /** One locked read-modify-write; `fn` returning undefined deletes the profile. */
  update(name: string, fn: (current: Profile | undefined) => Profile | undefined): Promise<WriteOutcome>;
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
  keyring?: Keyring,
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
  const writeFile = async (data: StoreData) => {
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
  const needKeyring = (): Keyring => {
    if (!keyring) throw new PdAuthError('this pd-auth was started without access to the OS keyring');
    return keyring;
  };
  const secretsOf = (known: KnownSecrets) => async (name: string) =>
    loadSecrets(needKeyring, await read(), name, known);
  const transaction = async <T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> => {
    // Fail on an unreadable store before taking the lock, and create the 0700 directory it lives in.
    await read();
    // What this transaction read from the keyring: another process may change it between transactions.
    const known: KnownSecrets = new Map();
    const write = (data: StoreData) =>
      writeWithKeyring(data, { read, writeFile, keyring: needKeyring, known, newStoreId, warn });
    return withFileLock(path, () => fn({ read, write, loadSecrets: secretsOf(known) }), lockOptions, warn);
  };
  return {
    path,
    read,
    getProfile: async (name) => (await read()).profiles[name],
    loadSecrets: (name) => secretsOf(new Map())(name),
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
        return tx.write({ ...data, profiles });
      }),
  };
}
