// Bundles the CLI into CommonJS files in dist/cli/ (Node starts CommonJS faster than ES modules, and
// a CommonJS bundle never starts Node's ES module loader):
// - pd-auth.cjs, what bin/pd-auth.js loads: the fast `pd-auth token` path and nothing more;
// - full.cjs, the whole CLI (commander and every command), loaded when that path does not apply;
// - vendor/*.cjs, one bundle per heavy dependency, required only by the commands that use it.
// tsc still builds dist/ for the library API, its type declarations, the demo and the emulator.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/cli', { recursive: true, force: true });
mkdirSync('dist/cli/vendor', { recursive: true });

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // PD_AUTH_NO_MINIFY=1 keeps names readable, for CPU profiles.
  minify: process.env.PD_AUTH_NO_MINIFY !== '1',
  legalComments: 'eof',
  logLevel: 'warning',
};

/** Loaded lazily; each becomes dist/cli/vendor/<name>.cjs. `open` stays as it is: it runs a script shipped beside it. */
const vendored = ['conf', 'undici', '@inquirer/prompts', 'proper-lockfile', 'chalk'];
const vendorFile = (name) => `${name.replace(/[@/]/g, '_')}.cjs`;

/**
 * `import('conf')` and the like become a require() of the vendored bundle (through a one-line
 * CommonJS module, so no ES module loader starts); `open` stays a real import(), as it ships a
 * script it runs from its own folder.
 */
const vendorExternals = {
  name: 'vendor-externals',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (vendored.includes(args.path)) return { path: args.path, namespace: 'vendor' };
      // Node built-ins imported lazily: require(), not import(), for the same reason.
      if (args.kind === 'dynamic-import' && args.path.startsWith('node:'))
        return { path: args.path, namespace: 'builtin' };
      if (args.path.startsWith('./vendor/')) return { path: args.path, external: true };
      if (args.path === 'open') return { path: 'open', external: true };
      // main.ts loads the full CLI lazily: keep it out of the start-up file.
      if (/(\/cli-entry\.js|\/full\.cjs)$/.test(args.path)) return { path: './full.cjs', external: true };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require('${args.path}');`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require('./vendor/${vendorFile(args.path)}');`,
      loader: 'js',
    }));
  },
};

/**
 * Shims: commander requires child_process at load time (for executable subcommands, which pd-auth
 * has none of), fetched on first use instead; conf imports the ajv schema validator at load time,
 * and pd-auth passes conf no schema, so it is never used and not bundled.
 */
const shims = {
  name: 'shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('node_modules/commander')
        ? { path: 'child_process', namespace: 'shim' }
        : undefined,
    );
    b.onResolve({ filter: /^ajv(\/dist\/2020\.js)?$|^ajv-formats$/ }, (args) =>
      args.importer.includes('node_modules/conf') ? { path: 'ajv', namespace: 'shim' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({
      contents:
        args.path === 'child_process'
          ? "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });"
          : "class Ajv2020 { constructor() { throw new Error('pd-auth passes conf no schema'); } }\nmodule.exports = { Ajv2020, default: () => {} };",
      loader: 'js',
    }));
  },
};

for (const name of vendored) {
  // conf is used through its default export: make it the module itself, as a CommonJS default.
  const entry = `dist/cli/vendor/${vendorFile(name)}.entry.${name === 'conf' ? 'cjs' : 'mjs'}`;
  writeFileSync(
    entry,
    name === 'conf' ? "module.exports = require('conf').default;\n" : `export * from '${name}';\n`,
  );
  await build({
    ...common,
    entryPoints: [entry],
    outfile: `dist/cli/vendor/${vendorFile(name)}`,
    plugins: [shims],
    external: ['node:sqlite'],
  });
  rmSync(entry);
}
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cli/pd-auth.cjs',
  plugins: [vendorExternals],
});
await build({
  ...common,
  entryPoints: ['src/cli-entry.ts'],
  outfile: 'dist/cli/full.cjs',
  plugins: [vendorExternals, shims],
});
