import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { runApi } from '../../../src/commands/api.js';
import { runExec } from '../../../src/commands/exec.js';
import { PdAuthError, UsageError } from '../../../src/errors.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { leakedSecrets, loggedIn, seedLogin, storeBytes } from '../../helpers/fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps, type TestDepsOptions } from '../../helpers/test-deps.js';

const node = process.execPath;

describe('api and exec commands (in-process)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  const deps = (opts: Omit<TestDepsOptions, 'configDir'> = {}) =>
    makeTestDeps({ configDir: tmp.path, ...opts });
  let apiBefore: number;
  const apiRequests = () => fx.emulator.stats.apiRequests - apiBefore;

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    await seedLogin(fx, tmp.path);
    apiBefore = fx.emulator.stats.apiRequests;
  });
  afterEach(async () => {
    await fx.emulator.close();
    tmp.remove();
  });

  describe('runApi', () => {
    it('prints the body as received when stdout is not a terminal', async () => {
      const t = deps();

      const code = await runApi({ profile: 'default', path: 'deals/1', headers: [] }, t.deps);

      expect(code).toBe(0);
      expect(t.stdout()).not.toContain('\n  ');
      expect(JSON.parse(t.stdout())).toMatchObject({ success: true, data: { id: 1 } });
    });

    it('pretty-prints JSON when stdout is a terminal', async () => {
      const t = deps();
      t.deps.io.stdoutIsTTY = true;

      await runApi({ profile: 'default', path: 'deals/1', headers: [] }, t.deps);

      expect(t.stdout()).toBe(`${JSON.stringify(JSON.parse(t.stdout()), null, 2)}\n`);
    });

    it('POSTs when there is a body and no method, as JSON', async () => {
      const t = deps();

      await runApi({ profile: 'default', path: 'deals', data: '{"title":"posted"}', headers: [] }, t.deps);

      expect(JSON.parse(t.stdout())).toMatchObject({ data: { id: 3, title: 'posted' } });
    });

    it('keeps a Content-Type the user set (a form body)', async () => {
      const t = deps();

      await runApi(
        {
          profile: 'default',
          path: 'deals',
          data: 'title=form+deal',
          headers: ['Content-Type: application/x-www-form-urlencoded'],
        },
        t.deps,
      );

      expect(JSON.parse(t.stdout())).toMatchObject({ data: { title: 'form deal' } });
    });

    it('reads -d - from stdin', async () => {
      const t = deps({ stdin: '{"title":"piped"}' });

      await runApi({ profile: 'default', path: 'deals', data: '-', headers: [] }, t.deps);

      expect(JSON.parse(t.stdout())).toMatchObject({ data: { title: 'piped' } });
    });

    it("rejects a non-2xx with Pipedrive's message (and the 403 scope hint)", async () => {
      fx.emulator.injectFaults([{ path: '/api/v1/deals', status: 403 }]);
      const t = deps();

      const run = runApi({ profile: 'default', path: 'deals', headers: [] }, t.deps);

      await expect(run).rejects.toThrow(PdAuthError);
      await expect(run).rejects.toMatchObject({
        exitCode: 1,
        message: `GET ${fx.emulator.url}/api/v1/deals answered 403: Forbidden`,
        hint: expect.stringContaining("the app's scopes may not cover this endpoint"),
      });
    });

    it.each([
      ['a header without a colon', { headers: ['NoColon'] }, 'bad header "NoColon"'],
      ['an Authorization header', { headers: ['authorization: Bearer x'] }, 'sets the Authorization header'],
      ['an unknown method', { headers: [], method: 'TRACE' }, 'unsupported method TRACE'],
      ['a full URL', { headers: [], path: 'http://127.0.0.1:1/api/v1/deals' }, 'not a URL'],
      ['an unreadable @file', { headers: [], data: '@/nonexistent/deal.json' }, 'cannot read'],
    ])('rejects %s as a usage error (exit 2) without calling the API', async (_what, opts, message) => {
      const before = storeBytes(tmp.path);

      const run = runApi({ profile: 'default', path: 'deals', ...opts }, deps().deps);

      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(message) });
      expect(apiRequests()).toBe(0);
      expect(storeBytes(tmp.path)).toEqual(before);
    });

    it('main: a 404 exits 1 with an error line that holds no token', async () => {
      const t = deps();

      const code = await main(['api', 'v2/deals/999'], t.deps);

      expect(code).toBe(1);
      expect(t.stderr()).toBe(
        `error: GET ${fx.emulator.url}/api/v2/deals/999 answered 404: Deal not found: Please check developers.pipedrive.com for more information about Pipedrive API.\n`,
      );
      expect(leakedSecrets(t.stderr(), loggedIn(tmp.path))).toEqual([]);
    });
  });

  describe('runExec', () => {
    const script = (js: string) => [node, '-e', js];

    it('gives the command the token and api_domain on top of its environment', async () => {
      const { tokens } = loggedIn(tmp.path);
      const t = deps();

      const code = await runExec(
        {
          profile: 'default',
          command: script(
            'const e = process.env; console.log(JSON.stringify([e.PIPEDRIVE_ACCESS_TOKEN, e.PIPEDRIVE_API_DOMAIN, typeof e.PATH]))',
          ),
        },
        t.deps,
      );

      expect(code).toBe(0);
      expect(JSON.parse(t.stdout())).toEqual([tokens.accessToken, fx.emulator.url, 'string']);
    });

    it('pipes stdin through and returns the exit code', async () => {
      const t = deps({ stdin: 'hello' });

      const code = await runExec(
        {
          profile: 'default',
          command: script(
            "let s=''; process.stdin.on('data', c => s += c).on('end', () => { process.stdout.write(s.toUpperCase()); process.stderr.write('e'); process.exit(9); })",
          ),
        },
        t.deps,
      );

      expect(code).toBe(9);
      expect(t.stdout()).toBe('HELLO');
      expect(t.stderr()).toBe('e');
    });

    it('returns 128 + n when a signal ended the command', async () => {
      const code = await runExec(
        { profile: 'default', command: script("process.kill(process.pid, 'SIGKILL')") },
        deps().deps,
      );

      expect(code).toBe(137);
    });

    it('returns 127 and says so when the command is not found', async () => {
      const t = deps();

      const code = await runExec({ profile: 'default', command: ['pd-auth-no-such-command'] }, t.deps);

      expect(code).toBe(127);
      expect(t.stderr()).toBe('error: cannot run pd-auth-no-such-command: command not found\n');
    });

    it('refuses an empty command with exit 2', async () => {
      const run = runExec({ profile: 'default', command: [] }, deps().deps);

      await expect(run).rejects.toMatchObject({ exitCode: 2, message: 'no command given' });
    });

    it('main: exit 4 and the command never starts when the profile is not logged in', async () => {
      const t = deps();

      const code = await main(
        ['exec', '--profile', 'sandbox', '--', node, '-e', 'console.log("ran")'],
        t.deps,
      );

      expect(code).toBe(4);
      expect(t.stdout()).toBe('');
    });
  });
});
