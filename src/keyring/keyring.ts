// Placeholder with the agreed interface; the real module comes from branch keyring-module.
import { PdAuthError } from '../errors.js';

export const keyringService = 'pd-auth';
export type KeyringOp =
  | { op: 'get'; account: string }
  | { op: 'set'; account: string; secret: string }
  | { op: 'delete'; account: string };
export type KeyringResult = string | null | boolean | undefined;
export type KeyringFailure = 'unavailable' | 'locked' | 'timeout' | 'failed';
export class KeyringError extends PdAuthError {
  constructor(
    message: string,
    readonly kind: KeyringFailure,
    readonly completed: number,
  ) {
    super(message);
  }
}
export interface KeyringOptions {
  timeoutMs: number;
  onSlow?: () => void;
  noticeAfterMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}
export interface Keyring {
  readonly backend: string;
  run(ops: KeyringOp[]): Promise<KeyringResult[]>;
}
export function createKeyring(_opts: KeyringOptions): Keyring {
  return { backend: 'Secret Service', run: async () => [] };
}
export function keyringTimeoutMs(interactive: boolean): number {
  return interactive ? 60_000 : 3_000;
}
