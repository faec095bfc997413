import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { valueOption } from './shared.js';
import { formatToken, type TokenFormat } from './token-format.js';
import { tokenOptions } from './token-options.js';

export type { TokenFormat } from './token-format.js';

export interface TokenOptions {
  profile: string;
  format: TokenFormat;
  minValidSeconds?: number;
}

/** Prints a valid access token (refreshed first when needed) and nothing else on stdout. */
export async function runToken(opts: TokenOptions, deps: Deps): Promise<void> {
  const { getValidToken } = await import('../flows/refresh.js');
  const profile = await getValidToken(opts.profile, deps, {
    ...(opts.minValidSeconds !== undefined ? { minValidMs: opts.minValidSeconds * 1000 } : {}),
  });
  deps.io.stdout.write(formatToken(opts.format, opts.profile, profile.tokens, deps.now()));
}

export function registerToken(program: Command, deps: () => Deps): void {
  program
    .command('token')
    .description('print a valid access token for scripts (refreshed first when it expires soon)')
    .addOption(valueOption(tokenOptions.profile))
    .addOption(valueOption(tokenOptions.format).default('raw'))
    .addOption(valueOption(tokenOptions.minValid))
    .action(async (o: { profile?: string; format: TokenFormat; minValid?: number }) => {
      const d = deps();
      await runToken(
        {
          profile: await resolveProfileName(o.profile, d),
          format: o.format,
          ...(o.minValid !== undefined ? { minValidSeconds: o.minValid } : {}),
        },
        d,
      );
    });
}
