import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCallback } from '../../../src/doctor/callback-check.js';
import { freePort } from '../../helpers/ports.js';

describe('the callback URL check', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('is ok for a loopback URL whose port is free on both families, and asks to register it', async () => {
    const port = await freePort();

    const c = await checkCallback(`http://localhost:${port}/callback`, 'linux');

    expect(c.outcome.result).toBe('ok');
    expect(c.outcome.reason).toMatch(
      new RegExp(`port ${port} is free on 127\\.0\\.0\\.1( and ::1)? \\(register exactly this URL`),
    );
    expect(c.target?.listen?.port).toBe(port);
  });

  it('uses the default callback URL when the profile has none', async () => {
    const c = await checkCallback(undefined, 'linux');

    expect(c.target?.uri).toBe('http://localhost:8484/callback');
  });

  it('fails on a port in use on 127.0.0.1, naming the holder (this process on Linux) and what to do', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };

    const c = await checkCallback(`http://localhost:${port}/callback`, process.platform);

    expect(c.outcome.result).toBe('failure');
    expect(c.outcome.reason).toContain(`port ${port} is in use on 127.0.0.1 (held by `);
    if (process.platform === 'linux') expect(c.outcome.reason).toContain(`pid ${process.pid})`);
    expect(c.outcome.fix).toBe(
      `stop that program (lsof -i :${port}), or register another callback URL in Developer Hub and log in with --redirect-uri http://localhost:PORT/callback`,
    );
  });

  it('warns that a non-loopback URL can only be used with --no-browser', async () => {
    const c = await checkCallback('https://app.example.com/oauth/callback', 'linux');

    expect(c.outcome.result).toBe('warning');
    expect(c.outcome.fix).toContain('--no-browser');
  });

  it('fails on a stored URL that is not one', async () => {
    const c = await checkCallback('not a url', 'linux');

    expect(c.outcome.result).toBe('failure');
    expect(c.target).toBeUndefined();
  });
});
