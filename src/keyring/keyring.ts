import type { KeyringOp, KeyringResult } from './keyring-op.js';
import { runBatch } from './run-batch.js';

export { KeyringError, type KeyringFailure } from './keyring-error.js';
export type { KeyringOp, KeyringResult } from './keyring-op.js';

/** The service name of every entry pd-auth keeps in the OS keyring; the account tells them apart. */
export const keyringService = 'pd-auth';

export interface KeyringOptions {
  /** The bound on one batch, child start-up included. */
  timeoutMs: number;
  /**
   * Called once when a batch is still running after noticeAfterMs (default 3000), e.g. to print
   * "waiting for the OS keyring, unlock it if it asks". Not called when timeoutMs <= noticeAfterMs.
   */
  onSlow?: () => void;
  noticeAfterMs?: number;
  /** Aborting kills the child at once; the batch rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /** The child's environment (default process.env): tests pass the harness's env. */
  env?: NodeJS.ProcessEnv;
}

export interface Keyring {
  /** Human name of the platform store: 'Secret Service' (Linux), 'macOS Keychain', 'Windows Credential Manager'. */
  readonly backend: string;
  /**
   * Runs the ops in order, in ONE child process (one start-up cost per batch); service is
   * keyringService. Rejects with KeyringError at the first failing op.
   */
  run(ops: KeyringOp[]): Promise<KeyringResult[]>;
}

/** The store @napi-rs/keyring uses on `platform`: the Secret Service everywhere but macOS and Windows. */
export function keyringBackend(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/**
 * The OS keyring, each batch in a child process of its own. A keyring call can block for as long
 * as an unlock prompt stays open (GNOME Keyring: 25 s when no prompt can come up; a desktop
 * prompt: until someone answers it), and nothing inside a Node process ends that wait, not even
 * process.exit(). A child can be killed; its start-up (about one `node -e 0`) is the price.
 */
export function createKeyring(opts: KeyringOptions): Keyring {
  const backend = keyringBackend();
  return {
    backend,
    run: (ops) =>
      runBatch(ops, {
        backend,
        service: keyringService,
        timeoutMs: opts.timeoutMs,
        noticeAfterMs: opts.noticeAfterMs ?? 3000,
        onSlow: opts.onSlow,
        signal: opts.signal,
        env: opts.env ?? process.env,
      }),
  };
}

/**
 * 3 s when nobody can answer an unlock prompt (gh's bound); 60 s when a person at a terminal may
 * be typing the keyring password.
 */
export function keyringTimeoutMs(interactive: boolean): number {
  return interactive ? 60_000 : 3000;
}
