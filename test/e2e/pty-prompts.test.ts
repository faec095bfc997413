import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, scriptedBrowser } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { storePath } from '../helpers/fixtures.js';
import { type PtyCli, spawnCliPty } from '../helpers/pty.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// Distinctive, so a match in the terminal output can only be a leak.
const typedSecret = 'pty-SECRET-7f3a9c1e5b2d';
const idPrompt = 'Client ID';
const secretPrompt = 'Client secret (input hidden)';

/** Every form in which the secret could leak: as typed, URL-encoded, and in a Basic header. */
function leakedForms(output: string, clientId: string, secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(`${clientId}:${secret}`).toString('base64')];
  return forms.filter((f) => output.includes(f));
}

const storedProfile = (dir: string) =>
  (JSON.parse(readFileSync(storePath(dir), 'utf8')) as { profiles: Record<string, { clientSecret: string }> })
    .profiles.default;

describe('prompts in a real terminal', () => {
  let fx: EmulatorFixture;
  let dir: ReturnType<typeof makeTempDir>;
  const sessions: PtyCli[] = [];
  const inPty = (args: string[], env: NodeJS.ProcessEnv) => {
    const s = spawnCliPty(args, env);
    sessions.push(s);
    return s;
  };
  const env = (extra: Record<string, string> = {}) =>
    cliEnv({ PD_AUTH_OAUTH_URL: fx.emulator.url, PD_AUTH_CONFIG_DIR: dir.path, ...extra });

  beforeEach(async () => {
    fx = await startTestEmulator({ autoApprove: true, clientSecret: typedSecret });
    dir = makeTempDir();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.stop();
    await fx.emulator.close();
    dir.remove();
  });

  it.each([
    ['without --verbose', []],
    ['with --verbose', ['--verbose']],
  ])(
    'login asks for the client id and a hidden secret, and never shows the secret (%s)',
    async (_, extra) => {
      const cli = inPty(
        ['login', '--redirect-uri', fx.redirectUri, ...extra],
        env({ BROWSER: scriptedBrowser() }),
      );
      await cli.waitFor(idPrompt);
      cli.type(`${fx.emulator.app.clientId}\r`);
      await cli.waitFor(secretPrompt);
      cli.type(`${typedSecret}\r`);
      const { exitCode } = await cli.exited;

      expect(cli.screen()).toContain('Logged in as Emma Ulator');
      expect(exitCode).toBe(0);
      expect(leakedForms(cli.output(), fx.emulator.app.clientId, typedSecret)).toEqual([]);
      expect(leakedForms(cli.screen(), fx.emulator.app.clientId, typedSecret)).toEqual([]);
      expect(storedProfile(dir.path)?.clientSecret).toBe(typedSecret);
    },
  );

  it('rotate-secret asks for the new secret hidden and saves it', async () => {
    const login = await runCli(
      ['login', '--redirect-uri', fx.redirectUri],
      env({
        PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
        PIPEDRIVE_CLIENT_SECRET: typedSecret,
        BROWSER: scriptedBrowser(),
      }),
    );
    expect(login.code).toBe(0);
    const newSecret = fx.emulator.regenerateSecret();

    const cli = inPty(['rotate-secret'], env());
    await cli.waitFor('New client secret (input hidden)');
    cli.type(`${newSecret}\r`);
    const { exitCode } = await cli.exited;

    expect(cli.screen()).toContain('The new client secret');
    expect(exitCode).toBe(0);
    expect(leakedForms(cli.output(), fx.emulator.app.clientId, newSecret)).toEqual([]);
    expect(fx.emulator.stats.refreshGrants).toBe(1);
    expect(storedProfile(dir.path)?.clientSecret).toBe(newSecret);
  });

  it('Ctrl+C at the secret prompt exits 130 and writes no store file', async () => {
    const cli = inPty(['login', '--redirect-uri', fx.redirectUri], env({ BROWSER: scriptedBrowser() }));
    await cli.waitFor(idPrompt);
    cli.type(`${fx.emulator.app.clientId}\r`);
    await cli.waitFor(secretPrompt);
    cli.type('pty-half');
    cli.type('\x03');
    const { exitCode } = await cli.exited;

    expect(exitCode).toBe(130);
    expect(cli.screen()).toContain('Interrupted; nothing was saved.');
    expect(existsSync(storePath(dir.path))).toBe(false);
    expect(fx.emulator.stats.tokenRequests).toBe(0);
  });
});
