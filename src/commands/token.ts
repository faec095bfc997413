import { type Command, Option } from 'commander';
import type { Deps } from '../deps.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { parsePositiveInt, parseProfileName, profileOptionHelp } from './shared.js';

export type TokenFormat = 'raw' | 'env' | 'header' | 'json';

export interface TokenOptions {
  profile: string;
  format: TokenFormat;
  minValidSeconds?: number;
}

/** POSIX single quotes: safe for `eval`, whatever the token holds. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Prints a valid access token (refreshed first when needed) and nothing else on stdout. */
export async function runToken(opts: TokenOptions, deps: Deps): Promise<void> {
  const { getValidToken } = await import('../flows/refresh.js');
  const profile = await getValidToken(opts.profile, deps, {
    ...(opts.minValidSeconds !== undefined ? { minValidMs: opts.minValidSeconds * 1000 } : {}),
  });
  const { accessToken, apiDomain, expiresAt, scope } = profile.tokens;
  const lines: Record<TokenFormat, () => string> = {
    raw: () => accessToken,
    env: () =>
      `export PIPEDRIVE_ACCESS_TOKEN=${shellQuote(accessToken)}\nexport PIPEDRIVE_API_DOMAIN=${shellQuote(apiDomain)}`,
    header: () => `Authorization: Bearer ${accessToken}`,
    json: () =>
      JSON.stringify({
        profile: opts.profile,
        access_token: accessToken,
        token_type: 'Bearer',
        api_domain: apiDomain,
        expires_at: new Date(expiresAt).toISOString(),
        expires_in: Math.max(0, Math.floor((expiresAt - deps.now()) / 1000)),
        scope,
      }),
  };
  deps.io.stdout.write(`${lines[opts.format]()}\n`);
}

export function registerToken(program: Command, deps: () => Deps): void {
  program
    .command('token')
    .description('print a valid access token for scripts (refreshed first when it expires soon)')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .addOption(
      new Option('--format <format>', 'raw (just the token), env (export lines), header, or json')
        .choices(['raw', 'env', 'header', 'json'])
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
