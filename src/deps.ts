import type { Env } from './env.js';
import { readEnv } from './env.js';
import { createKeyring, type Keyring, keyringTimeoutMs } from './keyring/keyring.js';
import { createHttpClient, type HttpClient, timeoutsFromSeconds } from './net/http-client.js';
import { defaultLockOptions } from './store/lock.js';
import { openProfileStore, type ProfileStore } from './store/profile-store.js';
import { type BrowserOpener, createBrowserOpener } from './ui/browser.js';
import { type IO, processIO, readFirstLine } from './ui/io.js';
import { createLogger, type Logger } from './ui/logger.js';
import { createInquirerPrompter, type Prompter } from './ui/prompter.js';

/** Everything with a side effect, injected (design.md "The Deps seam"). */
export interface Deps {
  io: IO;
  prompter: Prompter;
  http: HttpClient;
  store: ProfileStore;
  /** The OS keyring, each call bounded (src/keyring); the store uses the same one. */
  keyring: Keyring;
  openBrowser: BrowserOpener;
  now(): number;
  env: Env;
  log: Logger;
  /** Aborted on Ctrl+C: long waits (the callback, prompts, requests) listen to it. */
  signal: AbortSignal;
  /** Warnings for people, on stderr. */
  warn(message: string): void;
  readStdinLine(): Promise<string>;
  /** Route SIGINT/SIGTERM/SIGHUP to `handler` instead of cancelling (exec forwards them); returns undo. */
  trapSignals(handler: (signal: NodeJS.Signals) => void): () => void;
  /** The environment a child process starts from (exec). */
  childEnv: NodeJS.ProcessEnv;
}

export interface DepsOptions {
  verbose: () => boolean;
  signal: AbortSignal;
  trapSignals: Deps['trapSignals'];
}

function httpTimeouts(env: Env, warn: (m: string) => void) {
  if (env.httpTimeoutSeconds === 'invalid') {
    warn('PD_AUTH_HTTP_TIMEOUT should be a number of seconds above 0, at most 3600; using the default (30)');
    return timeoutsFromSeconds(undefined);
  }
  return timeoutsFromSeconds(env.httpTimeoutSeconds);
}

/** The only place that picks real implementations. Nothing here does I/O until it is used. */
export function createDeps(opts: DepsOptions): Deps {
  const env = readEnv(process.env);
  const io = processIO(env.ci);
  const warn = (message: string) => io.stderr.write(`warning: ${message}\n`);
  const log = createLogger(io.stderr, () => env.debug || opts.verbose());
  const keyring = createKeyring({
    timeoutMs: keyringTimeoutMs(io.isInteractive),
    onSlow: () => warn('waiting for the OS keyring: unlock it if it asks (Ctrl+C to stop)'),
    signal: opts.signal,
  });
  return {
    io,
    prompter: createInquirerPrompter(io),
    http: createHttpClient(httpTimeouts(env, warn)),
    store: openProfileStore(env.configDir, defaultLockOptions, warn, keyring),
    keyring,
    openBrowser: createBrowserOpener(env, warn),
    now: () => Date.now(),
    env,
    log,
    signal: opts.signal,
    warn,
    readStdinLine: () => readFirstLine(io.stdin),
    trapSignals: opts.trapSignals,
    childEnv: process.env,
  };
}
