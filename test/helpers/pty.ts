import { type IPty, spawn } from 'node-pty';
import { cliPath } from './cli.js';

export interface PtyExit {
  exitCode: number;
  signal: number | undefined;
}

export interface PtyCli {
  pty: IPty;
  /** Everything the terminal received so far, escape sequences included. */
  output(): string;
  /** The same without ANSI escape sequences: roughly what a person saw. */
  screen(): string;
  /** Types into the terminal (use '\r' for Enter and '\x03' for Ctrl+C). */
  type(text: string): void;
  /** Resolves once the screen shows the text; polls, and fails on timeout or exit. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<PtyExit>;
  /** Kills the process if it still runs; safe to call twice. */
  stop(): void;
}

// CSI (colours, cursor moves, erase), OSC (titles) and the two-byte escapes inquirer emits.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are control characters
const ansi = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
export const stripAnsi = (s: string) => s.replace(ansi, '');

/** Runs the built CLI in a real pseudo-terminal (120x30 unless told), so stdin and stderr are TTYs. */
export function spawnCliPty(
  args: string[],
  env: NodeJS.ProcessEnv,
  size: { cols?: number; rows?: number } = {},
): PtyCli {
  const pty = spawn(process.execPath, [cliPath, ...args], {
    name: 'xterm-256color',
    cols: size.cols ?? 120,
    rows: size.rows ?? 30,
    env: env as Record<string, string>,
  });
  let out = '';
  let done = false;
  pty.onData((d) => {
    out += d;
  });
  const exited = new Promise<PtyExit>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      done = true;
      resolve({ exitCode, signal });
    });
  });
  const has = (text: string | RegExp) => {
    const s = stripAnsi(out);
    return typeof text === 'string' ? s.includes(text) : text.test(s);
  };
  const waitFor = async (text: string | RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!has(text)) {
      if (done) {
        // The last bytes may come after onExit; give them a moment before failing.
        await new Promise((r) => setTimeout(r, 100));
        if (has(text)) return;
        throw new Error(`process exited before showing ${text}; screen:\n${stripAnsi(out)}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; screen:\n${stripAnsi(out)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    pty,
    output: () => out,
    screen: () => stripAnsi(out),
    type: (text) => pty.write(text),
    waitFor,
    exited,
    stop: () => {
      if (!done) pty.kill('SIGKILL');
    },
  };
}
