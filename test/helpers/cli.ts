import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../bin/pd-auth.cjs', import.meta.url));
/**
 * BROWSER value for a scripted browser that presses "Allow and install" (or "Cancel" with --cancel).
 * The paths are quoted, as pd-auth splits BROWSER into words: the checkout's path may hold a space.
 */
export const scriptedBrowser = (cancel = false) =>
  `"${process.execPath}" "${fileURLToPath(new URL('../../dist/demo/scripted-browser.js', import.meta.url))}"${cancel ? ' --cancel' : ''}`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user who has set nothing: no PIPEDRIVE_*, PD_AUTH_*, BROWSER or CI from
 * the machine running the tests leaks in. `extra` adds what the test wants.
 *
 * The secrets go to the store file (PD_AUTH_STORAGE=file) and there is no session bus: no test
 * may read, change or leave an entry in the keyring of the machine's user. The keyring tests
 * bring a private Secret Service (secret-service.ts) and override both.
 */
export function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PD_AUTH_STORAGE: 'file' };
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PIPEDRIVE_|PD_AUTH_|BROWSER$|CI$|SSH_CONNECTION$|DISPLAY$|WAYLAND_DISPLAY$)/.test(k)) continue;
    if (k === 'DBUS_SESSION_BUS_ADDRESS') continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) contains the text. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts the built CLI as a real process (the build comes from `npm test`). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input?: string): SpawnedCli {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of waiters) w();
  });
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  const waitFor = (text: string | RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const has = () => (typeof text === 'string' ? (out + err).includes(text) : text.test(out + err));
      if (has()) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${text}; stderr so far:\n${err}`)),
        timeoutMs,
      );
      waiters.push(() => {
        if (has()) {
          clearTimeout(timer);
          resolve();
        }
      });
      void done.then(() => {
        if (!has()) {
          clearTimeout(timer);
          reject(new Error(`process ended before ${text}; stderr:\n${err}`));
        }
      });
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, done };
}

/** Runs the built CLI to the end; kills it after `timeoutMs` so a hang fails instead of blocking. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  timeoutMs = 20_000,
): Promise<CliResult> {
  const run = spawnCli(args, env, input);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}
