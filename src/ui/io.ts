import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';

export interface IO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Both stdin and stderr are terminals and CI is not set: prompts are allowed. */
  isInteractive: boolean;
  /** stderr is a terminal: spinners and colour are fine there. */
  stderrIsTTY: boolean;
  /** stdout is a terminal: `api` pretty-prints JSON there. */
  stdoutIsTTY: boolean;
  /** The streams are the process's own, so a child process can inherit them (`exec`). */
  inheritable: boolean;
}

/**
 * The process's own streams, created only when used: touching process.stdin opens a handle and loads
 * stream machinery, which `pd-auth token` never needs. TTY checks ask the file descriptors.
 */
export function processIO(ci: boolean): IO {
  const stderrIsTTY = isatty(2);
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    isInteractive: isatty(0) && stderrIsTTY && !ci,
    stderrIsTTY,
    stdoutIsTTY: isatty(1),
    inheritable: true,
  };
}

/** Reads stdin to its end (or its first line) for `--client-secret-stdin`; never echoes. */
export async function readFirstLine(stdin: Readable, maxBytes = 64 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > maxBytes) break;
  }
  return text.slice(0, maxBytes);
}
