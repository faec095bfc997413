import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeadline } from '../../../src/doctor/deadline.js';
import { checkHost } from '../../../src/doctor/host-check.js';
import { createHttpClient, timeoutsFromSeconds } from '../../../src/net/http-client.js';
import { freePort } from '../../helpers/ports.js';
import { startSilentServer } from '../../helpers/silent-server.js';

const context = (processEnv: NodeJS.ProcessEnv = {}, seconds = 10) => {
  const timeouts = timeoutsFromSeconds(seconds);
  return {
    http: createHttpClient(timeouts),
    processEnv,
    deadline: startDeadline(timeouts, Date.now, new AbortController().signal),
    now: Date.now,
  };
};

describe('the host check (name, connect, TLS, HTTP)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('is ok for any HTTP answer, and keeps the Date header for the clock check', async () => {
    const server: Server = createServer((_req, res) => res.writeHead(405).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const h = await checkHost(url, '/oauth/token', context());

    expect(h.outcome).toMatchObject({
      result: 'ok',
      reason: `${url} answers (HTTP 405): resolved to 127.0.0.1, connected, no proxy`,
    });
    expect(Date.parse(h.answer?.date ?? '')).toBeGreaterThan(0);
  });

  it('names the step that failed: connect, refused', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;

    const h = await checkHost(url, '/', context());

    expect(h.outcome.reason).toBe(
      `${url}: connecting to 127.0.0.1 port ${new URL(url).port} failed: the connection was refused (ECONNREFUSED)`,
    );
    expect(h.answer).toBeUndefined();
  });

  it('fails on a proxy variable that is not a URL (every request would fail)', async () => {
    const h = await checkHost(
      'https://oauth.pipedrive.com',
      '/',
      context({ HTTPS_PROXY: 'proxy.corp:3128' }),
    );

    expect(h.outcome.reason).toBe(
      'HTTPS_PROXY is not an http:// or https:// URL, so every request pd-auth makes fails',
    );
  });

  it('a silent server runs out the deadline, and says so', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);

    const h = await checkHost(silent.url, '/oauth/token', context({}, 0.5));

    expect(h.outcome.result).toBe('failure');
    expect(h.outcome.reason).toBe(
      `${silent.url}: resolved to 127.0.0.1, connected, but no HTTP answer within 0.5s`,
    );
    expect(h.outcome.fix).toContain('PD_AUTH_HTTP_TIMEOUT');
  });
});
