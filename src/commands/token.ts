import { type Command, Option } from 'commander';
import type { Deps } from '../deps.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { parsePositiveInt, parseProfileName, profileOptionHelp } from './shared.js';
import { formatToken, type TokenFormat, tokenFormats } from './token-format.js';

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
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .addOption(
      new Option('--format <format>', 'raw (just the token), env (export lines), header, or json')
        .choices(tokenFormats)
        .default('raw'),
    )
    .option(
      '--min-valid <seconds>',
      'refresh when the token expires within this time (default 300)',
      parsePositiveInt(86_400),
    )
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
