import { ExitCode } from './errors.js';
import { fastToken } from './fast-token.js';

/** The process glue for bin/pd-auth.js: signals in, exit code out. No other logic. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<number> {
  const fast = await fastToken(argv, process.env);
  if (fast !== undefined) return fast;
  // In the CommonJS bundle (dist/cli), require() loads the full CLI without starting Node's ES module
  // loader; elsewhere (tsc's ES module build) it is an ordinary import.
  const { main, createDeps }: typeof import('./cli-entry.js') =
    typeof require === 'function' ? require('./full.cjs') : await import('./cli-entry.js');
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
