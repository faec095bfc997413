import { type Command, Option } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { parsePositiveInt } from './shared.js';

export interface EmulatorCommandOptions {
  host: string;
  port: number;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  accessTokenTtl?: number;
  autoApprove: boolean;
  refreshTokenMode: 'reuse' | 'rotate';
}

/** Runs until Ctrl+C (deps.signal), then closes every socket and returns (exit 0). */
export async function runEmulator(opts: EmulatorCommandOptions, deps: Deps): Promise<void> {
  const { startEmulator, EmulatorOptionError } = await import('../emulator/server.js');
  const emulator = await startEmulator({
    host: opts.host,
    port: opts.port,
    autoApprove: opts.autoApprove,
    refreshTokenMode: opts.refreshTokenMode,
    ...(opts.clientId ? { clientId: opts.clientId } : {}),
    ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
    ...(opts.redirectUri ? { redirectUri: opts.redirectUri } : {}),
    ...(opts.accessTokenTtl ? { accessTokenTtl: opts.accessTokenTtl } : {}),
  }).catch((error: unknown) => {
    // Such as a --host that is not a loopback address: the user's to fix, not a bug.
    throw error instanceof EmulatorOptionError ? new UsageError(error.message) : error;
  });
  const { app, url } = emulator;
  const err = (s: string) => deps.io.stderr.write(`${s}\n`);
  err("pd-auth emulator: an offline stand-in for Pipedrive's OAuth host (oauth.pipedrive.com) and /users/me");
  err(`  Base URL:          ${url}`);
  err(`  Client id:         ${app.clientId}`);
  err(`  Client secret:     ${app.clientSecret}   (a fake one; regenerate it at ${url}/)`);
  err(`  Callback URL:      ${app.redirectUri}`);
  err(
    `  Consent:           ${opts.autoApprove ? 'approved at once (--auto-approve)' : 'a page with "Allow and install" and "Cancel"'}`,
  );
  err(
    `  Refresh tokens:    ${opts.refreshTokenMode === 'rotate' ? 'single use (--refresh-token-mode rotate)' : 'returned unchanged, as Pipedrive documents'}`,
  );
  err('Point pd-auth at it with:');
  deps.io.stdout.write(`PD_AUTH_OAUTH_URL=${url}\n`);
  err('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    if (deps.signal.aborted) return resolve();
    deps.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  err('emulator stopped');
}

export function registerEmulator(program: Command, deps: () => Deps): void {
  program
    .command('emulator')
    .description(
      "run an offline stand-in for Pipedrive's OAuth host, to try pd-auth (or your app) without an account",
    )
    .option('--host <address>', 'loopback address to listen on', '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on (0 picks a free one)',
      (v) => (v === '0' ? 0 : parsePositiveInt(65_535)(v)),
      8485,
    )
    .option('--client-id <id>', 'the registered client id (default emulator-client-id)')
    .option(
      '--client-secret <secret>',
      "the emulated app's (fake) client secret (default emulator-client-secret)",
    )
    .option('--redirect-uri <url>', 'the registered callback URL (default http://localhost:8484/callback)')
    .option(
      '--access-token-ttl <seconds>',
      'access token lifetime (default 3600)',
      parsePositiveInt(31_536_000),
    )
    .option('--auto-approve', 'skip the consent page: redirect with a code at once')
    .addOption(
      new Option('--refresh-token-mode <mode>', 'reuse (as documented) or rotate (single-use refresh tokens)')
        .choices(['reuse', 'rotate'])
        .default('reuse'),
    )
    .action(async (o: Record<string, unknown>) => {
      const mode = o.refreshTokenMode as 'reuse' | 'rotate';
      await runEmulator(
        {
          host: o.host as string,
          port: o.port as number,
          autoApprove: Boolean(o.autoApprove),
          refreshTokenMode: mode,
          ...(o.clientId ? { clientId: o.clientId as string } : {}),
          ...(o.clientSecret ? { clientSecret: o.clientSecret as string } : {}),
          ...(o.redirectUri ? { redirectUri: o.redirectUri as string } : {}),
          ...(o.accessTokenTtl ? { accessTokenTtl: o.accessTokenTtl as number } : {}),
        },
        deps(),
      );
    });
}
