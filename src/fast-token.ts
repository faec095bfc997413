import { readOptions } from './commands/option-spec.js';
import { formatToken } from './commands/token-format.js';
import { tokenOptions } from './commands/token-options.js';
import { readEnv } from './env.js';
import { defaultProfile, profileNameBeforeStore } from './flows/profile-name.js';
import { needsRefresh } from './oauth/token-set.js';
import { storePath } from './store/paths.js';
import { isPrivate } from './store/permissions.js';
import { readStoreFileQuietly } from './store/store-file.js';

/**
 * `pd-auth token` when the stored token is still valid: what it prints, found without commander,
 * conf or stream set-up, which would cost more than the rest of the command (docs/performance.md).
 * The options are read from the same definitions the full CLI registers. Undefined whenever there
 * is anything else to do or say (a refresh, a login needed, a bad option, a store to repair or
 * tighten, debug output): the full CLI then runs, so the behaviour is the same either way.
 */
export function fastToken(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  if (argv[0] !== 'token') return undefined;
  const args = readOptions(tokenOptions, argv.slice(1));
  const e = readEnv(env);
  // Credentials from the environment have a cache keyed by a hash of them: the full CLI reads it.
  if (!args || e.debug || e.httpTimeoutSeconds === 'invalid' || e.refreshToken !== undefined)
    return undefined;
  let named: string | undefined;
  try {
    named = profileNameBeforeStore(args.profile, e.profile);
  } catch {
    return undefined;
  }
  const path = storePath(e.configDir);
  const data = isPrivate(e.configDir, path) ? readStoreFileQuietly(path) : undefined;
  const name = named ?? data?.activeProfile ?? defaultProfile;
  const tokens = data?.profiles[name]?.tokens;
  const now = Date.now();
  const margin = args.minValid === undefined ? undefined : args.minValid * 1000;
  if (!tokens || needsRefresh(tokens, now, margin)) return undefined;
  return formatToken(args.format ?? 'raw', name, tokens, now);
}
