/**
 * `npm run demo`: the whole product offline, against the emulator, in a throw-away config dir.
 * Logs in (a real browser when this machine can show one, else the scripted browser), refreshes,
 * regenerates the client secret in the emulator, recovers with rotate-secret, and shows what was
 * stored with every secret masked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/server.js';
import { readEnv } from '../env.js';
import { freeLoopbackPort } from '../net/free-port.js';
import { maskSecret } from '../ui/format.js';

const bin = fileURLToPath(new URL('../../bin/pd-auth.cjs', import.meta.url));
const scripted = fileURLToPath(new URL('./scripted-browser.js', import.meta.url));

function pdAuth(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  process.stderr.write(
    `\n$ pd-auth ${args.join(' ')}${input === undefined ? '' : '   (secret piped on stdin)'}\n`,
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function showStore(path: string): void {
  const data = JSON.parse(readFileSync(path, 'utf8')) as {
    profiles: Record<string, { clientSecret?: string; tokens?: Record<string, unknown> }>;
  };
  for (const p of Object.values(data.profiles)) {
    p.clientSecret = maskSecret(p.clientSecret);
    if (p.tokens) {
      p.tokens.accessToken = maskSecret(p.tokens.accessToken as string);
      p.tokens.refreshToken = maskSecret(p.tokens.refreshToken as string);
    }
  }
  process.stderr.write(`\nStored in ${path} (secrets masked):\n${JSON.stringify(data, null, 2)}\n`);
}

async function demo(): Promise<number> {
  const env = readEnv(process.env);
  const realBrowser = env.hasDisplay && !env.ci && process.env.PD_AUTH_DEMO_BROWSER !== 'scripted';
  const callbackPort = await freeLoopbackPort();
  const emulator = await startEmulator({ redirectUri: `http://localhost:${callbackPort}/callback` });
  const configDir = mkdtempSync(join(tmpdir(), 'pd-auth-demo-'));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PD_AUTH_OAUTH_URL: emulator.url,
    PD_AUTH_CONFIG_DIR: configDir,
    PIPEDRIVE_CLIENT_ID: emulator.app.clientId,
    // A throw-away store: its secrets stay in its own file, never in the user's OS keyring.
    PD_AUTH_STORAGE: 'file',
    // Quoted, as BROWSER is split into words: the checkout's path may hold a space.
    BROWSER: realBrowser ? process.env.BROWSER : `"${process.execPath}" "${scripted}"`,
  };
  delete childEnv.PIPEDRIVE_CLIENT_SECRET;
  process.stderr.write(
    `pd-auth demo: the Pipedrive OAuth emulator runs at ${emulator.url}; the app's callback URL is ${emulator.app.redirectUri}.\n` +
      (realBrowser
        ? 'Your browser will open on the consent page: click "Allow and install".\n'
        : 'No browser can open here, so a scripted browser clicks "Allow and install" for you.\n'),
  );
  const redirect = ['--redirect-uri', emulator.app.redirectUri];
  try {
    const steps: Array<[string[], NodeJS.ProcessEnv, string | undefined, number]> = [
      [['login', ...redirect, '--client-secret-stdin'], childEnv, `${emulator.app.clientSecret}\n`, 0],
      [['refresh'], childEnv, undefined, 0],
    ];
    for (const [args, e, input, expected] of steps) {
      if ((await pdAuth(args, e, input)) !== expected) return 1;
    }
    const newSecret = emulator.regenerateSecret();
    process.stderr.write(
      '\nThe client secret is now regenerated in the emulator (as in Developer Hub): refresh must fail…\n',
    );
    if ((await pdAuth(['refresh'], childEnv)) !== 1) return 1;
    process.stderr.write('\n…and rotate-secret proves the new one with a refresh before saving it:\n');
    if ((await pdAuth(['rotate-secret', '--client-secret-stdin'], childEnv, `${newSecret}\n`)) !== 0)
      return 1;
    if ((await pdAuth(['refresh'], childEnv)) !== 0) return 1;
    showStore(join(configDir, 'profiles.json'));
    process.stderr.write(
      '\nDemo finished: login, refresh, secret rotation, all offline. The demo store is removed now.\n',
    );
    return 0;
  } finally {
    await emulator.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

process.exitCode = await demo();
