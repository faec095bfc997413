import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import type { LogoutOptions } from '../flows/logout.js';
import { resolveStoredProfile } from '../flows/profile-name.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export async function runLogout(opts: LogoutOptions, deps: Deps): Promise<void> {
  const { logout } = await import('../flows/logout.js');
  const { result, revoked, leftovers, storage, keyringCleared } = await logout(opts, deps);
  const say = (s: string) => deps.io.stderr.write(`${s}\n`);
  if (result === 'nothing-stored') {
    say(`Profile "${opts.profile}" has no tokens stored; nothing to do.`);
    if (leftovers > 0) {
      const files = leftovers === 1 ? 'a temp file' : `${leftovers} temp files`;
      say(
        `Removed ${files} that an interrupted pd-auth had left beside the store (a copy of the store, which can hold tokens).`,
      );
    }
  } else if (result === 'kept') say('Not revoked; nothing was removed.');
  else {
    if (revoked) say('Revoked the refresh token at Pipedrive: the app is uninstalled for this user.');
    say(
      `Removed the tokens of profile "${opts.profile}" (its client id and secret are kept for the next login).`,
    );
    if (storage === 'keyring' && keyringCleared)
      say(
        `The refresh token is no longer in the OS keyring (${deps.keyring.backend}); the client secret stays there.`,
      );
  }
}

export function registerLogout(program: Command, deps: () => Deps): void {
  program
    .command('logout')
    .description('forget the stored tokens; --revoke also revokes them at Pipedrive (uninstalls the app)')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('--revoke', 'revoke the refresh token first: this uninstalls the app for that user')
    .option('--yes', 'do not ask for confirmation')
    .action(async (o: { profile?: string; revoke?: boolean; yes?: boolean }) => {
      const d = deps();
      const profile = await resolveStoredProfile(o.profile, d, 'log out');
      await runLogout({ profile, revoke: Boolean(o.revoke), yes: Boolean(o.yes) }, d);
    });
}
