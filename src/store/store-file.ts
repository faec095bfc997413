import { readFileSync } from 'node:fs';
import { PdAuthError } from '../errors.js';
import { migrateStore } from './migrate.js';
import type { StoreData } from './profile.js';
import { SchemaError, validateStore } from './validate.js';

/** The store file's text as pd-auth's current version: migrated from an older layout, then checked. */
export function parseStore(text: string): StoreData {
  return validateStore(migrateStore(JSON.parse(text)));
}

/** What a user is told when the store cannot be read: never a piece of the file (it may be a secret). */
export function storeReadError(path: string, err: unknown): PdAuthError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const detail =
    err instanceof SchemaError
      ? err.message
      : err instanceof SyntaxError
        ? 'it is not valid JSON'
        : String((err as Error)?.message ?? err);
  return new PdAuthError(`cannot read the pd-auth store ${path}: ${detail}`, {
    hint:
      code === 'EACCES' || code === 'EPERM'
        ? "check the file's owner and mode: it should belong to you, with mode 0600"
        : 'repair the file or move it away (pd-auth leaves it as it is), then log in again',
    // Node's JSON error quotes a piece of the file, which may be part of a secret: not kept.
    cause: err instanceof SyntaxError ? new SyntaxError('the store is not valid JSON') : err,
  });
}

/**
 * The store read without conf, for the `token` fast path only: loading conf costs more than that
 * whole command (docs/performance.md). Undefined when anything is unusual; the full CLI then reads it
 * through conf and says what is wrong.
 */
export function readStoreFileQuietly(path: string): StoreData | undefined {
  try {
    return parseStore(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
