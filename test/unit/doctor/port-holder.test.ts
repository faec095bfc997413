import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHolders, listeningInodes, portHolders } from '../../../src/doctor/port-holder.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const header =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, st: string, inode: string) =>
  `   0: ${local} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('who holds a port (Linux /proc)', () => {
  const temps: Array<{ remove(): void }> = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const t of temps.splice(0)) t.remove();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  /** A /proc of one process (pid 4242, "busy-server") holding socket inode 777 on port 8484 (0x2124). */
  function fakeProc(): string {
    const t = makeTempDir();
    temps.push(t);
    mkdirSync(join(t.path, 'net'));
    writeFileSync(
      join(t.path, 'net', 'tcp'),
      header + row('0100007F:2124', '0A', '777') + row('0100007F:2124', '01', '778'),
    );
    writeFileSync(
      join(t.path, 'net', 'tcp6'),
      header + row('00000000000000000000000001000000:2124', '0A', '779'),
    );
    mkdirSync(join(t.path, '4242', 'fd'), { recursive: true });
    writeFileSync(join(t.path, '4242', 'comm'), 'busy-server\n');
    symlinkSync('socket:[777]', join(t.path, '4242', 'fd', '3'));
    mkdirSync(join(t.path, '4243', 'fd'), { recursive: true });
    symlinkSync('/dev/null', join(t.path, '4243', 'fd', '0'));
    return t.path;
  }

  it('finds the LISTEN entries of the port in tcp and tcp6, not the connected ones', () => {
    expect([...listeningInodes(8484, fakeProc())].sort()).toEqual(['777', '779']);
  });

  it('follows the inode to the process that holds it, with its command name', () => {
    expect(portHolders(8484, fakeProc())).toEqual([{ pid: 4242, command: 'busy-server' }]);
  });

  it('finds nothing for a port nobody listens on', () => {
    expect(portHolders(8485, fakeProc())).toEqual([]);
  });

  it('says "another program" when the system cannot tell', () => {
    expect(describeHolders([])).toBe('held by another program');
    expect(describeHolders([{ pid: 7, command: 'nginx' }])).toBe('held by nginx (pid 7)');
  });

  it.skipIf(process.platform !== 'linux')('finds this very process listening on 127.0.0.1', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };

    expect(portHolders(port).map((h) => h.pid)).toContain(process.pid);
  });
});
