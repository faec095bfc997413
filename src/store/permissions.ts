import { chmodSync, mkdirSync, statSync } from 'node:fs';

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
const groupOrOthers = (mode: number) => (mode & 0o077) !== 0;

/**
 * The directory and the file hold credentials: 0700 and 0600. Modes found wider (a directory made
 * by hand, a file copied over) are tightened, and the user is told.
 */
export function ensurePrivate(dir: string, file: string, warn: (message: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  for (const [path, want] of [
    [dir, 0o700],
    [file, 0o600],
  ] as const) {
    const st = statSync(path, { throwIfNoEntry: false });
    // No store file yet (it is created 0600), or something else where it belongs (the read reports that).
    if (!st || (path === file && !st.isFile())) continue;
    if (groupOrOthers(st.mode)) {
      chmodSync(path, want);
      warn(
        `tightened the permissions of ${path} from ${octal(st.mode)} to ${octal(want)} (it holds credentials)`,
      );
    }
  }
}

/** Whether both are already as ensurePrivate would leave them, the file a regular one (so it exists). */
export function isPrivate(dir: string, file: string): boolean {
  if (process.platform === 'win32') return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  const d = statSync(dir, { throwIfNoEntry: false });
  const f = statSync(file, { throwIfNoEntry: false });
  return Boolean(d && f?.isFile() && !groupOrOthers(d.mode) && !groupOrOthers(f.mode));
}
