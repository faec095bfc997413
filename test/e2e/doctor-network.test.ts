// Over 150 lines: the proxy cases (missing, asking for credentials, working), TLS, and a silent host.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startSilentServer } from '../helpers/silent-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface JsonCheck {
  id: string;
  result: string;
  reason: string;
  fix: string | null;
}

/**
 * Doctor's network checks against real listeners on 127.0.0.1, no profile needed: a proxy that is
 * not there, a working one, an OAuth host with a self-signed certificate, and one that never answers.
 */
describe('pd-auth doctor: the network (spawned)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(() => {
    tmp = makeTempDir();
  });
  afterAll(() => tmp.remove());
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const listen = async (server: Server) => {
    const sockets = new Set<Socket>();
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });
    return (server.address() as AddressInfo).port;
  };
  const doctor = async (extra: Record<string, string>) => {
    const env = cliEnv({ PD_AUTH_CONFIG_DIR: join(tmp.path, 'config'), BROWSER: 'none', ...extra });
    const started = performance.now();
    const r = await runCli(['doctor', '--json'], env, undefined, 60_000);
    const ms = Math.round(performance.now() - started);
    const checks = JSON.parse(r.stdout).checks as JsonCheck[];
    return { ...r, ms, check: (id: string) => checks.find((c) => c.id === id) as JsonCheck };
  };

  it('an unreachable proxy fails the OAuth host, naming the proxy (never its password), and nothing is sent on', async () => {
    const port = await freePort();

    // The default OAuth host, https://oauth.pipedrive.com: HTTPS_PROXY applies, and is not there.
    const r = await doctor({ HTTPS_PROXY: `http://me:hunter2@127.0.0.1:${port}` });

    expect(r.code).toBe(1);
    expect(r.check('oauth-host')).toEqual({
      id: 'oauth-host',
      title: 'OAuth host',
      result: 'failure',
      reason: `the proxy http://***@127.0.0.1:${port} (HTTPS_PROXY) is not reachable: connecting to 127.0.0.1 port ${port} failed: the connection was refused (ECONNREFUSED)`,
      fix: "check the proxy's address in HTTPS_PROXY, or unset it (NO_PROXY=oauth.pipedrive.com skips it for this host)",
    });
    expect(r.check('clock').result).toBe('skipped');
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('a proxy that wants credentials: says so, and where they go', async () => {
    const proxy = createHttpServer();
    proxy.on('connect', (_req, socket: Socket) =>
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'),
    );
    const port = await listen(proxy);

    const r = await doctor({ HTTPS_PROXY: `http://127.0.0.1:${port}` });

    expect(r.code).toBe(1);
    expect(r.check('oauth-host').reason).toMatch(
      /, connected, but the proxy wants credentials \(HTTP 407\)$/,
    );
    expect(r.check('oauth-host').fix).toBe('put them in the proxy URL: http://USER:PASSWORD@HOST:PORT');
  });

  it('through a working proxy: ok, and says it went through it', async () => {
    const seen: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      seen.push(req.url ?? '');
      const [host, p] = (req.url ?? '').split(':');
      const upstream = connect(Number(p), host ?? '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    const proxyPort = await listen(proxy);
    const host = await listen(createHttpServer((_q, res) => res.writeHead(404).end()));

    const r = await doctor({
      PD_AUTH_OAUTH_URL: `http://127.0.0.1:${host}`,
      HTTP_PROXY: `http://127.0.0.1:${proxyPort}`,
    });

    expect(r.check('oauth-host').result).toBe('ok');
    expect(r.check('oauth-host').reason).toContain(
      `through the proxy http://127.0.0.1:${proxyPort} (HTTP_PROXY)`,
    );
    expect(seen).toEqual([`127.0.0.1:${host}`]);
  });

  describe('TLS', () => {
    let cert: string;
    let key: string;
    beforeAll(() => {
      key = join(tmp.path, 'key.pem');
      cert = join(tmp.path, 'cert.pem');
      const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
      const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject];
      execFileSync('openssl', [...args, '-keyout', key, '-out', cert], { stdio: 'ignore' });
    });
    const selfSigned = () =>
      listen(
        createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_q, res) =>
          res.writeHead(405).end(),
        ) as unknown as Server,
      );

    it('a self-signed OAuth host fails at the TLS step, with the NODE_EXTRA_CA_CERTS hint', async () => {
      const port = await selfSigned();

      const r = await doctor({ PD_AUTH_OAUTH_URL: `https://127.0.0.1:${port}` });

      expect(r.code).toBe(1);
      const c = r.check('oauth-host');
      expect(c.reason).toBe(
        `https://127.0.0.1:${port}: the TLS handshake failed: the TLS certificate could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      );
      expect(c.fix).toContain('NODE_EXTRA_CA_CERTS');
      expect(c.fix).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED|insecure/i);
    });

    it('is ok once NODE_EXTRA_CA_CERTS names that certificate', async () => {
      const port = await selfSigned();

      const r = await doctor({ PD_AUTH_OAUTH_URL: `https://127.0.0.1:${port}`, NODE_EXTRA_CA_CERTS: cert });

      expect(r.check('oauth-host').result).toBe('ok');
      expect(r.check('oauth-host').reason).toContain('certificate verified');
    });
  });

  it('a host that never answers runs out PD_AUTH_HTTP_TIMEOUT, and doctor ends (time printed, not asserted)', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);

    const r = await doctor({ PD_AUTH_OAUTH_URL: silent.url, PD_AUTH_HTTP_TIMEOUT: '1' });
    console.log(`[doctor] silent OAuth host, PD_AUTH_HTTP_TIMEOUT=1: ${r.ms} ms`);

    expect(r.code).toBe(1);
    expect(r.check('oauth-host').reason).toBe(
      `${silent.url}: resolved to 127.0.0.1, connected, but no HTTP answer within 1s`,
    );
    expect(r.check('oauth-host').fix).toContain('PD_AUTH_HTTP_TIMEOUT');
  });
});
