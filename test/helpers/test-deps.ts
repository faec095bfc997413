import { PassThrough, Readable } from 'node:stream';
import { browse } from '../../src/demo/scripted-browser.js';
import type { Deps } from '../../src/deps.js';
import { type Env, readEnv } from '../../src/env.js';
import { createKeyring, keyringTimeoutMs } from '../../src/keyring/keyring.js';
import { createHttpClient, defaultTimeouts } from '../../src/net/http-client.js';
import { openProfileStore } from '../../src/store/profile-store.js';
import { createLogger } from '../../src/ui/logger.js';
import type { Prompter, PromptOptions } from '../../src/ui/prompter.js';

export interface ScriptedPrompter extends Prompter {
  /** The messages asked, in order. */
  asked: string[];
}

/** Answers prompts from a queue; an unexpected prompt fails the test. */
export function scriptedPrompter(answers: string[]): ScriptedPrompter {
  const queue = [...answers];
  const asked: string[] = [];
  const next = async (message: string, opts?: PromptOptions) => {
    asked.push(message);
    const answer = queue.shift();
    if (answer === undefined) throw new Error(`unexpected prompt: ${message}`);
    const check = opts?.validate?.(answer);
    if (typeof check === 'string') throw new Error(`scripted answer rejected: ${check}`);
    return answer;
  };
  return {
    asked,
    input: next,
    password: next,
    confirm: async (message) => (await next(message)) === 'y',
  };
}

/** A browser that follows the authorize URL itself, pressing "Allow and install" (or "Cancel"). */
export function followingBrowser(decision: 'allow' | 'cancel' = 'allow') {
  const opened: string[] = [];
  return {
    opened,
    open: async (url: string) => {
      opened.push(url);
      // Like a real browser: opening returns at once, the page loads on its own.
      void browse(url, decision).catch(() => {});
    },
  };
}

export interface TestDepsOptions {
  configDir: string;
  env?: Partial<Env>;
  interactive?: boolean;
  answers?: string[];
  stdin?: string;
  now?: () => number;
  openBrowser?: (url: string) => Promise<void>;
  signal?: AbortSignal;
  /** The environment of the keyring's child process: a private Secret Service's (secret-service.ts). */
  keyringEnv?: NodeJS.ProcessEnv;
}

/** No session bus: the machine's own keyring is out of reach of every test that does not bring one. */
export function withoutSessionBus(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'DBUS_SESSION_BUS_ADDRESS'));
}

export interface TestDeps {
  deps: Deps;
  stdout(): string;
  stderr(): string;
  prompter: ScriptedPrompter;
  warnings: string[];
}

/** Deps with buffered streams, a scripted prompter, a temp store and the real HTTP client. */
export function makeTestDeps(opts: TestDepsOptions): TestDeps {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  err.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const env: Env = {
    ...readEnv({ PD_AUTH_CONFIG_DIR: opts.configDir, PD_AUTH_STORAGE: 'file' }, 'linux'),
    hasDisplay: false,
    ...opts.env,
  };
  const prompter = scriptedPrompter(opts.answers ?? []);
  const warnings: string[] = [];
  const keyring = createKeyring({
    timeoutMs: keyringTimeoutMs(false),
    env: opts.keyringEnv ?? withoutSessionBus(process.env),
  });
  const deps: Deps = {
    io: {
      stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
      stdout: out,
      stderr: err,
      isInteractive: opts.interactive ?? false,
      stderrIsTTY: false,
      stdoutIsTTY: false,
      inheritable: false,
    },
    prompter,
    http: createHttpClient(defaultTimeouts),
    store: openProfileStore(env.configDir, undefined, undefined, keyring),
    keyring,
    openBrowser: opts.openBrowser ?? (async () => {}),
    now: opts.now ?? (() => Date.now()),
    env,
    log: createLogger(err, () => env.debug),
    signal: opts.signal ?? new AbortController().signal,
    warn: (m) => {
      warnings.push(m);
      err.write(`warning: ${m}\n`);
    },
    trapSignals: () => () => {},
    childEnv: { PATH: process.env.PATH },
    readStdinLine: async () => {
      const { readFirstLine } = await import('../../src/ui/io.js');
      return readFirstLine(deps.io.stdin);
    },
  };
  return { deps, stdout: () => stdout, stderr: () => stderr, prompter, warnings };
}
