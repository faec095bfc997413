import { type ChildProcess, execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Linux process plumbing for harnesses that start daemons: find a harness's processes by an entry of
 * their environment (which D-Bus passes on to every service it activates), wait for a condition with a
 * deadline, and end processes for sure. Reads /proc: Linux only.
 */

/** Every live process other than this one whose initial environment holds `entry` (e.g. `HOME=/tmp/x`). */
export function pidsWithEnv(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry)) pids.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Whether `pid` is a process that has not exited (a zombie has exited). */
export function isRunning(pid: number): boolean {
  try {
    // The state follows "(comm)", and comm may itself hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The executable name of `pid` (`/proc/<pid>/comm`, at most 15 characters), or '' when it is gone. */
export function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return '';
  }
}

/**
 * Resolves once `check()` is true, polling every `everyMs`; rejects with "timed out after N ms
 * waiting for <what>" at the deadline, or with whatever `check()` throws (to give up early).
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * SIGTERM to each of `pids`, SIGKILL to those still running after `graceMs`, then waits up to 2 s
 * more. Returns the pids still running after all that (none, unless the kernel is stuck).
 */
export async function endProcesses(pids: number[], graceMs = 2000): Promise<number[]> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids.filter(isRunning)) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  };
  const allGone = () => !pids.some(isRunning);
  signal('SIGTERM');
  try {
    await waitFor('processes to exit on SIGTERM', allGone, graceMs);
  } catch {
    signal('SIGKILL');
    await waitFor('processes to exit on SIGKILL', allGone, 2000).catch(() => {});
  }
  return pids.filter(isRunning);
}

/** The last `max` characters a stream wrote, to quote in an error. */
export function tail(stream: NodeJS.ReadableStream | null, max = 2000): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-max);
  });
  return () => text.trim();
}

/** Runs a command to completion within `timeoutMs`; rejects with its stderr and exit status otherwise. */
export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const how = err.killed ? `was killed after ${timeoutMs} ms` : `failed (${err.code ?? err.signal})`;
      reject(new Error(`${command} ${args.join(' ')} ${how}: ${stderr.trim() || err.message}`));
    });
  });
}

/** Whether `tool` is an executable file in a directory of PATH. */
export function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The first line `child` prints on stdout; rejects when it exits, fails or says nothing in time. */
export function firstLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  const stderr = tail(child.stderr);
  return new Promise((resolve, reject) => {
    let out = '';
    const done = (err: Error | null, line = '') => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', done);
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) done(null, out.slice(0, end).trim());
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`${what} exited (${code ?? signal}) before printing a line: ${stderr()}`));
    const timer = setTimeout(() => done(new Error(`${what} printed nothing in ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', done);
  });
}
