import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile, StoreData } from '../../src/store/profile.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { storePath } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A hint's command names the profile whenever that command would not pick it by itself. */
describe('hints after `pd-auth use` or with PD_AUTH_PROFILE', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  beforeEach(() => {
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
    const app: Profile = {
      clientId: 'hint-app',
      redirectUri: 'http://localhost:8484/callback',
      oauthUrl: 'https://oauth.pipedrive.com',
      updatedAt: 1,
    };
    const data: StoreData = {
      version: 3,
      activeProfile: 'sandbox',
      profiles: { default: app, sandbox: app },
    };
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    writeFileSync(storePath(configDir), JSON.stringify(data), { mode: 0o600 });
  });
  afterEach(() => tmp.remove());

  it.each([
    [
      '--profile default while `use` made sandbox active',
      ['token', '--profile', 'default'],
      {},
      ' --profile default',
    ],
    ['the active profile itself', ['token'], {}, ''],
    ['--profile sandbox, which is active', ['token', '--profile', 'sandbox'], {}, ''],
    [
      '--profile sandbox while PD_AUTH_PROFILE=default',
      ['token', '--profile', 'sandbox'],
      { PD_AUTH_PROFILE: 'default' },
      ' --profile sandbox',
    ],
    ['PD_AUTH_PROFILE=default over the active sandbox', ['token'], { PD_AUTH_PROFILE: 'default' }, ''],
  ])('%s', async (_, args, extra, flag) => {
    const r = await runCli(args, cliEnv({ PD_AUTH_CONFIG_DIR: configDir, ...extra }));

    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^hint: run \`pd-auth login${flag}\`$`, 'm'));
  });
});
