import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, type SpawnedCli, spawnCli } from '../helpers/cli.js';

const printedUrl = /PD_AUTH_OAUTH_URL=(http:\/\/127\.0\.0\.1:\d+)\n/;

describe('pd-auth emulator (spawned)', () => {
  const children: SpawnedCli[] = [];
  const start = async () => {
    const run = spawnCli(['emulator', '--port', '0'], cliEnv({}));
    children.push(run);
    await run.waitFor(printedUrl);
    return { run, url: printedUrl.exec(run.stdout())?.[1] ?? '' };
  };
  afterEach(async () => {
    for (const run of children.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.done;
    }
  });

  it('prints only PD_AUTH_OAUTH_URL=<its url> on stdout', async () => {
    const { run } = await start();

    expect(run.stdout()).toMatch(/^PD_AUTH_OAUTH_URL=http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('serves the consent page at /oauth/authorize', async () => {
    const { url } = await start();
    const query = new URLSearchParams({
      client_id: 'emulator-client-id',
      redirect_uri: 'http://localhost:8484/callback',
      state: 'st',
    });

    const res = await fetch(`${url}/oauth/authorize?${query}`);

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Allow and install');
  });

  it('refuses a --refresh-token-mode it does not know (exit 2), naming the choices', async () => {
    const r = await spawnCli(['emulator', '--port', '0', '--refresh-token-mode', 'rotat'], cliEnv({})).done;

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      "error: option '--refresh-token-mode <mode>' argument 'rotat' is invalid. Allowed choices are reuse, rotate.",
    );
  });

  it('stops on SIGINT with exit 0', async () => {
    const { run, url } = await start();

    run.child.kill('SIGINT');
    const r = await run.done;

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('emulator stopped');
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});
