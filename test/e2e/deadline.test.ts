import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptedBrowser, spawnCli } from '../helpers/cli.js';
import { emulatorEnv, seedLogin, setStoredExpiry, storeBytes } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { type SilentServer, startSilentServer } from '../helpers/silent-server.js';
import { emulatorSuite } from '../helpers/suite.js';

/**
 * Every command that talks to the network gives up on a server that accepts the connection and never
 * answers, within one deadline for its whole conversation (PD_AUTH_HTTP_TIMEOUT, retries included):
 * exit 1, the host named, a hint, and the store byte for byte as before. A real timeout is under
 * test here, so the time bounds are generous: at least the deadline, and far less than retries of it.
 */
describe('a server that accepts and never answers', () => {
  const suite = emulatorSuite({ clientId: 'deadline-app', clientSecret: 'deadline-secret-0123456789' });
  let silent: SilentServer;
  beforeEach(async () => {
    silent = await startSilentServer();
  });
  afterEach(() => silent.close());

  const deadlineSeconds = 2;
  const env = (extra: Record<string, string> = {}) =>
    emulatorEnv(suite.fx, suite.configDir, {
      PD_AUTH_OAUTH_URL: silent.url,
      PD_AUTH_HTTP_TIMEOUT: String(deadlineSeconds),
      ...extra,
    });

  async function giveUp(args: string[], input?: string, extra: Record<string, string> = {}) {
    const before = storeBytes(suite.configDir);
    const started = Date.now();
    const askedAt = silent.asked.then(() => Date.now());
    const r = await spawnCli(args, env(extra), input).done;
    const ended = Date.now();
    // `status` reports each profile's error in its report (stdout); the others on stderr.
    const said = `${r.stdout}${r.stderr}`;
    expect(r.code).toBe(1);
    expect(said).toContain(`${new URL(silent.url).host} did not answer in time`);
    expect(said).toContain(`within ${deadlineSeconds}s, retries included`);
    expect(said).toMatch(/hint: .*HTTPS_PROXY.*PD_AUTH_HTTP_TIMEOUT/);
    expect(storeBytes(suite.configDir)).toEqual(before);
    expect((ended - started) / 1000).toBeGreaterThanOrEqual(deadlineSeconds);
    // Counted from the first unanswered request, so the time a busy machine takes to start Node is not.
    expect((ended - (await askedAt)) / 1000).toBeLessThan(deadlineSeconds * 5);
    return r;
  }

  it('refresh', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await giveUp(['refresh']);
  });

  it('token, with an expired access token', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await setStoredExpiry(suite.configDir, Date.now() - 60_000);
    const r = await giveUp(['token']);
    expect(r.stdout).toBe('');
  });

  it('status, which refreshes an expired access token first', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await setStoredExpiry(suite.configDir, Date.now() - 60_000);
    await giveUp(['status']);
  });

  it('rotate-secret, which checks the new secret with a refresh', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await giveUp(['rotate-secret'], undefined, { PIPEDRIVE_CLIENT_SECRET: 'a-new-secret-0123456789' });
  });

  it('logout --revoke', async () => {
    await seedLogin(suite.fx, suite.configDir);
    await giveUp(['logout', '--revoke', '--yes']);
  });

  it('the code exchange in login', async () => {
    const port = await freePort();
    const r = await giveUp(
      ['login', '--redirect-uri', `http://localhost:${port}/callback`, '--timeout', '20'],
      undefined,
      { BROWSER: scriptedBrowser() },
    );
    expect(r.stderr).toContain('/oauth/token');
  });

  it('Ctrl+C while waiting exits 130 at once and changes nothing', async () => {
    await seedLogin(suite.fx, suite.configDir);
    const before = storeBytes(suite.configDir);
    const cli = spawnCli(['refresh'], env({ PD_AUTH_HTTP_TIMEOUT: '60' }));
    await silent.asked;
    const interrupted = Date.now();
    cli.child.kill('SIGINT');
    const r = await cli.done;

    expect(r.code).toBe(130);
    expect((Date.now() - interrupted) / 1000).toBeLessThan(10);
    expect(storeBytes(suite.configDir)).toEqual(before);
  });
});
