// Bundles the CLI into two CommonJS files in dist/cli/ (Node starts CommonJS faster than an ES module):
// - pd-auth.cjs, what bin/pd-auth.js loads: the fast `pd-auth token` path and nothing more;
// - full.cjs, the whole CLI (commander and every command), loaded when that path does not apply.
// The heavy dependencies (prompts, the HTTP client, conf, open, the lock library, chalk) stay in
// node_modules and load through import() only in the commands that use them. tsc still builds dist/
// for the library API, its type declarations, the demo and the emulator.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/cli', { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  external: ['conf', 'undici', '@inquirer/prompts', 'open', 'proper-lockfile', 'chalk'],
  logLevel: 'warning',
};

/** main.ts imports the full CLI lazily: keep it out of the start-up file. */
const fullCliExternal = {
  name: 'full-cli-external',
  setup(b) {
    b.onResolve({ filter: /(\/cli-entry\.js|\/full\.cjs)$/ }, () => ({ path: './full.cjs', external: true }));
  },
};

/**
 * commander requires child_process at load time, for subcommands run as executables, which pd-auth
 * has none of; loading it costs start-up time, so it is fetched on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('node_modules/commander')
        ? { path: 'lazy-child-process', namespace: 'pd-auth-shim' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'pd-auth-shim' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cli/pd-auth.cjs',
  plugins: [fullCliExternal],
});
await build({
  ...common,
  entryPoints: ['src/cli-entry.ts'],
  outfile: 'dist/cli/full.cjs',
  plugins: [lazyChildProcess],
});
