import { main } from './cli.js';
import { createDeps } from './deps.js';
import { ExitCode } from './errors.js';

/** The process glue for bin/pd-auth.js: signals in, exit code out. No other logic. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<number> {
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
  try {
    return await main(argv, deps, { onVerbose: (v) => (verbose = v) });
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
