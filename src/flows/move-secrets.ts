import type { Deps } from '../deps.js';
import { LoginNeededError } from '../errors.js';
import { type Storage, storageOf } from '../store/profile.js';
import { activeFromStore } from './profile-name.js';

export type MoveResult = 'moved' | 'already-there';

/**
 * Moves a profile's client secret and refresh token to `target`, under the store lock. The store
 * writes the new copy first and reads it back before the old one goes (write-with-keyring.ts), so
 * a crash at any step leaves them readable where the file points.
 */
export async function moveSecrets(name: string, target: Storage, deps: Deps): Promise<MoveResult> {
  return deps.store.transaction(async (tx) => {
    const data = await tx.read();
    const profile = data.profiles[name];
    if (!profile) {
      const implicit = activeFromStore(deps.env.profile, data);
      throw new LoginNeededError(`there is no profile "${name}"`, name, { implicit });
    }
    const already = storageOf(profile) === target;
    // Asked for the file it fell back to: now it is a choice, which the next login keeps.
    if (already && !profile.storageFallback && profile.storage === target) return 'already-there';
    const loaded = already ? profile : await tx.loadSecrets(name);
    const { storageFallback: _, ...rest } = loaded ?? profile;
    await tx.write({ ...data, profiles: { ...data.profiles, [name]: { ...rest, storage: target } } });
    return already ? 'already-there' : 'moved';
  });
}
