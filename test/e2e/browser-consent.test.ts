import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoreData } from '../../src/store/profile.js';
import { launchChromium, recordNavigations } from '../helpers/chromium.js';
import { cliEnv, type SpawnedCli, spawnCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { storePath } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const urlPrompt = 'Open this URL to authorize the app:';

/** The authorize URL: the first non-empty line after the prompt on stderr. */
function authorizeUrl(stderr: string): string {
  const after = stderr.slice(stderr.indexOf(urlPrompt) + urlPrompt.length);
  const line = after.split(/\r?\n/).find((l) => l.trim() !== '');
  if (!line) throw new Error(`no authorize URL on stderr:\n${stderr}`);
  return line.trim();
}

const codeIn = (urls: string[]) =>
  urls.map((u) => new URL(u).searchParams.get('code')).find((c): c is string => Boolean(c));

describe('consent round trip in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let cli: SpawnedCli | undefined;
  let fx: EmulatorFixture;
  let dir: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    fx = await startTestEmulator();
    dir = makeTempDir();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.done;
    }
    cli = undefined;
    await fx.emulator.close();
    dir.remove();
  });

  /** Starts `pd-auth login` (opening no browser) and a page on the URL it prints. */
  async function startLogin() {
    cli = spawnCli(
      ['login', '--redirect-uri', fx.redirectUri],
      cliEnv({
        PD_AUTH_OAUTH_URL: fx.emulator.url,
        PD_AUTH_CONFIG_DIR: dir.path,
        PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
        PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
        BROWSER: 'none',
      }),
    );
    await cli.waitFor(/Open this URL to authorize the app:\s*\n\s*\S+/);
    context = await browser.newContext();
    const page = await context.newPage();
    const visited = recordNavigations(page);
    await page.goto(authorizeUrl(cli.stderr()));
    return { cli, page, visited };
  }

  it('"Allow and install" logs in, and the result page shows no token, code or secret', async () => {
    const { cli, page, visited } = await startLogin();
    if (process.env.PD_AUTH_SCREENSHOTS === '1') {
      // Kept after the test, in a directory of its own (two runs at once must not share a path).
      const shot = join(mkdtempSync(join(tmpdir(), 'pd-auth-screenshot-')), 'consent.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`consent page screenshot: ${shot}`);
    }
    await page.getByRole('button', { name: 'Allow and install' }).click();
    await page.waitForURL(/\/callback\/result$/);
    const result = await cli.done;
    const html = await page.content();
    const text = await page.locator('body').textContent();

    expect(result.stderr).toContain('Logged in as Emma Ulator');
    expect(result.code).toBe(0);
    expect(text).toContain('Logged in');
    expect(page.url()).not.toContain('code=');
    const saved = (JSON.parse(readFileSync(storePath(dir.path), 'utf8')) as StoreData).profiles.default;
    const code = codeIn(visited);
    const secrets = {
      accessToken: saved?.tokens?.accessToken,
      refreshToken: saved?.tokens?.refreshToken,
      code,
      clientSecret: saved?.clientSecret,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value, `${name} should be known`).toBeTruthy();
      expect(html.includes(value as string), `${name} on the result page`).toBe(false);
    }
  });

  it('"Cancel" ends the login with exit 1, says so on the page, and saves nothing', async () => {
    const { cli, page } = await startLogin();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/callback\/result$/);
    const result = await cli.done;
    const text = await page.locator('body').textContent();

    expect(result.stderr).toContain('cancelled');
    expect(result.code).toBe(1);
    expect(text).toContain('Login cancelled');
    expect(existsSync(storePath(dir.path))).toBe(false);
    expect(fx.emulator.stats.tokenRequests).toBe(0);
  });
});
