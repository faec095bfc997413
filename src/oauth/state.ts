import { closeSync, openSync, readSync } from 'node:fs';

/** 256 random bits, URL-safe: well over the 128 bits the callback check needs. */
export async function newState(): Promise<string> {
  return (await randomBytes(32)).toString('base64url');
}

/**
 * Random bytes from the kernel's generator (/dev/urandom, which node:crypto's generator is seeded
 * from too), read directly: loading node:crypto costs a few milliseconds that `login` would spend
 * before the browser can open (issue 5). Where there is no such device (Windows), node:crypto.
 */
async function randomBytes(n: number): Promise<Buffer> {
  if (process.platform !== 'win32') {
    try {
      const fd = openSync('/dev/urandom', 'r');
      try {
        const buf = Buffer.alloc(n);
        for (let off = 0; off < n; ) {
          const got = readSync(fd, buf, off, n - off, null);
          if (got <= 0) throw new Error('/dev/urandom gave no bytes');
          off += got;
        }
        return buf;
      } finally {
        closeSync(fd);
      }
    } catch {
      // No readable /dev/urandom (a bare chroot, say): node:crypto below.
    }
  }
  return (await import('node:crypto')).randomBytes(n);
}

/**
 * Compares in time that does not depend on where the strings differ: every character is looked at.
 * The length is no secret (a state is always 43 characters, and it travels in the authorize URL).
 */
export function stateMatches(expected: string, received: string | undefined | null): boolean {
  if (typeof received !== 'string' || received.length === 0 || received.length !== expected.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ received.charCodeAt(i);
  return diff === 0;
}
