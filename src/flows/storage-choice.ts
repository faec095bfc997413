import type { Deps } from '../deps.js';
import { PdAuthError, UsageError } from '../errors.js';
import { KeyringError } from '../keyring/keyring.js';
import { newStoreId } from '../store/keyring-secrets.js';
import type { Profile, Storage } from '../store/profile.js';

export interface StorageChoice {
  storage: Storage;
  /** Set when the secrets go to the file only because the keyring did not answer (the default). */
  fallback?: string;
}

const howToChoose = 'choose with --storage keyring|file or PD_AUTH_STORAGE';

/** The storage a login asks for: --storage, else PD_AUTH_STORAGE, else the profile's own choice. */
export function requestedStorage(flag: Storage | undefined, stored: Profile | undefined, deps: Deps) {
  if (flag) return flag;
  if (deps.env.storage === 'invalid')
    throw new UsageError('PD_AUTH_STORAGE should be "keyring" or "file"', 'unset it, or set one of the two');
  if (deps.env.storage) return deps.env.storage;
  // A store written before the keyring keeps its profiles in the file until they are moved.
  if (stored && !stored.storageFallback) return stored.storage ?? 'file';
  return undefined;
}

/**
 * Stores and removes a throw-away entry (`probe/<random>`): proves the keyring can keep a secret, and
 * is when a locked keyring asks to be unlocked. Rejects with KeyringError when it cannot; `doctor`
 * runs the same probe, so both say the same about the same keyring.
 */
export async function probeKeyring(deps: Pick<Deps, 'keyring'>): Promise<void> {
  const account = `probe/${newStoreId()}`;
  await deps.keyring.run([
    { op: 'set', account, secret: 'pd-auth checks that the keyring can store a secret' },
    { op: 'delete', account },
  ]);
}

/**
 * Where a login will keep the secrets, decided before the browser opens: the keyring is tried with
 * a write and a delete of a throw-away entry (which is also when a locked keyring asks to be
 * unlocked). Asked for explicitly, a keyring that fails is an error; by default the login falls
 * back to the 0600 file and says so.
 */
export async function chooseStorage(requested: Storage | undefined, deps: Deps): Promise<StorageChoice> {
  if (requested === 'file') return { storage: 'file' };
  try {
    await probeKeyring(deps);
    return { storage: 'keyring' };
  } catch (err) {
    if (!(err instanceof KeyringError)) throw err;
    if (requested === 'keyring') throw keyringRequiredError(err);
    return fallBack(err, deps);
  }
}

export function fallBack(err: KeyringError, deps: Deps): StorageChoice {
  deps.warn(
    `${err.message}; the client secret and refresh token go to ${deps.store.path} (mode 0600) instead (${howToChoose})`,
  );
  return { storage: 'file', fallback: err.message };
}

export function keyringRequiredError(err: KeyringError): PdAuthError {
  return new PdAuthError(`${err.message}; nothing was saved`, {
    hint: `fix or unlock the keyring, or pass --storage file (PD_AUTH_STORAGE=file) to keep the secrets in the 0600 store file`,
    cause: err,
  });
}

/**
 * Saves a login's profile where `choice` says. The keyring answered before the browser opened; if
 * it fails now, a default login falls back to the file (announced) and one that asked for it fails.
 */
export async function saveLogin(
  name: string,
  saved: Profile,
  how: { choice: StorageChoice; requested: Storage | undefined },
  deps: Deps,
): Promise<Profile> {
  try {
    await deps.store.update(name, () => saved);
    return saved;
  } catch (e) {
    if (!(e instanceof KeyringError) || how.choice.storage !== 'keyring') throw e;
    if (how.requested === 'keyring') throw keyringRequiredError(e);
    const { fallback } = fallBack(e, deps);
    const inFile: Profile = { ...saved, storage: 'file', storageFallback: fallback ?? e.message };
    await deps.store.update(name, () => inFile);
    return inFile;
  }
}
