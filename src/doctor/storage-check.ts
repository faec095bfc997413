import type { Deps } from '../deps.js';
import { probeKeyring } from '../flows/storage-choice.js';
import { KeyringError } from '../keyring/keyring.js';
import { keyringAccounts } from '../store/keyring-secrets.js';
import { type Profile, storageOf } from '../store/profile.js';
import { failure, type Outcome, ok, warning } from './check.js';

const unreachableFix =
  'unlock the keyring, or run where it is reachable (over SSH or in a container there is often no session bus)';

/** The probe's KeyringError, or undefined when the keyring stored and removed the throw-away entry. */
async function probe(deps: Deps): Promise<KeyringError | undefined> {
  try {
    await probeKeyring(deps);
    return undefined;
  } catch (err) {
    if (err instanceof KeyringError) return err;
    throw err;
  }
}

/** A keyring profile's two entries, read (never shown): a missing one fails the next refresh. */
async function entriesOf(name: string, storeId: string, p: Profile, deps: Deps): Promise<Outcome> {
  const a = keyringAccounts(storeId, name);
  const where = `the OS keyring (${deps.keyring.backend})`;
  try {
    const [secret, refresh] = await deps.keyring.run([
      { op: 'get', account: a.clientSecret },
      { op: 'get', account: a.refreshToken },
    ]);
    if (p.tokens && typeof refresh !== 'string')
      return failure(
        `${where} has no refresh token for profile "${name}" (entry ${a.refreshToken})`,
        'run `pd-auth login`',
      );
    if (typeof secret !== 'string')
      return failure(
        `${where} has no client secret for profile "${name}" (entry ${a.clientSecret})`,
        'run `pd-auth rotate-secret` to store it again',
      );
    return ok(`${where} answers and holds profile "${name}"'s client secret and refresh token`);
  } catch (err) {
    if (!(err instanceof KeyringError)) throw err;
    return failure(`${err.message}; profile "${name}" keeps its secrets there`, unreachableFix);
  }
}

/**
 * Where the secrets a login or a refresh needs are kept, checked as those commands would: a profile
 * in the keyring needs it now; a login asks for it unless the file was chosen (--storage,
 * PD_AUTH_STORAGE, or the profile's own choice), and then doctor does not touch the keyring either.
 */
export async function checkStorage(
  name: string,
  profile: Profile | undefined,
  storeId: string | undefined,
  deps: Deps,
): Promise<Outcome> {
  const backend = `the OS keyring (${deps.keyring.backend})`;
  if (deps.env.storage === 'invalid')
    return failure(
      'PD_AUTH_STORAGE is neither "keyring" nor "file": login refuses it',
      'unset it, or set one of the two',
    );
  if (profile && storageOf(profile) === 'keyring') {
    const err = await probe(deps);
    if (err)
      return failure(
        `${err.message}; profile "${name}" keeps its client secret and refresh token there`,
        `${unreachableFix}; a still-valid access token prints without it. To keep them in the 0600 store file instead, run \`pd-auth storage file\` where the keyring answers`,
      );
    return storeId ? entriesOf(name, storeId, profile, deps) : ok(`${backend} answers`);
  }
  // What the next login asks for (storage-choice.ts requestedStorage): the file needs no keyring.
  const requested =
    deps.env.storage ?? (profile && !profile.storageFallback ? storageOf(profile) : undefined);
  if (requested === 'file') {
    const why = deps.env.storage ? 'PD_AUTH_STORAGE=file' : `profile "${name}" chose it`;
    return ok(`the store file keeps the secrets (${why}); the OS keyring is not used`);
  }
  const err = await probe(deps);
  if (!err) {
    const inFile = profile?.storageFallback
      ? `; profile "${name}" is still in the file from a login that fell back (\`pd-auth storage keyring\` moves it)`
      : '';
    return ok(`${backend} answers: a login keeps the secrets there${inFile}`);
  }
  if (requested === 'keyring')
    return failure(
      `${err.message}; \`pd-auth login\` with PD_AUTH_STORAGE=keyring would fail`,
      `${unreachableFix}, or use PD_AUTH_STORAGE=file`,
    );
  return warning(
    `${err.message}; a login keeps the client secret and refresh token in the 0600 store file instead`,
    `to use the keyring, ${unreachableFix}; to choose the file, and pass this check, log in with --storage file or set PD_AUTH_STORAGE=file`,
  );
}
