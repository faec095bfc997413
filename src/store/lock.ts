import { PdAuthError } from '../errors.js';

export interface LockOptions {
  /** A lock whose holder stopped touching it this long ago is taken over (a crashed process). */
  staleMs: number;
  /** How long to keep trying before giving up. */
  waitMs: number;
}

export const defaultLockOptions: LockOptions = { staleMs: 5_000, waitMs: 30_000 };

/**
 * Cross-process mutual exclusion with proper-lockfile (the library Salesforce's CLI uses for the
 * same job): an atomic mkdir of `<store>.lock`, its mtime refreshed while held, and taken over once
 * stale, so a lock left by a killed process blocks others for about `staleMs` only.
 */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  opts: LockOptions = defaultLockOptions,
  warn: (message: string) => void = () => {},
): Promise<T> {
  const { lock } = await import('proper-lockfile');
  const lockfilePath = `${file}.lock`;
  let release: () => Promise<void>;
  try {
    release = await lock(file, {
      realpath: false,
      lockfilePath,
      stale: opts.staleMs,
      update: Math.max(1_000, Math.floor(opts.staleMs / 3)),
      // Enough tries, each at most 200 ms apart, to cover waitMs (and so outlive a stale lock).
      retries: {
        retries: Math.ceil(opts.waitMs / 150),
        factor: 1.3,
        minTimeout: 20,
        maxTimeout: 200,
        randomize: true,
      },
      onCompromised: (err) =>
        warn(`the store lock ${lockfilePath} was taken over while held: ${err.message}`),
    });
  } catch (err) {
    throw new PdAuthError(`could not lock the pd-auth store (${lockfilePath}): ${(err as Error).message}`, {
      hint: 'another pd-auth may be stuck; if none is running, remove that directory',
      cause: err,
    });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}
