import type { ProfileStatus } from '../flows/status-offline.js';
import { formatExpiry, maskSecret } from '../ui/format.js';

// What `status` prints, shared by the command (src/commands/status.ts) and the fast
// `status --offline` path (src/fast/status.ts).

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
    // A keyring profile always has one: every write of it stores the client secret there.
    client_secret_stored:
      s.storage === 'environment'
        ? false
        : s.storage === 'keyring'
          ? Boolean(s.clientId)
          : Boolean(s.clientSecret),
    storage: s.storage,
    storage_fallback: s.storageFallback,
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

function human(s: ProfileStatus, opts: OutputOptions): string {
  const { storePath, now } = opts;
  const fromEnv = s.storage === 'environment';
  const lines = [
    `${s.name}${s.active && !fromEnv ? ' (active)' : ''}: ${stateText[s.state]}${s.checked === 'live' ? ' (checked live)' : ''}${fromEnv ? ', credentials from the environment' : ''}`,
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
    const where = { keyring: 'in the OS keyring', environment: 'from PIPEDRIVE_CLIENT_SECRET', file: '' };
    row('Client secret', where[s.storage] || maskSecret(s.clientSecret));
    if (s.redirectUri) row('Redirect URI', s.redirectUri);
    row('OAuth host', s.oauthUrl);
  }
  row(fromEnv ? 'Cache' : 'Store', storePath);
  if (fromEnv)
    row(
      'Credentials',
      'from the environment (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET, PIPEDRIVE_REFRESH_TOKEN); stored profiles are not used while PIPEDRIVE_REFRESH_TOKEN is set',
    );
  else if (s.storage === 'keyring')
    row('Secrets', `client secret and refresh token in the OS keyring (${opts.keyringBackend})`);
  else {
    const why = s.storageFallback ? `; the OS keyring was not available at login: ${s.storageFallback}` : '';
    if (s.clientId) row('Secrets', `in the store file (mode 0600)${why}`);
  }
  if (s.error) {
    lines.push(`  error: ${s.error.message}`);
    if (s.error.hint) lines.push(`  hint: ${s.error.hint}`);
  }
  return lines.join('\n');
}

interface OutputOptions {
  json: boolean;
  storePath: string;
  now: number;
  keyringBackend: string;
}

/** stdout and stderr of `status` for these profiles. */
export function statusOutput(list: ProfileStatus[], opts: OutputOptions): { stdout: string; stderr: string } {
  if (opts.json) return { stdout: statusJson(list, opts.storePath), stderr: '' };
  if (list.length === 0) return { stdout: '', stderr: 'No profiles yet: run `pd-auth login`.\n' };
  return {
    stdout: `${list.map((s) => human(s, opts)).join('\n\n')}\n`,
    stderr: '',
  };
}
