import { formatToken, type TokenFormat, tokenFormats } from '../commands/token-format.js';
import { needsRefresh } from '../oauth/token-set.js';
import { profileNamePattern } from '../store/profile.js';
import { readStoreForFastPath, writeAll } from './output.js';

export interface TokenArgs {
  profile?: string;
  format: TokenFormat;
  minValidSeconds?: number;
}

/**
 * `pd-auth token` with well-formed options only, parsed as commander would; undefined for anything
 * else (help, an unknown or bad option, --verbose), which the full CLI then handles and reports.
 */
export function parseTokenArgv(argv: string[]): TokenArgs | undefined {
  if (argv[0] !== 'token') return undefined;
  const out: TokenArgs = { format: 'raw' };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--profile', '--format', '--min-valid'].includes(name)) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (name === '--profile') {
      if (!profileNamePattern.test(value)) return undefined;
      out.profile = value;
    } else if (name === '--format') {
      if (!(tokenFormats as readonly string[]).includes(value)) return undefined;
      out.format = value as TokenFormat;
    } else {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 86_400) return undefined;
      out.minValidSeconds = n;
    }
  }
  return out;
}

/**
 * The start-up path of `pd-auth token` when the stored token is valid (issue 5: a token in about
 * the time Node itself takes to start): no commander, no stream objects, one file read. Whenever
 * there is anything else to do (a refresh, a login needed, an unreadable store, debug output) it
 * returns undefined and the full CLI takes over, so the behaviour is the same either way.
 */
export async function fastToken(argv: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const args = parseTokenArgv(argv);
  const read = args && (await readStoreForFastPath(env, args.profile));
  if (!args || !read?.name) return undefined;
  const { data, name } = read;
  const tokens = data.profiles[name]?.tokens;
  const now = Date.now();
  if (
    !tokens ||
    needsRefresh(tokens, now, args.minValidSeconds === undefined ? undefined : args.minValidSeconds * 1000)
  ) {
    return undefined;
  }
  await writeAll(1, formatToken(args.format, name, tokens, now));
  return 0;
}
