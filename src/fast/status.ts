import { activeFromStore } from '../flows/profile-name.js';
import { offlineStatus, statusExitCode, storedStatuses } from '../flows/status-offline.js';
import { profileNamePattern } from '../store/profile.js';
import { statusOutput } from '../ui/status-text.js';
import { readStoreForFastPath, writeAll } from './output.js';

export interface StatusArgs {
  profile?: string;
  all: boolean;
  json: boolean;
}

const flags = ['--offline', '--all', '--json'];

/**
 * `pd-auth status --offline` with well-formed options only (as commander parses them); undefined for
 * anything else, including `status` without --offline (a live check), which the full CLI handles.
 */
export function parseStatusArgv(argv: string[]): StatusArgs | undefined {
  if (argv[0] !== 'status') return undefined;
  const out: StatusArgs = { all: false, json: false };
  let offline = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (flags.includes(arg)) {
      if (arg === '--offline') offline = true;
      else if (arg === '--all') out.all = true;
      else out.json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    if ((eq > 0 ? arg.slice(0, eq) : arg) !== '--profile') return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('-') || !profileNamePattern.test(value)) return undefined;
    out.profile = value;
  }
  // --all with --profile is a usage error: the full CLI says so.
  return offline && !(out.all && out.profile !== undefined) ? out : undefined;
}

/**
 * The start-up path of `pd-auth status --offline` (issue 5): the same report from the same code as
 * the full CLI's (flows/status-offline.ts, ui/status-text.ts), without commander or stream objects.
 * An unreadable store or a bad PD_AUTH_PROFILE returns undefined: the full CLI reports those.
 */
export async function fastStatus(argv: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const args = parseStatusArgv(argv);
  const read = args && (await readStoreForFastPath(env, args.profile, args.all));
  if (!args || !read) return undefined;
  const { data, name } = read;
  const active = activeFromStore(read.env.profile, data);
  const names = name === undefined ? 'all' : [name];
  const list = await storedStatuses(names, data, active, 'offline', (s) => offlineStatus(s, Date.now()));
  const out = statusOutput(list, { json: args.json, storePath: read.path, now: Date.now() });
  if (out.stdout) await writeAll(1, out.stdout);
  if (out.stderr) await writeAll(2, out.stderr);
  return statusExitCode(list);
}
