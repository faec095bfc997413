import { writeSync } from 'node:fs';
import { ExitCode } from './errors.js';
import { fastToken } from './fast-token.js';

/**
 * The fast path's output, written straight to fd 1: setting up process.stdout costs more than the
 * rest of that command. A non-blocking pipe that is full (EAGAIN) gets the stream after all.
 */
async function print(text: string): Promise<void> {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(1, buf, off);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    await new Promise<void>((resolve) => process.stdout.write(buf.subarray(off), () => resolve()));
  }
}

/**
 * The process glue that bin/pd-auth.cjs runs: `pd-auth token` with a valid stored token answers
 * without loading commander (src/fast-token.ts); everything else runs the full CLI with signals in
 * and the exit code out.
 */
export async function run(argv: string[]): Promise<number> {
  const fast = fastToken(argv, process.env);
  if (fast !== undefined) {
    await print(fast);
    return ExitCode.ok;
  }
  const [{ main }, { createDeps }] = await Promise.all([import('./cli.js'), import('./deps.js')]);
  const controller = new AbortController();
  let firstSignalAt = 0;
  let delegate: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (delegate) return delegate(signal);
    const now = Date.now();
    if (!controller.signal.aborted) {
      firstSignalAt = now;
      controller.abort();
      return;
    }
    // A second Ctrl+C while cleaning up means "now". conf's atomic writer (when-exit) re-raises the
    // first signal at once after its own clean-up, so only a repeat that comes later counts.
    if (now - firstSignalAt > 500) process.exit(ExitCode.interrupted);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  let verbose = false;
  const deps = createDeps({
    verbose: () => verbose,
    signal: controller.signal,
    trapSignals: (handler) => {
      delegate = handler;
      return () => {
        delegate = undefined;
      };
    },
  });
  // The handlers stay until the process exits: the signal when-exit re-raises may arrive after main
  // has returned 130, and without a handler it would kill the process instead.
  return main(argv, deps, { onVerbose: (v) => (verbose = v) });
}
