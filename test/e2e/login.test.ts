import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, runCli, type SpawnedCli, scriptedBrowser, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import {
  emulatorEnv,
  loggedIn,
  permissions,
  portIsFree,
  printedAuthorizeUrl,
  storeBytes,
  storePath,
} from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Missing input has to be refused, never waited for: a run that hangs is killed after this and fails
 * (its exit code is then null). A hang guard, not a timing: generous, for a busy machine.
 */
const orKilledAfter = 20_000;

describe('pd-auth login (spawned, against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  /** A config dir that does not exist yet, so pd-auth has to create it (0700). */
  let configDir: string;
  const children: SpawnedCli[] = [];
  const blockers: Server[] = [];
  const spawned = (args: string[], env: NodeJS.ProcessEnv, input?: string) => {
    const run = spawnCli(args, env, input);
    children.push(run);
    return run;
  };
  const env = (extra: Record<string, string | undefined> = {}) => emulatorEnv(fx, configDir, extra);
  const login = (extra: string[] = []) => ['login', '--redirect-uri', fx.redirectUri, ...extra];

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    for (const run of children.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.done;
    }
    for (const s of blockers.splice(0)) await new Promise((r) => s.close(r));
    await fx.emulator.close();
    tmp.remove();
  });

  describe('success', () => {
    it('logs in through the consent page and summarises who on stderr, nothing on stdout', async () => {
      const r = await runCli(login(), env({ BROWSER: scriptedBrowser() }));

      expect(r.stderr).toContain(
        'Logged in as Emma Ulator <emma@example.test> at Emulated Company (emulated)',
      );
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    });

    it('stores the tokens, api_domain, scopes, user and company', async () => {
      const r = await runCli(login(), env({ BROWSER: scriptedBrowser() }));

      expect(r.code).toBe(0);
      const p = loggedIn(configDir);
      expect(p).toMatchObject({
        clientId: fx.emulator.app.clientId,
        clientSecret: fx.emulator.app.clientSecret,
        redirectUri: fx.redirectUri,
        oauthUrl: fx.emulator.url,
        user: { id: 1001, name: 'Emma Ulator', email: 'emma@example.test' },
        company: { id: 2002, name: 'Emulated Company', domain: 'emulated' },
      });
      expect(p.tokens).toMatchObject({ apiDomain: fx.emulator.url, scope: ['base', 'deals:full'] });
      expect(p.tokens.accessToken).not.toBe('');
      expect(p.tokens.refreshToken).not.toBe('');
      expect(r.stderr).not.toContain(p.tokens.accessToken);
      expect(r.stderr).not.toContain(p.tokens.refreshToken);
      expect(r.stderr).not.toContain(fx.emulator.app.clientSecret);
    });

    it('writes the store file 0600 in a 0700 directory it creates', async () => {
      const r = await runCli(login(), env({ BROWSER: scriptedBrowser() }));

      expect(r.code).toBe(0);
      expect(permissions(storePath(configDir))).toBe(0o600);
      expect(permissions(configDir)).toBe(0o700);
    });

    it('tightens an existing config directory to 0700', async () => {
      mkdirSync(configDir, { mode: 0o755 });
      chmodSync(configDir, 0o755);

      const r = await runCli(login(), env({ BROWSER: scriptedBrowser() }));

      expect(r.code).toBe(0);
      expect(permissions(configDir)).toBe(0o700);
    });

    it('takes the client id from --client-id and the secret piped to --client-secret-stdin', async () => {
      const { clientId, clientSecret } = fx.emulator.app;
      const e = env({
        BROWSER: scriptedBrowser(),
        PIPEDRIVE_CLIENT_ID: undefined,
        PIPEDRIVE_CLIENT_SECRET: undefined,
      });

      const r = await runCli(
        login(['--client-id', clientId, '--client-secret-stdin']),
        e,
        `${clientSecret}\n`,
      );

      expect(r.code).toBe(0);
      expect(loggedIn(configDir)).toMatchObject({ clientId, clientSecret });
      expect(r.stdout + r.stderr).not.toContain(clientSecret);
    });

    it('refuses a secret from both --client-secret-stdin and PIPEDRIVE_CLIENT_SECRET (exit 2, nothing saved)', async () => {
      // Two sources at once is most often a stale export: pd-auth names both instead of guessing.
      const e = env({ BROWSER: scriptedBrowser(), PIPEDRIVE_CLIENT_SECRET: 'stale-secret-from-env' });

      const r = await runCli(login(['--client-secret-stdin']), e, `${fx.emulator.app.clientSecret}\n`);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('both PIPEDRIVE_CLIENT_SECRET and --client-secret-stdin');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(fx.emulator.stats.tokenRequests).toBe(0);
    });

    it('takes the client secret from PIPEDRIVE_CLIENT_SECRET', async () => {
      const { clientId, clientSecret } = fx.emulator.app;
      const e = env({ BROWSER: scriptedBrowser(), PIPEDRIVE_CLIENT_ID: undefined });

      const r = await runCli(login(['--client-id', clientId]), e);

      expect(r.code).toBe(0);
      expect(loggedIn(configDir).clientSecret).toBe(clientSecret);
    });

    it('prints the authorize URL (client id, registered callback, a state) on stderr', async () => {
      const r = await runCli(login(), env({ BROWSER: scriptedBrowser() }));

      const printed = printedAuthorizeUrl(r.stderr);
      expect(printed).toBeDefined();
      const url = new URL(printed ?? '');
      expect(`${url.origin}${url.pathname}`).toBe(`${fx.emulator.url}/oauth/authorize`);
      expect(url.searchParams.get('client_id')).toBe(fx.emulator.app.clientId);
      expect(url.searchParams.get('redirect_uri')).toBe(fx.redirectUri);
      expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
      expect(printed).not.toContain(fx.emulator.app.clientSecret);
      expect(r.code).toBe(0);
    });

    it('starts the BROWSER command with the printed authorize URL as its last argument', async () => {
      const marker = join(tmp.path, 'opened-url');
      // sh gets the URL as $0: record it, then let the scripted browser finish the login.
      const browser = `sh -c 'printf %s "$0" > "${marker}"; exec ${scriptedBrowser()} "$0"'`;

      const r = await runCli(login(), env({ BROWSER: browser }));

      expect(r.code).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(printedAuthorizeUrl(r.stderr));
    });

    it('with BROWSER=none completes once someone else follows the printed URL', async () => {
      fx.emulator.setAutoApprove(true);
      const run = spawned(login(), env({ BROWSER: 'none' }));
      await run.waitFor('Waiting for the browser');
      const url = printedAuthorizeUrl(run.stderr());
      expect(url).toBeDefined();

      const page = await fetch(url ?? '');
      const r = await run.done;

      expect(page.status).toBe(200);
      expect(r.code).toBe(0);
      expect(loggedIn(configDir).tokens.apiDomain).toBe(fx.emulator.url);
    });
  });

  describe('the login does not finish', () => {
    it('exits 1 and saves nothing when the consent is cancelled', async () => {
      const r = await runCli(login(), env({ BROWSER: scriptedBrowser(true) }));

      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error:.*cancelled/);
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(fx.emulator.stats.tokenRequests).toBe(0);
    });

    it('exits 1 naming the client id or secret when the secret is wrong, and saves nothing', async () => {
      const r = await runCli(
        login(),
        env({ BROWSER: scriptedBrowser(), PIPEDRIVE_CLIENT_SECRET: 'wrong-secret' }),
      );

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('rejected the client id or client secret');
      expect(r.stderr).toContain('hint:');
      expect(r.stdout + r.stderr).not.toContain('wrong-secret');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('leaves an existing profile byte-identical when a new login fails', async () => {
      expect((await runCli(login(), env({ BROWSER: scriptedBrowser() }))).code).toBe(0);
      const before = storeBytes(configDir);

      const r = await runCli(
        login(),
        env({ BROWSER: scriptedBrowser(), PIPEDRIVE_CLIENT_SECRET: 'wrong-secret' }),
      );

      expect(r.code).toBe(1);
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('times out (exit 1) when the callback URL is not the registered one, and saves nothing', async () => {
      const unregistered = `http://localhost:${await freePort()}/callback`;

      const r = await runCli(
        ['login', '--redirect-uri', unregistered, '--timeout', '2'],
        env({ BROWSER: scriptedBrowser() }),
      );

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('timed out');
      expect(r.stderr).toContain('hint:');
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(fx.emulator.stats.tokenRequests).toBe(0);
    });

    it('times out (exit 1) when nobody opens the URL, and saves nothing', async () => {
      const r = await runCli(login(['--timeout', '1']), env({ BROWSER: 'none' }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('timed out after 1s');
      expect(r.stdout).toBe('');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('exits 130 on SIGINT while waiting, saves nothing and frees the callback port', async () => {
      const run = spawned(login(), env({ BROWSER: 'none' }));
      await run.waitFor('Waiting for the browser');

      run.child.kill('SIGINT');
      const r = await run.done;

      expect(r.code).toBe(130);
      expect(r.stderr).toContain('Interrupted');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(await portIsFree(fx.callbackPort)).toBe(true);
    });

    it('exits 1 naming the busy port and --redirect-uri, before starting the browser', async () => {
      const blocker = createServer();
      blockers.push(blocker);
      await new Promise<void>((resolve) => blocker.listen(fx.callbackPort, '127.0.0.1', resolve));
      const marker = join(tmp.path, 'browser-started');

      const r = await runCli(login(), env({ BROWSER: `sh -c 'touch "${marker}"'` }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${fx.callbackPort}`);
      expect(r.stderr).toContain('--redirect-uri');
      expect(existsSync(marker)).toBe(false);
      expect(storeBytes(configDir)).toBeUndefined();
    });
  });

  describe('a busy IPv6 loopback port', () => {
    it('exits 1 naming [::1] and the port, saves nothing and frees 127.0.0.1 again', async (ctx) => {
      const blocker = createServer();
      blockers.push(blocker);
      const bound = await new Promise<boolean>((resolve) => {
        blocker.once('error', () => resolve(false));
        blocker.listen({ host: '::1', port: fx.callbackPort }, () => resolve(true));
      });
      if (!bound) ctx.skip();
      // ::1 is bound right after the browser starts, so the browser may have started: here it is one
      // that does nothing.
      const r = await runCli(login(), env({ BROWSER: 'true' }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${fx.callbackPort}`);
      expect(r.stderr).toContain('--redirect-uri');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(await portIsFree(fx.callbackPort, ['127.0.0.1'])).toBe(true);
    });
  });

  describe('missing input without a terminal', () => {
    const noId = { PIPEDRIVE_CLIENT_ID: undefined, PIPEDRIVE_CLIENT_SECRET: undefined };
    const noSecret = { PIPEDRIVE_CLIENT_SECRET: undefined };

    it.each([
      ['no terminal', {}],
      ['CI=true', { CI: 'true' }],
    ])('exits 2 naming --client-id and PIPEDRIVE_CLIENT_ID without a client id (%s)', async (_, ci) => {
      const r = await runCli(login(), env({ BROWSER: 'none', ...noId, ...ci }), undefined, orKilledAfter);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--client-id');
      expect(r.stderr).toContain('PIPEDRIVE_CLIENT_ID');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it.each([
      ['no terminal', {}],
      ['CI=true', { CI: 'true' }],
    ])(
      'exits 2 naming --client-secret-stdin and PIPEDRIVE_CLIENT_SECRET without a secret (%s)',
      async (_, ci) => {
        const r = await runCli(
          login(),
          env({ BROWSER: 'none', ...noSecret, ...ci }),
          undefined,
          orKilledAfter,
        );

        expect(r.code).toBe(2);
        expect(r.stderr).toContain('--client-secret-stdin');
        expect(r.stderr).toContain('PIPEDRIVE_CLIENT_SECRET');
        expect(storeBytes(configDir)).toBeUndefined();
      },
    );

    it('exits 2 without prompting in a real terminal when CI=true', async () => {
      const e = env({ BROWSER: 'none', CI: 'true', ...noId });
      const term = spawnPty(process.execPath, [cliPath, ...login()], {
        env: e as Record<string, string>,
        cols: 200,
        rows: 40,
      });
      let screen = '';
      term.onData((d) => {
        screen += d;
      });
      const timer = setTimeout(() => term.kill('SIGKILL'), orKilledAfter);
      const exitCode = await new Promise<number>((resolve) => term.onExit((x) => resolve(x.exitCode)));
      clearTimeout(timer);

      expect(exitCode).toBe(2);
      expect(screen).toContain('PIPEDRIVE_CLIENT_ID');
      expect(screen).not.toContain('Client ID (');
      expect(storeBytes(configDir)).toBeUndefined();
    });
  });

  describe('bad flags', () => {
    it('exits 2 for --timeout abc', async () => {
      const r = await runCli(login(['--timeout', 'abc']), env({ BROWSER: 'none' }), undefined, orKilledAfter);

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--timeout');
      expect(r.stderr).toContain('whole number');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('exits 2 for a profile name with a space', async () => {
      const r = await runCli(
        login(['--profile', 'bad name']),
        env({ BROWSER: 'none' }),
        undefined,
        orKilledAfter,
      );

      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--profile');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('exits 2 for an unknown command', async () => {
      const r = await runCli(['logon'], env(), undefined, orKilledAfter);

      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown command/i);
      expect(r.stdout).toBe('');
    });
  });
});
