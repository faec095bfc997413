import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { parseProfileName, profileOptionHelp } from './shared.js';
import { statusOutput } from './status-output.js';

export interface StatusOptions {
  profiles: string[] | 'all';
  json: boolean;
  offline: boolean;
}

/** Prints each profile's state; returns the exit code (0 valid, 4 login needed, 1 other failure). */
export async function runStatus(opts: StatusOptions, deps: Deps): Promise<number> {
  const { profileStatuses, statusExitCode } = await import('../flows/status.js');
  const list = await profileStatuses(opts.profiles, { offline: opts.offline }, deps);
  const out = statusOutput(list, {
    json: opts.json,
    storePath: deps.store.path,
    now: deps.now(),
    keyringBackend: deps.keyring.backend,
  });
  if (out.stdout) deps.io.stdout.write(out.stdout);
  if (out.stderr) deps.io.stderr.write(out.stderr);
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
