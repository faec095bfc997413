import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { resolveStoredProfile } from '../flows/profile-name.js';
import type { RotateOptions } from '../flows/rotate-secret.js';
import { maskSecret } from '../ui/format.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export async function runRotateSecret(opts: RotateOptions, deps: Deps): Promise<void> {
  const { rotateSecret } = await import('../flows/rotate-secret.js');
  const { saved, verified } = await rotateSecret(opts, deps);
  const secret = maskSecret(saved.clientSecret);
  deps.io.stderr.write(
    verified
      ? `The new client secret (${secret}) works: Pipedrive accepted it for a refresh. Saved it and the refreshed tokens to profile "${opts.profile}".\n`
      : `Saved the new client secret (${secret}) to profile "${opts.profile}" WITHOUT checking it (--no-verify).\n`,
  );
}

export function registerRotateSecret(program: Command, deps: () => Deps): void {
  program
    .command('rotate-secret')
    .description('store a client secret you regenerated in Developer Hub, after proving it with a refresh')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('--client-secret-stdin', 'read the new client secret from the first line of stdin')
    .option('--no-verify', 'save without checking (for a profile that has no refresh token yet)')
    .action(async (o: Record<string, unknown>) => {
      const d = deps();
      await runRotateSecret(
        {
          profile: await resolveStoredProfile(o.profile as string | undefined, d, 'change a stored secret'),
          clientSecretStdin: Boolean(o.clientSecretStdin),
          verify: o.verify !== false,
        },
        d,
      );
    });
}
