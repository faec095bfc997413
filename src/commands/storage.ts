import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError, UsageError } from '../errors.js';
import { resolveStoredProfile } from '../flows/profile-name.js';
import { type Storage, storageOf } from '../store/profile.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

/** `pd-auth storage [keyring|file]`: where a profile's secrets are, or move them there. */
export async function runStorage(name: string, target: Storage | undefined, deps: Deps): Promise<void> {
  const say = (s: string) => deps.io.stderr.write(`${s}\n`);
  const where = (s: Storage) =>
    s === 'keyring' ? `the OS keyring (${deps.keyring.backend})` : `${deps.store.path} (mode 0600)`;
  if (target === undefined) {
    const p = await deps.store.getProfile(name);
    if (!p) throw new PdAuthError(`there is no profile "${name}"`);
    const why = p.storageFallback
      ? `, as the OS keyring was not available at login (${p.storageFallback})`
      : '';
    deps.io.stdout.write(`${storageOf(p)}\n`);
    say(`Profile "${name}" keeps its client secret and refresh token in ${where(storageOf(p))}${why}.`);
    return;
  }
  const { moveSecrets } = await import('../flows/move-secrets.js');
  const result = await moveSecrets(name, target, deps);
  if (result === 'already-there') say(`Profile "${name}" already keeps its secrets in ${where(target)}.`);
  else {
    const from = target === 'keyring' ? 'the store file' : 'the OS keyring';
    say(
      `Moved the client secret and refresh token of profile "${name}" to ${where(target)}; ${from} no longer holds them.`,
    );
  }
}

export function registerStorage(program: Command, deps: () => Deps): void {
  program
    .command('storage')
    .description('show where a profile keeps its secrets, or move them: keyring (the OS keyring) or file')
    .argument('[where]', 'keyring or file: move the client secret and refresh token there')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .action(async (where: string | undefined, o: { profile?: string }) => {
      const d = deps();
      if (where !== undefined && where !== 'keyring' && where !== 'file') {
        throw new UsageError(`"${where}" is not a storage: use keyring or file`);
      }
      await runStorage(
        await resolveStoredProfile(o.profile, d, 'move stored secrets'),
        where as Storage | undefined,
        d,
      );
    });
}
