import { fastHelp } from './help.js';
import { fastStatus } from './status.js';
import { fastToken } from './token.js';

/**
 * The fast paths (issue 5): `token` with a valid stored token, `status --offline`, the root help and
 * the version, each without commander. Each returns undefined for anything it does not handle
 * exactly as the full CLI would, and the full CLI then runs.
 */
export async function fastPath(
  argv: string[],
  env: NodeJS.ProcessEnv,
  files: { rootHelp?: string },
): Promise<number | undefined> {
  return (
    (await fastToken(argv, env)) ??
    (await fastStatus(argv, env)) ??
    (await fastHelp(argv, env, files.rootHelp))
  );
}
