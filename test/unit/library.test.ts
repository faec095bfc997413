import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { getAccessToken, getProfile, LoginNeededError } from '../../src/index.js';
import { cliEnv, repoRoot } from '../helpers/cli.js';
import { leakedSecrets, loggedIn, seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { emulatorSuite } from '../helpers/suite.js';

const run = promisify(execFile);

describe('library API: getAccessToken, getProfile', () => {
  const suite = emulatorSuite();

  describe('getAccessToken', () => {
    it('returns the stored token, api_domain, expiry and scope without a refresh', async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);

      const t = await getAccessToken({ configDir: suite.configDir, profile: 'default' });

      expect(t).toEqual({
        profile: 'default',
        accessToken: tokens?.accessToken,
        apiDomain: suite.fx.emulator.url,
        expiresAt: new Date(tokens?.expiresAt ?? 0),
        scope: ['base', 'deals:full'],
      });
      expect(suite.fx.emulator.stats.refreshGrants).toBe(0);
    });

    it('refreshes an expired token once and stores the new one', async () => {
      const before = (await seedLogin(suite.fx, suite.configDir)).tokens;
      await setStoredExpiry(suite.configDir, Date.now() - 60_000);

      const t = await getAccessToken({ configDir: suite.configDir, profile: 'default' });

      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
      expect(t.accessToken).not.toBe(before?.accessToken);
      expect(loggedIn(suite.configDir).tokens.accessToken).toBe(t.accessToken);
    });

    it('refreshes when the token expires within minValidSeconds', async () => {
      await seedLogin(suite.fx, suite.configDir);

      await getAccessToken({ configDir: suite.configDir, profile: 'default', minValidSeconds: 7200 });

      expect(suite.fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('throws LoginNeededError with exitCode 4 when the profile is not logged in; store unchanged', async () => {
      await seedLogin(suite.fx, suite.configDir);
      const before = storeBytes(suite.configDir);

      const call = getAccessToken({ configDir: suite.configDir, profile: 'sandbox' });

      await expect(call).rejects.toBeInstanceOf(LoginNeededError);
      await expect(call).rejects.toMatchObject({
        exitCode: 4,
        hint: 'run `pd-auth login --profile sandbox`',
      });
      expect(storeBytes(suite.configDir)).toEqual(before);
    });
  });

  describe('getProfile', () => {
    it('returns what is stored without any token or secret field', async () => {
      const seeded = await seedLogin(suite.fx, suite.configDir);

      const p = await getProfile({ configDir: suite.configDir, profile: 'default' });

      expect(p).toEqual({
        profile: 'default',
        clientId: seeded.clientId,
        redirectUri: suite.fx.redirectUri,
        oauthUrl: suite.fx.emulator.url,
        loggedIn: true,
        apiDomain: suite.fx.emulator.url,
        scope: ['base', 'deals:full'],
        accessTokenExpiresAt: new Date(seeded.tokens?.expiresAt ?? 0),
        user: { id: 1001, name: 'Emma Ulator', email: 'emma@example.test' },
        company: { id: 2002, name: 'Emulated Company', domain: 'emulated' },
      });
      expect(leakedSecrets(JSON.stringify(p), seeded)).toEqual([]);
    });

    it('returns undefined for a profile that does not exist', async () => {
      await seedLogin(suite.fx, suite.configDir);

      expect(await getProfile({ configDir: suite.configDir, profile: 'nope' })).toBeUndefined();
    });
  });

  describe('as a package (built dist, self-reference inside the repo)', () => {
    const dir = join(repoRoot, '.tmp');
    let files: string[] = [];
    /** A consumer file inside the repo, so 'pd-auth' resolves to this package by self-reference. */
    const write = (ext: 'mjs' | 'ts', text: string) => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `consumer-${process.pid}-${files.length}.${ext}`);
      writeFileSync(file, text);
      files.push(file);
      return file;
    };
    /** `tsc --noEmit --module nodenext --moduleResolution nodenext --strict FILE`: exit code and output. */
    const typecheck = (...files: string[]) => {
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const args = ['--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict'];
      return run(process.execPath, [tsc, ...args, '--target', 'es2022', ...files], { cwd: repoRoot }).then(
        () => ({ code: 0, out: '' }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    };
    afterEach(() => {
      for (const f of files) rmSync(f, { force: true });
      files = [];
    });

    it("works from a plain ESM file: import { getAccessToken } from 'pd-auth'", async () => {
      const { tokens } = await seedLogin(suite.fx, suite.configDir);
      const file = write(
        'mjs',
        [
          "import { getAccessToken } from 'pd-auth';",
          'const t = await getAccessToken();',
          "process.stdout.write([t.accessToken, t.apiDomain, t.expiresAt instanceof Date].join(' '));",
        ].join('\n'),
      );

      const { stdout } = await run(process.execPath, [file], {
        env: cliEnv({ PD_AUTH_CONFIG_DIR: suite.configDir }),
      });

      expect(stdout).toBe(`${tokens?.accessToken} ${suite.fx.emulator.url} true`);
    });

    it('type-checks a strict TypeScript consumer of AccessToken, getAccessToken and getProfile (exit 0)', async () => {
      const file = write(
        'ts',
        [
          "import { type AccessToken, getAccessToken, getProfile, LoginNeededError } from 'pd-auth';",
          "const t: AccessToken = await getAccessToken({ profile: 'sandbox', minValidSeconds: 60 });",
          'const domain: string = t.apiDomain;',
          'const when: Date = t.expiresAt;',
          'const p = await getProfile();',
          'const loggedIn: boolean | undefined = p?.loggedIn;',
          'const code: number = new LoginNeededError("x", "default").exitCode;',
          'export { code, domain, loggedIn, when };',
        ].join('\n'),
      );

      const result = await typecheck(file);

      expect(result).toEqual({ code: 0, out: '' });
    });

    it('reports a misuse of the types, so the check above means something', async () => {
      const file = write(
        'ts',
        "import { getAccessToken } from 'pd-auth';\nconst n: number = (await getAccessToken()).accessToken;\nexport { n };\n",
      );

      const result = await typecheck(file);

      expect(result.code).toBe(2);
      expect(result.out.trim()).toBe(
        `${relative(repoRoot, file)}(2,7): error TS2322: Type 'string' is not assignable to type 'number'.`,
      );
    });
  });
});
