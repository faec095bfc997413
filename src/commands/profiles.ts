import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError } from '../errors.js';
import { activeProfileName } from '../flows/profile-name.js';
import { storageOf } from '../store/profile.js';
import { formatExpiry } from '../ui/format.js';
import { parseProfileName } from './shared.js';

/** Lists profiles, the active one marked with `*`; `--json` for scripts (no tokens, no secrets). */
export async function runProfiles(opts: { json: boolean; names?: boolean }, deps: Deps): Promise<void> {
  const data = await deps.store.read();
  const active = activeProfileName(deps, data);
  const names = Object.keys(data.profiles).sort();
  if (opts.names) {
    deps.io.stdout.write(names.map((n) => `${n}\n`).join(''));
    return;
  }
  if (opts.json) {
    const list = names.map((name) => {
      const p = data.profiles[name];
      return {
        name,
        active: name === active,
        logged_in: Boolean(p?.tokens),
        user: p?.user ?? null,
        company: p?.company ?? null,
        client_id: p?.clientId ?? null,
        api_domain: p?.tokens?.apiDomain ?? null,
        storage: p ? storageOf(p) : null,
      };
    });
    deps.io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  if (names.length === 0) {
    deps.io.stderr.write('No profiles yet: run `pd-auth login` (or `pd-auth login --profile NAME`).\n');
    return;
  }
  const now = deps.now();
  for (const name of names) {
    const p = data.profiles[name];
    const who = p?.user ? `${p.user.name} <${p.user.email}>` : '-';
    const company = p?.company?.name ?? '-';
    const state = p?.tokens ? `token expires ${formatExpiry(p.tokens.expiresAt, now)}` : 'logged out';
    deps.io.stdout.write(
      `${name === active ? '*' : ' '} ${name.padEnd(16)} ${company.padEnd(24)} ${who.padEnd(36)} ${state}\n`,
    );
  }
}

export async function runUse(name: string, deps: Deps): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const data = await tx.read();
    if (!data.profiles[name]) {
      const known = Object.keys(data.profiles).sort().join(', ') || 'none yet';
      throw new PdAuthError(`there is no profile "${name}" (profiles: ${known})`, {
        hint: `create it with \`pd-auth login --profile ${name}\``,
      });
    }
    await tx.write({ ...data, activeProfile: name });
  });
  deps.io.stderr.write(`Now using profile "${name}" (PD_AUTH_PROFILE and --profile still win over it).\n`);
}

export function registerProfiles(program: Command, deps: () => Deps): void {
  program
    .command('profiles')
    .description('list the profiles; the active one is marked with *')
    .option('--json', 'machine-readable output')
    .option('--names', 'only the names, one per line (for shell completion)')
    .action(async (o: { json?: boolean; names?: boolean }) =>
      runProfiles({ json: Boolean(o.json), names: Boolean(o.names) }, deps()),
    );
  program
    .command('use')
    .description('make a profile the active one for every command')
    .argument('<name>', 'the profile', parseProfileName)
    .action(async (name: string) => runUse(name, deps()));
}
