import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError, UsageError } from '../errors.js';
import { implicitProfile, resolveStoredProfile } from '../flows/profile-name.js';
import { withSecrets } from '../flows/refresh.js';
import { defaultOAuthUrl } from '../oauth/authorize-url.js';
import { oneOf, type ValueOption } from './option-spec.js';
import { parseProfileName, profileOptionHelp, valueOption } from './shared.js';

const exportFormats = ['dotenv', 'json', 'shell'] as const;
type ExportFormat = (typeof exportFormats)[number];

const formatOption: ValueOption<ExportFormat> = {
  flags: '--format <format>',
  description: 'dotenv (KEY=value lines, what `gh secret set -f -` reads), json, or shell (export lines)',
  ...oneOf(exportFormats),
};

/** A dotenv value: bare when plain, else double-quoted with \\ and " escaped (godotenv, dotenv alike). */
const dotenvValue = (v: string) => (/^[\w@%+=:,./~-]*$/.test(v) ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`);
const shellValue = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;

export function formatExport(vars: Record<string, string>, format: ExportFormat): string {
  const entries = Object.entries(vars);
  if (format === 'json') return `${JSON.stringify(vars, null, 2)}\n`;
  if (format === 'shell') return entries.map(([k, v]) => `export ${k}=${shellValue(v)}\n`).join('');
  return entries.map(([k, v]) => `${k}=${dotenvValue(v)}\n`).join('');
}

/**
 * `pd-auth export`: what a CI job needs to run with credentials from the environment, for a
 * secret store. It prints secrets, so it refuses a terminal unless asked with --show-secrets.
 */
export async function runExport(
  opts: { profile: string; format: ExportFormat; showSecrets: boolean },
  deps: Deps,
): Promise<void> {
  if (deps.io.stdoutIsTTY && !opts.showSecrets) {
    throw new UsageError(
      'pd-auth export prints the client secret and refresh token, and standard output is a terminal',
      'pipe it into your secret store (`pd-auth export | gh secret set -f -`), or pass --show-secrets to print them here',
    );
  }
  const p = await withSecrets(
    deps.store.loadSecrets(opts.profile),
    opts.profile,
    await implicitProfile(deps),
  );
  if (!p.clientSecret) throw new PdAuthError(`profile "${opts.profile}" has no client secret stored`);
  const vars: Record<string, string> = {
    PIPEDRIVE_CLIENT_ID: p.clientId,
    PIPEDRIVE_CLIENT_SECRET: p.clientSecret,
    PIPEDRIVE_REFRESH_TOKEN: p.tokens.refreshToken,
    ...(p.oauthUrl !== defaultOAuthUrl ? { PD_AUTH_OAUTH_URL: p.oauthUrl } : {}),
  };
  deps.io.stdout.write(formatExport(vars, opts.format));
  deps.io.stderr.write(
    `Exported profile "${opts.profile}" for a CI secret store. The refresh token now works from two places (and if Pipedrive ever rotates refresh tokens, from only one): give CI a profile of its own (its own sandbox user), and \`pd-auth logout --revoke --profile ${opts.profile}\` when CI no longer needs it.\n`,
  );
}

export function registerExport(program: Command, deps: () => Deps): void {
  program
    .command('export')
    .description('print what CI needs (client id, client secret, refresh token) for a secret store')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .addOption(valueOption(formatOption).default('dotenv'))
    .option('--show-secrets', 'print even when standard output is a terminal')
    .action(async (o: { profile?: string; format: ExportFormat; showSecrets?: boolean }) => {
      const d = deps();
      const profile = await resolveStoredProfile(o.profile, d, 'export a stored profile');
      await runExport({ profile, format: o.format, showSecrets: Boolean(o.showSecrets) }, d);
    });
}
