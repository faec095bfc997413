import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import type { LoginOptions } from '../flows/login.js';
import { resolveStoredProfile } from '../flows/profile-name.js';
import type { Storage } from '../store/profile.js';
import { formatExpiry } from '../ui/format.js';
import { storageOption } from './option-spec.js';
import { parsePositiveInt, parseProfileName, profileOptionHelp, valueOption } from './shared.js';

export async function runLogin(opts: LoginOptions, deps: Deps): Promise<void> {
  const { login } = await import('../flows/login.js');
  const { saved, storePath, profile } = await login(opts, deps);
  const out = (s: string) => deps.io.stderr.write(`${s}\n`);
  const who = saved.user ? `${saved.user.name} <${saved.user.email}>` : 'an unknown user (/users/me failed)';
  const company = saved.company ? ` at ${saved.company.name} (${saved.company.domain})` : '';
  out(`\nLogged in as ${who}${company}.`);
  if (saved.tokens) {
    out(`  API domain:           ${saved.tokens.apiDomain}`);
    out(`  Scopes:               ${saved.tokens.scope.join(', ') || '(none reported)'}`);
    out(`  Access token expires: ${formatExpiry(saved.tokens.expiresAt, deps.now())}`);
  }
  out(`  Saved to:             ${storePath} (profile "${profile}")`);
  out(
    saved.storage === 'keyring'
      ? `  Secrets:              in the OS keyring (${deps.keyring.backend}); the file holds the hour-long access token`
      : `  Secrets:              in that file (mode 0600)${saved.storageFallback ? ', as the OS keyring was not available' : ''}`,
  );
}

export function registerLogin(program: Command, deps: () => Deps): void {
  program
    .command('login')
    .description("log in through the browser with your app's client id and secret, and store the tokens")
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option(
      '--client-id <id>',
      "your app's client id (else PIPEDRIVE_CLIENT_ID, the stored one, or a prompt)",
    )
    .option('--client-secret-stdin', 'read the client secret from the first line of stdin')
    .option(
      '--redirect-uri <url>',
      'the callback URL registered in Developer Hub (default http://localhost:8484/callback)',
    )
    .option('--no-browser', 'open nothing: print the URL and accept the redirected URL pasted back')
    .option('--timeout <seconds>', 'how long to wait for the browser', parsePositiveInt(86_400), 300)
    .addOption(valueOption(storageOption))
    .action(async (o: Record<string, unknown>) => {
      const d = deps();
      await runLogin(
        {
          profile: await resolveStoredProfile(o.profile as string | undefined, d, 'log in'),
          ...(o.clientId !== undefined ? { clientId: o.clientId as string } : {}),
          clientSecretStdin: Boolean(o.clientSecretStdin),
          ...(o.redirectUri !== undefined ? { redirectUri: o.redirectUri as string } : {}),
          browser: o.browser !== false,
          timeoutSeconds: o.timeout as number,
          ...(o.storage !== undefined ? { storage: o.storage as Storage } : {}),
        },
        d,
      );
    });
}
