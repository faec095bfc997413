import { main } from './cli.js';
import { createDeps } from './deps.js';
import { ExitCode } from './errors.js';

/** The process glue for bin/pd-auth.js: signals in, exit code out. No other logic. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  let firstSignalAt = 0;
  const onSignal = () => {
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
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let verbose = false;
  const deps = createDeps({ verbose: () => verbose, signal: controller.signal });
  try {
    return await main(argv, deps, { onVerbose: (v) => (verbose = v) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
