import type { Readable, Writable } from 'node:stream';

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

export function processIO(ci: boolean): IO {
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isInteractive: Boolean(process.stdin.isTTY) && stderrIsTTY && !ci,
    stderrIsTTY,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
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
