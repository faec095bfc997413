import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, scriptedBrowser } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('pd-auth login against the emulator (smoke)', () => {
  let fx: EmulatorFixture;
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    fx = await startTestEmulator();
    dir = makeTempDir();
  });
  afterEach(async () => {
    await fx.emulator.close();
    dir.remove();
  });

  it('logs in through the scripted browser and then refreshes', async () => {
    const env = cliEnv({
      PD_AUTH_OAUTH_URL: fx.emulator.url,
      PD_AUTH_CONFIG_DIR: dir.path,
      PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
      PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
      BROWSER: scriptedBrowser(),
    });
    const login = await runCli(['login', '--redirect-uri', fx.redirectUri], env);
    expect(login.stderr).toContain('Logged in as Emma Ulator');
    expect(login.code).toBe(0);
    const refresh = await runCli(['refresh'], env);
    expect(refresh.code).toBe(0);
    expect(fx.emulator.stats.refreshGrants).toBe(1);
  });
});
