import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { runLogin } from '../../../src/commands/login.js';
import { CancelledError, PdAuthError, UsageError } from '../../../src/errors.js';
import type { LoginOptions } from '../../../src/flows/login.js';
import type { Prompter, PromptOptions } from '../../../src/ui/prompter.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { loggedIn, portIsFree, printedAuthorizeUrl, storeBytes, until } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { followingBrowser, makeTestDeps, type TestDepsOptions } from '../../helpers/test-deps.js';

// Distinctive, so finding it in the output can only be a leak.
const secret = 'cmd-login-SECRET-5e1f09a7';

/**
 * A person at the paste prompt: waits for the authorize URL on stderr, "approves" it (the emulator
 * auto-approves) without following the redirect, and pastes the Location it got. `tamper` turns
 * that URL into bad pastes tried first; their validation messages are recorded.
 */
function pastingPrompter(stderr: () => string, tamper: (location: string) => string[] = () => []) {
  const asked: string[] = [];
  const rejected: string[] = [];
  const input = async (message: string, opts?: PromptOptions) => {
    asked.push(message);
    const authorize = await until(() => printedAuthorizeUrl(stderr()), 'the authorize URL');
    const res = await fetch(authorize, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (!location) throw new Error(`authorize answered ${res.status} without a Location`);
    for (const paste of [...tamper(location), location]) {
      if (opts?.signal?.aborted) throw new CancelledError();
      const check = opts?.validate?.(paste) ?? true;
      if (check === true) return paste;
      rejected.push(check);
    }
    throw new Error('every paste was rejected');
  };
  const unexpected = async (message: string): Promise<never> => {
    throw new Error(`unexpected prompt: ${message}`);
  };
  const prompter: Prompter = { input, password: unexpected, confirm: unexpected };
  return { prompter, asked, rejected };
}

describe('runLogin (in-process)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  const deps = (opts: Omit<TestDepsOptions, 'configDir'> = {}) =>
    makeTestDeps({
      configDir,
      ...opts,
      env: {
        oauthUrl: fx.emulator.url,
        clientId: fx.emulator.app.clientId,
        clientSecret: fx.emulator.app.clientSecret,
        ...opts.env,
      },
    });
  const options = (extra: Partial<LoginOptions> = {}): LoginOptions => ({
    profile: 'default',
    redirectUri: fx.redirectUri,
    browser: true,
    timeoutSeconds: 10,
    ...extra,
  });

  beforeEach(async () => {
    fx = await startTestEmulator({ clientSecret: secret });
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  describe('in a terminal', () => {
    it('asks for the client id, then the secret', async () => {
      const browser = followingBrowser();
      const t = deps({
        interactive: true,
        answers: [fx.emulator.app.clientId, secret],
        env: { clientId: undefined, clientSecret: undefined },
        openBrowser: browser.open,
      });

      await runLogin(options(), t.deps);

      expect(t.prompter.asked).toEqual([
        'Client ID (Developer Hub → your app → OAuth & access scopes):',
        'Client secret (input hidden):',
      ]);
      expect(loggedIn(configDir)).toMatchObject({ clientId: fx.emulator.app.clientId, clientSecret: secret });
    });

    it('never writes the prompted secret to stdout or stderr', async () => {
      const browser = followingBrowser();
      const t = deps({
        interactive: true,
        answers: [fx.emulator.app.clientId, secret],
        env: { clientId: undefined, clientSecret: undefined, debug: true },
        openBrowser: browser.open,
      });

      await runLogin(options(), t.deps);

      expect(t.stderr()).toContain('Logged in as Emma Ulator');
      expect(t.stdout() + t.stderr()).not.toContain(secret);
    });

    it('with --no-browser accepts the redirected URL pasted at the prompt', async () => {
      fx.emulator.setAutoApprove(true);
      const opened: string[] = [];
      const t = deps({ interactive: true, openBrowser: async (url) => void opened.push(url) });
      const paste = pastingPrompter(t.stderr);
      t.deps.prompter = paste.prompter;

      await runLogin(options({ browser: false }), t.deps);

      expect(paste.asked).toEqual(['Paste the full URL your browser was redirected to:']);
      expect(opened).toEqual([]);
      expect(loggedIn(configDir).tokens.apiDomain).toBe(fx.emulator.url);
    });

    it('with --no-browser rejects a pasted URL whose state is not this login', async () => {
      fx.emulator.setAutoApprove(true);
      const t = deps({ interactive: true });
      const otherState = (location: string) => {
        const u = new URL(location);
        u.searchParams.set('state', 'someone-elses-state');
        return [u.toString()];
      };
      const paste = pastingPrompter(t.stderr, otherState);
      t.deps.prompter = paste.prompter;

      await runLogin(options({ browser: false }), t.deps);

      expect(paste.rejected).toHaveLength(1);
      expect(paste.rejected[0]).toContain('the state does not match this login');
    });
  });

  describe('with a browser', () => {
    it('opens the printed authorize URL and stores the login', async () => {
      const browser = followingBrowser();
      const t = deps({ openBrowser: browser.open });

      await runLogin(options(), t.deps);

      expect(browser.opened).toEqual([printedAuthorizeUrl(t.stderr())]);
      expect(loggedIn(configDir).user?.name).toBe('Emma Ulator');
      expect(t.stdout()).toBe('');
    });

    it('rejects with "cancelled" when the consent is cancelled, saving nothing', async () => {
      const browser = followingBrowser('cancel');
      const t = deps({ openBrowser: browser.open });

      const run = runLogin(options(), t.deps);

      await expect(run).rejects.toThrow(PdAuthError);
      await expect(run).rejects.toThrow(/cancelled/);
      expect(storeBytes(configDir)).toBeUndefined();
    });
  });

  describe('the hint after a cancelled consent', () => {
    it('names the profile, like every other login hint', async () => {
      const browser = followingBrowser('cancel');
      const t = deps({ openBrowser: browser.open });

      const run = runLogin(options({ profile: 'sandbox' }), t.deps);

      await expect(run).rejects.toMatchObject({
        hint: expect.stringContaining('pd-auth login --profile sandbox'),
      });
    });
  });

  describe('without a terminal', () => {
    it('prints an ssh -L line for the callback port over SSH with --no-browser', async () => {
      fx.emulator.setAutoApprove(true);
      const t = deps({ env: { sshConnection: '10.0.0.1 50000 10.0.0.2 22' } });

      const run = runLogin(options({ browser: false }), t.deps);
      // Non-interactive: no paste prompt, so play the browser on the forwarded port.
      const url = await until(() => printedAuthorizeUrl(t.stderr()), 'the authorize URL');
      await fetch(url);
      await run;

      expect(t.stderr()).toContain(`ssh -L ${fx.callbackPort}:localhost:${fx.callbackPort}`);
    });

    it('refuses a callback URL it cannot listen on (usage error), asking nothing', async () => {
      const t = deps();

      const run = runLogin(options({ redirectUri: 'https://example.com/callback' }), t.deps);

      await expect(run).rejects.toThrow(UsageError);
      expect(t.prompter.asked).toEqual([]);
      expect(storeBytes(configDir)).toBeUndefined();
    });
  });

  describe('interrupted', () => {
    it('main returns 130 when deps.signal is aborted while waiting, and saves nothing', async () => {
      const controller = new AbortController();
      const t = deps({ signal: controller.signal });

      const code = main(['login', '--redirect-uri', fx.redirectUri], t.deps);
      await until(() => (t.stderr().includes('Waiting for the browser') ? true : undefined), 'the wait');
      controller.abort();

      expect(await code).toBe(130);
      expect(t.stderr()).toContain('Interrupted');
      expect(storeBytes(configDir)).toBeUndefined();
      expect(await portIsFree(fx.callbackPort)).toBe(true);
    });
  });
});
