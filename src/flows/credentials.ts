import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import type { Profile } from '../store/profile.js';

export interface SecretSource {
  clientSecretStdin?: boolean;
}

/** `--client-id`, else PIPEDRIVE_CLIENT_ID, else the profile's, else a prompt (interactive only). */
export async function resolveClientId(
  flag: string | undefined,
  stored: Profile | undefined,
  deps: Deps,
): Promise<string> {
  const value = flag ?? deps.env.clientId ?? stored?.clientId;
  if (value !== undefined)
    return checkValue(value.trim(), 'client id', '--client-id ID', 'PIPEDRIVE_CLIENT_ID');
  if (!deps.io.isInteractive) {
    throw new UsageError(
      'no client id given, and pd-auth cannot ask for it here (no terminal, or CI is set)',
      'pass --client-id ID or set PIPEDRIVE_CLIENT_ID (Developer Hub, your app, "OAuth & access scopes")',
    );
  }
  const answer = await deps.prompter.input('Client ID (Developer Hub → your app → OAuth & access scopes):', {
    signal: deps.signal,
    validate: (v) => (v.trim() === '' ? 'the client id cannot be empty' : true),
  });
  return answer.trim();
}

/**
 * A new secret from PIPEDRIVE_CLIENT_SECRET, else one line of stdin with `--client-secret-stdin`,
 * else (when `stored` is given) the stored one, else a masked prompt. Never from argv.
 */
export async function resolveClientSecret(
  src: SecretSource,
  /** The stored secret, read only when neither PIPEDRIVE_CLIENT_SECRET nor stdin gives one. */
  stored: (() => Promise<string | undefined>) | undefined,
  deps: Deps,
  prompt = 'Client secret (input hidden):',
): Promise<string> {
  if (deps.env.clientSecret !== undefined && src.clientSecretStdin) {
    // Two sources at once is most often a stale export; guessing could send the wrong secret.
    throw new UsageError(
      'both PIPEDRIVE_CLIENT_SECRET and --client-secret-stdin give a client secret',
      'pass only one: unset PIPEDRIVE_CLIENT_SECRET, or drop --client-secret-stdin',
    );
  }
  if (deps.env.clientSecret !== undefined) {
    return checkSecret(deps.env.clientSecret, 'PIPEDRIVE_CLIENT_SECRET');
  }
  if (src.clientSecretStdin) return checkSecret(await deps.readStdinLine(), '--client-secret-stdin');
  const kept = await stored?.();
  if (kept !== undefined) return kept;
  if (!deps.io.isInteractive) {
    throw new UsageError(
      'no client secret given, and pd-auth cannot ask for it here (no terminal, or CI is set)',
      'set PIPEDRIVE_CLIENT_SECRET, or pipe it in with --client-secret-stdin',
    );
  }
  const answer = await deps.prompter.password(prompt, {
    signal: deps.signal,
    validate: (v) => (v.trim() === '' ? 'the client secret cannot be empty' : true),
  });
  return answer.trim();
}

function checkSecret(value: string, source: string): string {
  return checkValue(value.trim(), 'client secret', source, undefined);
}

function checkValue(value: string, what: string, source: string, env: string | undefined): string {
  if (value === '') throw new UsageError(`the ${what} from ${source} is empty`);
  // A control character means a mangled paste (or a terminal escape); never send it to Pipedrive.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of the check
  if (/[\x00-\x1f\x7f]/.test(value) || value.length > 512) {
    throw new UsageError(
      `the ${what} from ${source}${env ? ` / ${env}` : ''} contains control characters or is too long`,
    );
  }
  return value;
}
