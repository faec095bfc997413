import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SilentServer {
  url: string;
  /** Resolves when a request other than the authorize redirect has arrived (and gets no answer). */
  asked: Promise<void>;
  close(): Promise<void>;
}

/**
 * A real listener on 127.0.0.1 port 0 that accepts every connection and reads every request, and
 * never answers (a stuck proxy, a load balancer with a dead backend), except GET /oauth/authorize,
 * which it answers as an auto-approving OAuth server does: a redirect to the redirect_uri with a
 * code and the state, so that a login reaches its code exchange and waits there.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let arrived: () => void = () => {};
  const asked = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const redirect = url.searchParams.get('redirect_uri');
    if (req.method === 'GET' && url.pathname === '/oauth/authorize' && redirect) {
      const to = new URL(redirect);
      to.searchParams.set('code', 'silent-code');
      const state = url.searchParams.get('state');
      if (state) to.searchParams.set('state', state);
      res.writeHead(302, { location: to.toString() }).end();
      return;
    }
    req.resume();
    arrived();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
