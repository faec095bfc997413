import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (and ::1): for callback URLs that need a fixed port. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port: 0 }, () => {
        const { port: p } = s.address() as { port: number };
        s.close(() => resolve(p));
      });
    });
    // The callback server binds ::1 too for `localhost`; make sure that family is free as well.
    const v6Free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code !== 'EADDRINUSE'));
      s.listen({ host: '::1', port }, () => s.close(() => resolve(true)));
    });
    if (v6Free) return port;
  }
  throw new Error('no free port found');
}
