import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { formatExpiry } from '../ui/format.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export async function runRefresh(opts: { profile: string }, deps: Deps): Promise<void> {
  const { refreshProfile } = await import('../flows/refresh.js');
  const saved = await refreshProfile(opts.profile, deps);
  if (saved.tokens) {
    deps.io.stderr.write(
      `Refreshed profile "${opts.profile}": the access token expires ${formatExpiry(saved.tokens.expiresAt, deps.now())}.\n`,
    );
  }
}

export function registerRefresh(program: Command, deps: () => Deps): void {
  program
    .command('refresh')
    .description('get a new access token with the stored refresh token')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .action(async (o: { profile?: string }) => {
      const d = deps();
      await runRefresh({ profile: await resolveProfileName(o.profile, d) }, d);
    });
}
