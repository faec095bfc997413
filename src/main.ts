import { ExitCode } from './errors.js';
import { fastPath } from './fast/index.js';

/** Where bin/pd-auth.cjs leaves its record of loading this bundle (see src/code-cache.ts). */
const startKey = Symbol.for('pd-auth.start-bundle');

/**
 * The process glue (dist/cli/pd-auth.cjs, which bin/pd-auth.cjs loads): a fast path when one applies
 * (src/fast/), else the full CLI with signals in and the exit code out.
 */
export async function run(argv: string[] = process.argv.slice(2)): Promise<number> {
  // In the CommonJS bundle (dist/cli), __dirname is that folder; tsc's ES module build has none.
  const here = typeof __dirname === 'string' ? __dirname : undefined;
  const fast = await fastPath(argv, process.env, { rootHelp: here && `${here}/root-help.txt` });
  if (fast !== undefined) {
    // Rarely (a Node whose V8 refused the build's cache) the start-up bundle's cache is to be rewritten.
    const start = (globalThis as { [key: symbol]: { state?: string } | undefined })[startKey];
    if (start?.state === 'missing' || start?.state === 'refused') {
      (await import('./code-cache.js')).adoptStartBundle();
    }
    return fast;
  }
  // In the CommonJS bundle (dist/cli), the full CLI is a bundle of its own, loaded with its code cache
  // (by a loader that is itself loaded only now) and without starting Node's ES module loader;
  // elsewhere (tsc's ES module build) an ordinary import.
  const { main, createDeps } =
    typeof require === 'function'
      ? await import('./code-cache.js').then((cache) => {
          cache.adoptStartBundle();
          return cache.requireBundle(`${here}/full.cjs`) as typeof import('./cli-entry.js');
        })
      : await import('./cli-entry.js');
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
