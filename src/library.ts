import { PassThrough, Readable } from 'node:stream';
import type { Deps } from './deps.js';
import { readEnv } from './env.js';
import { UsageError } from './errors.js';
import { createKeyring, keyringTimeoutMs } from './keyring/keyring.js';
import type { LibraryOptions } from './library-options.js';
import { createHttpClient, timeoutsFromSeconds } from './net/http-client.js';
import { defaultLockOptions } from './store/lock.js';
import { openProfileStore } from './store/profile-store.js';
import { createLogger } from './ui/logger.js';

const noPrompt = () => Promise.reject(new UsageError('pd-auth cannot prompt from the library API'));

/** Deps for library callers: no prompts, no browser, no output, never touches process signals. */
export function libraryDeps(opts: LibraryOptions): Deps {
  const env = readEnv({ ...process.env, ...(opts.configDir ? { PD_AUTH_CONFIG_DIR: opts.configDir } : {}) });
  const keyring = createKeyring({ timeoutMs: keyringTimeoutMs(false) });
  const sink = new PassThrough();
  sink.resume();
  return {
    io: {
      stdin: Readable.from([]),
      stdout: sink,
      stderr: sink,
      isInteractive: false,
      stderrIsTTY: false,
      stdoutIsTTY: false,
      inheritable: false,
    },
    prompter: { input: noPrompt, password: noPrompt, confirm: noPrompt },
    http: createHttpClient(
      timeoutsFromSeconds(env.httpTimeoutSeconds === 'invalid' ? undefined : env.httpTimeoutSeconds),
    ),
    store: openProfileStore(env.configDir, defaultLockOptions, () => {}, keyring),
    keyring,
    openBrowser: async () => {},
    now: () => Date.now(),
    env,
    log: createLogger(sink, () => false),
    signal: new AbortController().signal,
    warn: () => {},
    readStdinLine: noPrompt,
    trapSignals: () => () => {},
    childEnv: process.env,
  };
}
