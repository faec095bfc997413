import { createServer } from 'node:net';

const canListen = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(host === '::1' && e.code === 'EADDRNOTAVAIL'));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });

/**
 * A port that was free a moment ago on 127.0.0.1 and ::1, for callback URLs that need a fixed port.
 * Picked below Linux's ephemeral range (32768+), so an outgoing connection made meanwhile cannot take it.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen('127.0.0.1', port)) && (await canListen('::1', port))) return port;
  }
  throw new Error('no free port found');
}
