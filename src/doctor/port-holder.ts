import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface PortHolder {
  pid: number;
  /** /proc/<pid>/comm: the executable's name, at most 15 characters. */
  command: string;
}

const LISTEN = '0A';

/** The socket inodes listening on `port` in /proc/net/tcp and tcp6 (this network namespace). */
export function listeningInodes(port: number, procRoot = '/proc'): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(join(procRoot, table), 'latin1');
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      if (!local || f[3] !== LISTEN || !f[9] || f[9] === '0') continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(f[9]);
    }
  }
  return inodes;
}

/**
 * Which processes hold a listening socket on `port`, found the way `ss -p` and `lsof` do on Linux:
 * the socket's inode from /proc/net/tcp{,6}, then the /proc/<pid>/fd link that points at it. Best
 * effort: another user's processes cannot be looked into (without root), and then it is empty.
 */
export function portHolders(port: number, procRoot = '/proc'): PortHolder[] {
  const inodes = listeningInodes(port, procRoot);
  if (inodes.size === 0) return [];
  const links = new Set([...inodes].map((i) => `socket:[${i}]`));
  const found: PortHolder[] = [];
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(join(procRoot, pid, 'fd'));
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return links.has(readlinkSync(join(procRoot, pid, 'fd', fd)));
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '';
    try {
      command = readFileSync(join(procRoot, pid, 'comm'), 'latin1').trim();
    } catch {}
    found.push({ pid: Number(pid), command });
  }
  return found;
}

/** "held by node (pid 4242)", or the plain words when the system cannot tell. */
export function describeHolders(holders: PortHolder[]): string {
  if (holders.length === 0) return 'held by another program';
  const one = (h: PortHolder) => (h.command ? `${h.command} (pid ${h.pid})` : `pid ${h.pid}`);
  return `held by ${holders.map(one).join(', ')}`;
}
