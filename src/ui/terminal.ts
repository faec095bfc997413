import { fstatSync, statSync } from 'node:fs';

/**
 * Whether `fd` is a terminal. Pipes, files, sockets and /dev/null are told apart by fstat, without
 * loading node:tty (which loads the whole stream and net machinery, issue 5); only another character
 * device asks node:tty. A closed descriptor is no terminal.
 */
export function isTerminal(fd: number): boolean {
  if (process.platform !== 'win32') {
    try {
      const st = fstatSync(fd);
      if (!st.isCharacterDevice()) return false;
      const devNull = statSync('/dev/null', { throwIfNoEntry: false });
      if (devNull?.isCharacterDevice() && devNull.rdev === st.rdev) return false;
    } catch {
      return false;
    }
  }
  // Node 21 and 22.0–22.2 have no process.getBuiltinModule; there, this runs in the CommonJS bundle.
  const tty = process.getBuiltinModule?.('node:tty') ?? (require('node:tty') as typeof import('node:tty'));
  return tty.isatty(fd);
}
