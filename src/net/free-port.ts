import { createServer } from 'node:net';

const canListen = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    // A machine without IPv6 cannot bind ::1: that family is then free enough.
    s.once('error', (e: NodeJS.ErrnoException) => resolve(host === '::1' && e.code === 'EADDRNOTAVAIL'));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });

/**
 * A port free on 127.0.0.1 and ::1 right now, for a callback URL on `localhost` (the login binds
 * both). Picked below Linux's ephemeral range (32768+), so an outgoing connection made meanwhile
 * cannot take it. For the demo, the bench and the tests; the login itself never picks a port.
 */
export async function freeLoopbackPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen('127.0.0.1', port)) && (await canListen('::1', port))) return port;
  }
  throw new Error('no free loopback port found');
}
