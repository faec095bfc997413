import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, runCli, scriptedBrowser } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import { loggedIn, seedLogin, storeBytes } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`${(server.address() as AddressInfo).port}`)),
  );
const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** A forwarding HTTP proxy on loopback that records every request (or tunnel) it passes on. */
function startProxy(): { server: Server; seen: string[] } {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // undici tunnels through proxies with CONNECT, for http:// targets too.
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { server, seen };
}

describe('network faults, proxies and TLS (spawned CLI against the emulator)', () => {
  let fx: EmulatorFixture;
  let tmp: ReturnType<typeof makeTempDir>;
  let configDir: string;
  const servers: Server[] = [];
  const env = (extra: Record<string, string | undefined> = {}) =>
    cliEnv({ PD_AUTH_CONFIG_DIR: configDir, ...extra });
  const expired = async () => {
    const { openProfileStore } = await import('../../src/store/profile-store.js');
    await openProfileStore(configDir).update('default', (p) =>
      p?.tokens ? { ...p, tokens: { ...p.tokens, expiresAt: Date.now() - 60_000 } } : p,
    );
  };

  beforeEach(async () => {
    fx = await startTestEmulator();
    tmp = makeTempDir();
    configDir = join(tmp.path, 'config');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await close(s);
    await fx.emulator.close();
    tmp.remove();
  });

  describe('retries', () => {
    it('refresh survives two 503 answers (retried with backoff)', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 503, times: 2 }]);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(fx.emulator.stats.faultsServed).toBe(2);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('refresh survives dropped connections (network errors are retried)', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 500, dropConnection: true, times: 2 }]);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(0);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('gives up after 3 retries (4 tries) on a lasting 503, says so, and keeps the stored tokens', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 503, times: 20 }]);
      const before = storeBytes(configDir);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(1);
      expect(fx.emulator.stats.faultsServed).toBe(4);
      expect(r.stderr).toContain('answered 503');
      expect(r.stderr).toContain('hint: Pipedrive may be having trouble; try again in a minute');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('never resends the single-use code exchange once it may have reached the server', async () => {
      fx.emulator.setAutoApprove(true);
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 500, dropConnection: true, times: 5 }]);
      const e = env({
        PD_AUTH_OAUTH_URL: fx.emulator.url,
        PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
        PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
        BROWSER: scriptedBrowser(),
      });

      const r = await runCli(['login', '--redirect-uri', fx.redirectUri], e);

      expect(r.code).toBe(1);
      expect(fx.emulator.stats.faultsServed).toBe(1);
      expect(r.stderr).toContain('the connection was closed before an answer came');
      expect(storeBytes(configDir)).toBeUndefined();
    });

    it('api GET retries a 502, then prints the answer', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/api/v1/deals', status: 502, times: 1 }]);

      const r = await runCli(['api', 'deals'], env());

      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ success: true });
    });

    it('api POST is not resent after a dropped connection (it may have created the deal)', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/api/v1/deals', status: 500, dropConnection: true, times: 5 }]);

      const r = await runCli(['api', 'deals', '-d', '{"title":"once"}'], env());

      expect(r.code).toBe(1);
      expect(fx.emulator.stats.faultsServed).toBe(1);
    });
  });

  describe('timeouts', () => {
    it('a slow answer runs out the deadline (PD_AUTH_HTTP_TIMEOUT) with a clear message; store unchanged', async () => {
      await seedLogin(fx, configDir);
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 200, delayMs: 3_000, times: 10 }]);
      const before = storeBytes(configDir);

      const r = await runCli(['refresh'], env({ PD_AUTH_HTTP_TIMEOUT: '0.5' }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${new URL(fx.emulator.url).host} did not answer in time`);
      expect(r.stderr).toContain('no complete answer within 0.5s, retries included');
      expect(r.stderr).toContain('PD_AUTH_HTTP_TIMEOUT');
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('warns about an unusable PD_AUTH_HTTP_TIMEOUT and uses the defaults', async () => {
      await seedLogin(fx, configDir);

      const r = await runCli(['refresh'], env({ PD_AUTH_HTTP_TIMEOUT: 'soon' }));

      expect(r.code).toBe(0);
      expect(r.stderr).toContain('PD_AUTH_HTTP_TIMEOUT should be a number of seconds');
    });
  });

  describe('answers pd-auth cannot use change nothing', () => {
    it.each([
      [
        'a proxy login page (HTML)',
        '<html><body><h1>Please log in to the proxy</h1></body></html>',
        'the body is not JSON',
      ],
      ['an empty body', '', 'empty body'],
      ['a body without access_token', '{"token_type":"Bearer","expires_in":3600}', 'no access_token'],
      ['a wrong field type', '{"access_token":"abc","expires_in":"soon"}', 'expires_in is missing'],
    ])(
      '%s on refresh: exit 1 naming the URL and status, excerpt redacted; store unchanged',
      async (_what, body, why) => {
        await seedLogin(fx, configDir);
        fx.emulator.injectFaults([{ path: '/oauth/token', status: 200, body, times: 1 }]);
        const before = storeBytes(configDir);

        const r = await runCli(['refresh'], env());

        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          `unexpected answer from ${fx.emulator.url}/oauth/token (HTTP 200): ${why}`,
        );
        expect(storeBytes(configDir)).toEqual(before);
      },
    );

    it('redacts credential-like values in the quoted body', async () => {
      const seeded = await seedLogin(fx, configDir);
      const leaky = JSON.stringify({
        error_page: true,
        refresh_token: seeded.tokens?.refreshToken,
        expires_in: 'x',
      });
      fx.emulator.injectFaults([{ path: '/oauth/token', status: 200, body: leaky, times: 1 }]);

      const r = await runCli(['refresh'], env());

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('"refresh_token":"[redacted]"');
      expect(r.stderr).not.toContain(seeded.tokens?.refreshToken ?? 'x');
    });
  });

  describe('proxies', () => {
    it('sends the requests through HTTP_PROXY (the proxy saw them)', async () => {
      await seedLogin(fx, configDir);
      const proxy = startProxy();
      servers.push(proxy.server);
      const port = await listen(proxy.server);

      const r = await runCli(['refresh'], env({ HTTP_PROXY: `http://127.0.0.1:${port}` }));

      expect(r.code).toBe(0);
      expect(proxy.seen).toContain(`CONNECT ${new URL(fx.emulator.url).host}`);
      expect(fx.emulator.stats.refreshGrants).toBe(1);
    });

    it('bypasses the proxy for hosts in NO_PROXY', async () => {
      await seedLogin(fx, configDir);
      const proxy = startProxy();
      servers.push(proxy.server);
      const port = await listen(proxy.server);

      const r = await runCli(
        ['refresh'],
        env({ HTTP_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '127.0.0.1' }),
      );

      expect(r.code).toBe(0);
      expect(proxy.seen).toEqual([]);
    });
  });

  describe('TLS', () => {
    /** An HTTPS front for the emulator with a self-signed certificate for 127.0.0.1. */
    async function httpsFront(): Promise<{ url: string; certFile: string }> {
      const key = join(tmp.path, 'key.pem');
      const certFile = join(tmp.path, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          certFile,
        ],
        { stdio: 'ignore' },
      );
      const { readFileSync } = await import('node:fs');
      const target = new URL(fx.emulator.url);
      const server = createHttpsServer(
        { key: readFileSync(key), cert: readFileSync(certFile) },
        (req, res) => {
          const upstream = httpRequest(
            {
              host: target.hostname,
              port: target.port,
              path: req.url,
              method: req.method,
              headers: req.headers,
            },
            (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
            },
          );
          req.pipe(upstream);
        },
      );
      servers.push(server as unknown as Server);
      const port = await listen(server as unknown as Server);
      return { url: `https://127.0.0.1:${port}`, certFile };
    }

    it('an unknown certificate authority fails with the NODE_EXTRA_CA_CERTS hint, never "turn verification off"', async () => {
      await seedLogin(fx, configDir);
      const front = await httpsFront();
      const before = storeBytes(configDir);

      const r = await runCli(['refresh'], env({ PD_AUTH_OAUTH_URL: front.url }));

      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the TLS certificate could not be verified');
      expect(r.stderr).toContain('NODE_EXTRA_CA_CERTS');
      expect(r.stderr).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED|rejectUnauthorized|insecure/i);
      expect(storeBytes(configDir)).toEqual(before);
    });

    it('works once NODE_EXTRA_CA_CERTS names the certificate, as the hint says', async () => {
      await seedLogin(fx, configDir);
      const front = await httpsFront();

      const r = await runCli(
        ['refresh'],
        env({ PD_AUTH_OAUTH_URL: front.url, NODE_EXTRA_CA_CERTS: front.certFile }),
      );

      expect(r.code).toBe(0);
      expect(loggedIn(configDir).tokens.accessToken).toBeTruthy();
    });
  });

  it('a token call with the network down keeps the stored tokens (expired token, OAuth host gone)', async () => {
    await seedLogin(fx, configDir);
    await expired();
    const before = storeBytes(configDir);
    writeFileSync(join(tmp.path, 'marker'), '');

    const dead = `http://127.0.0.1:${await freePort()}`;

    const r = await runCli(['token'], env({ PD_AUTH_OAUTH_URL: dead }));

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('the connection was refused');
    expect(storeBytes(configDir)).toEqual(before);
  });
});
