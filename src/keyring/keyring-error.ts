import { PdAuthError } from '../errors.js';

export type KeyringFailure = 'unavailable' | 'locked' | 'timeout' | 'failed';

/** A keyring batch that did not complete; the message names the backend and says why in plain words. */
export class KeyringError extends PdAuthError {
  readonly kind: KeyringFailure;
  /** How many ops of the batch completed before the failure (they took effect; later ones did not run). */
  readonly completed: number;

  constructor(kind: KeyringFailure, message: string, completed: number, cause?: unknown, hint?: string) {
    super(message, { cause, ...(hint === undefined ? {} : { hint }) });
    this.name = 'KeyringError';
    this.kind = kind;
    this.completed = completed;
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** The batch ran out of time: the store may be waiting for an unlock prompt nobody answers. */
export function timeoutError(backend: string, timeoutMs: number, completed: number): KeyringError {
  return new KeyringError(
    'timeout',
    `the OS keyring (${backend}) did not answer within ${seconds(timeoutMs)}`,
    completed,
  );
}

/** The helper process could not start, died, or answered something else than its protocol. */
export function childError(backend: string, what: string, completed: number, cause?: unknown): KeyringError {
  return new KeyringError('failed', `the OS keyring (${backend}) failed: ${what}`, completed, cause);
}

/**
 * Texts seen from @napi-rs/keyring 2.1.2 with GNOME Keyring (test/helpers/secret-service.ts); the
 * macOS ones are Security framework messages (SecCopyErrorMessageString), not observed here.
 */
const lockedTexts = [
  // GNOME Keyring locked and its prompter could not start (no display), or the user cancelled it.
  /unlock prompt was dismissed/,
  /IsLocked|object locked/,
  // A locked login keychain over SSH, where no dialog can be shown.
  /User interaction is not allowed/,
  /User canceled the operation/,
];

/** What makes the store unreachable, and how to say it; the first match wins. */
const unreachableTexts: Array<[RegExp, (detail: string) => string]> = [
  // zbus with DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus.
  [/set your DBUS_SESSION_BUS_ADDRESS/, () => 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)'],
  [
    /Failed to connect to socket|Address does not contain a colon|Invalid address/,
    (d) => `no D-Bus session bus answers at DBUS_SESSION_BUS_ADDRESS (${d})`,
  ],
  [
    /not provided by any \.service files|ServiceUnknown|Secret Service provider found/,
    () => 'no Secret Service provider (such as GNOME Keyring or KeePassXC) runs on the D-Bus session bus',
  ],
  [/AccessDenied/, (d) => `access was denied (${d})`],
  [/keychain could not be found|No keychain is available/, (d) => `no keychain (${d})`],
];

/** The library's message without its prefixes ("Platform failure: DBus error: ..."). */
const detailOf = (message: string) =>
  message.replace(/^(Platform failure|Couldn't access platform storage): /, '').replace(/^DBus error: /, '');

/** A KeyringError for an op that @napi-rs/keyring failed with `message`; the raw message is the cause. */
export function libraryError(backend: string, message: string, completed: number): KeyringError {
  const cause = new Error(message);
  const store = `the OS keyring (${backend})`;
  if (lockedTexts.some((re) => re.test(message))) {
    return new KeyringError(
      'locked',
      `${store} is locked, and no unlock prompt could be shown (or it was dismissed)`,
      completed,
      cause,
    );
  }
  const unreachable = unreachableTexts.find(([re]) => re.test(message));
  if (unreachable) {
    const reason = unreachable[1](detailOf(message));
    return new KeyringError('unavailable', `${store} is not reachable: ${reason}`, completed, cause);
  }
  return new KeyringError('failed', `${store} failed: ${message}`, completed, cause);
}

/** The addon could not be found or loaded (an unsupported platform, a broken install). */
export function addonError(backend: string, message: string): KeyringError {
  return new KeyringError(
    'unavailable',
    `the OS keyring (${backend}) is not reachable: its native addon (@napi-rs/keyring) could not be loaded`,
    0,
    new Error(message),
  );
}
