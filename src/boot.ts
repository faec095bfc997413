import { requireBundle } from './code-cache.js';

/**
 * dist/cli/pd-auth.cjs, what bin/pd-auth.js loads: this, and the code cache loader, and nothing else.
 * The start-up code itself (src/main.ts, dist/cli/start.cjs) is loaded through the loader, so that
 * V8 finds it compiled already (issue 5).
 */
export function run(argv: string[] = process.argv.slice(2)): Promise<number> {
  const start = requireBundle(`${__dirname}/start.cjs`) as typeof import('./main.js');
  return start.run(argv);
}
