import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { resolveProfileName } from '../flows/profile-name.js';
import type { ProfileStatus } from '../flows/status.js';
import { formatExpiry, maskSecret } from '../ui/format.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export interface StatusOptions {
  profiles: string[] | 'all';
  json: boolean;
  offline: boolean;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The documented `status --json` schema (README "status --json"); no token or secret, ever. */
export function statusJson(list: ProfileStatus[], storePath: string): string {
  const profiles = list.map((s) => ({
    name: s.name,
    active: s.active,
    state: s.state,
    checked: s.checked,
    user: s.user,
    company: s.company,
    api_domain: s.apiDomain,
    scopes: s.scopes,
    access_token_expires_at: iso(s.accessTokenExpiresAt),
    refresh_token_lapses_at: iso(s.refreshTokenLapsesAt),
    client_id: s.clientId || null,
    client_secret_stored: Boolean(s.clientSecret),
    redirect_uri: s.redirectUri || null,
    oauth_url: s.oauthUrl || null,
    error: s.error,
  }));
  return `${JSON.stringify({ schema: 1, store: storePath, profiles }, null, 2)}\n`;
}

const stateText: Record<ProfileStatus['state'], string> = {
  valid: 'logged in',
  expired: 'logged in; the access token has expired and will be refreshed on next use',
  login_needed: 'login needed',
  not_logged_in: 'not logged in',
  error: 'check failed',
};

function human(s: ProfileStatus, storePath: string, now: number): string {
  const lines = [
    `${s.name}${s.active ? ' (active)' : ''}: ${stateText[s.state]}${s.checked === 'live' ? ' (checked live)' : ''}`,
  ];
  const row = (k: string, v: string) => lines.push(`  ${`${k}:`.padEnd(22)} ${v}`);
  if (s.user) row('User', `${s.user.name} <${s.user.email}> (id ${s.user.id})`);
  if (s.company) row('Company', `${s.company.name} (${s.company.domain}, id ${s.company.id})`);
  if (s.apiDomain) row('API domain', s.apiDomain);
  if (s.scopes.length) row('Scopes', s.scopes.join(', '));
  if (s.accessTokenExpiresAt !== null) row('Access token expires', formatExpiry(s.accessTokenExpiresAt, now));
  if (s.refreshTokenLapsesAt !== null)
    row('Refresh token lapses', `${formatExpiry(s.refreshTokenLapsesAt, now)} unless used`);
  if (s.clientId) {
    row('Client id', s.clientId);
    row('Client secret', maskSecret(s.clientSecret));
    row('Redirect URI', s.redirectUri);
    row('OAuth host', s.oauthUrl);
  }
  row('Store', storePath);
  if (s.error) {
    lines.push(`  error: ${s.error.message}`);
    if (s.error.hint) lines.push(`  hint: ${s.error.hint}`);
  }
  return lines.join('\n');
}

/** Prints each profile's state; returns the exit code (0 valid, 4 login needed, 1 other failure). */
export async function runStatus(opts: StatusOptions, deps: Deps): Promise<number> {
  const { profileStatuses, statusExitCode } = await import('../flows/status.js');
  const list = await profileStatuses(opts.profiles, { offline: opts.offline }, deps);
  const now = deps.now();
  if (opts.json) deps.io.stdout.write(statusJson(list, deps.store.path));
  else if (list.length === 0) deps.io.stderr.write('No profiles yet: run `pd-auth login`.\n');
  else deps.io.stdout.write(`${list.map((s) => human(s, deps.store.path, now)).join('\n\n')}\n`);
  return statusExitCode(list);
}

export function registerStatus(program: Command, deps: () => Deps, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('show who each profile is logged in as, checked live against the API')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('--all', 'every profile')
    .option('--json', 'machine-readable output (documented schema; never a token or secret)')
    .option('--offline', 'only what is stored: no API call, no refresh')
    .action(async (o: { profile?: string; all?: boolean; json?: boolean; offline?: boolean }) => {
      const d = deps();
      if (o.all && o.profile) throw new UsageError('use either --profile or --all, not both');
      const profiles = o.all ? 'all' : [await resolveProfileName(o.profile, d)];
      setExit(await runStatus({ profiles, json: Boolean(o.json), offline: Boolean(o.offline) }, d));
    });
}
