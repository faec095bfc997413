/**
 * Run by the build (esbuild.config.mjs) after bundling: writes dist/cli/full.cjs.cache (and, as
 * they load, the caches of the vendored bundles with a build id), the V8 code caches that
 * src/code-cache.ts loads the full CLI with on Node 20. The training runs, in this process, the
 * commands whose start-up counts (the help, `status`, a store write, an error report, a whole login
 * against the emulator) against a store in a temporary folder and with output thrown away, so that
 * the code they need is compiled and lands in the caches.
 * Usage: node dist/build/train-code-cache.js dist/cli
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type * as CliEntry from '../cli-entry.js';
import { trainCodeCache } from '../code-cache.js';
import { browse } from '../demo/scripted-browser.js';
import { type Emulator, startEmulator } from '../emulator/server.js';
import type * as Main from '../main.js';
import { freeLoopbackPort } from '../net/free-port.js';
import { type StoreData, storeVersion } from '../store/profile.js';
import type { IO } from '../ui/io.js';

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

const hour = 3_600_000;
const now = Date.now();
const sample: StoreData = {
  version: storeVersion,
  profiles: {
    default: {
      clientId: 'training-client-id',
      clientSecret: 'training-client-secret',
      redirectUri: 'http://localhost:8484/callback',
      oauthUrl: 'https://oauth.pipedrive.com',
      tokens: {
        accessToken: 'training-access-token',
        refreshToken: 'training-refresh-token',
        tokenType: 'Bearer',
        expiresAt: now + hour,
        obtainedAt: now,
        scope: ['base'],
        apiDomain: 'https://training.pipedrive.com',
        refreshTokenUsedAt: now,
      },
      user: { id: 1, name: 'Training', email: 'training@example.com' },
      company: { id: 1, name: 'Training', domain: 'training' },
      updatedAt: now,
    },
  },
};

/**
 * A whole login against the emulator on loopback, with the scripted browser in this process: the
 * login code then starts compiled too. Best effort: without it the cache is only smaller.
 */
async function trainLogin(
  run: (argv: string[], openBrowser?: (url: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  let emulator: Emulator | undefined;
  try {
    const redirectUri = `http://localhost:${await freeLoopbackPort()}/callback`;
    emulator = await startEmulator({ port: 0, autoApprove: true, redirectUri });
    process.env.PD_AUTH_OAUTH_URL = emulator.url;
    process.env.PIPEDRIVE_CLIENT_ID = emulator.app.clientId;
    process.env.PIPEDRIVE_CLIENT_SECRET = emulator.app.clientSecret;
    await run(
      ['login', '--profile', 'trained', '--redirect-uri', redirectUri, '--timeout', '10'],
      async (url) => {
        void browse(url).catch(() => {});
      },
    );
  } catch (err) {
    process.stderr.write(`note: the code cache was trained without a login (${(err as Error).message})\n`);
  } finally {
    delete process.env.PD_AUTH_OAUTH_URL;
    delete process.env.PIPEDRIVE_CLIENT_ID;
    delete process.env.PIPEDRIVE_CLIENT_SECRET;
    await emulator?.close();
  }
}

async function train(dir: string): Promise<void> {
  const configDir = mkdtempSync(join(tmpdir(), 'pd-auth-train-'));
  // This process is the build's child: its environment is its own to change.
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('PD_AUTH_') || key.startsWith('PIPEDRIVE_')) delete process.env[key];
  }
  process.env.PD_AUTH_CONFIG_DIR = configDir;
  const store = join(configDir, 'profiles.json');
  try {
    await trainCodeCache(join(dir, 'full.cjs'), async (loaded) => {
      const { main, createDeps } = loaded as typeof CliEntry;
      const run = async (argv: string[], openBrowser?: (url: string) => Promise<void>) => {
        const created = createDeps({
          verbose: () => false,
          signal: new AbortController().signal,
          trapSignals: () => () => {},
        });
        const deps = openBrowser ? { ...created, openBrowser } : created;
        const io: IO = {
          get stdin() {
            return deps.io.stdin;
          },
          stdout: sink(),
          stderr: sink(),
          isInteractive: false,
          stderrIsTTY: false,
          stdoutIsTTY: false,
          inheritable: false,
        };
        await main(argv, { ...deps, io, warn: () => {} });
      };
      await run(['--help']);
      await run(['status', '--offline']);
      writeFileSync(store, JSON.stringify(sample), { mode: 0o600 });
      await run(['status', '--offline']);
      await run(['status', '--offline', '--json']);
      await run(['login', '--help']);
      // A store write (conf and proper-lockfile) and an error report (chalk).
      await run(['use', 'default']);
      await run(['token', '--profile', 'missing']);
      await trainLogin(run);
    });
    // The vendored bundles the runs above loaded (conf, proper-lockfile, chalk) write their caches
    // when this process exits, as they would at run time.
    // The start-up bundle: the fast paths, which write straight to fd 1 (the build throws that away).
    await trainCodeCache(join(dir, 'pd-auth.cjs'), async (loaded) => {
      const { run } = loaded as typeof Main;
      writeFileSync(store, JSON.stringify(sample), { mode: 0o600 });
      for (const argv of [
        ['token'],
        ['status', '--offline'],
        ['status', '--offline', '--json'],
        ['--help'],
      ]) {
        await run(argv);
      }
    });
    rmSync(store, { force: true });
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

const [, , dir] = process.argv;
if (!dir) throw new Error('usage: node dist/build/train-code-cache.js dist/cli');
await train(resolve(dir));
