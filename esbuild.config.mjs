// Bundles the CLI into CommonJS files in dist/cli/ (Node starts CommonJS faster than ES modules, and
// a CommonJS bundle never starts Node's ES module loader):
// - pd-auth.cjs, what bin/pd-auth.cjs loads (src/main.ts): the fast paths (`token`, `status
//   --offline`, `--help`), else full.cjs, through the code cache loader (src/code-cache.ts);
// - full.cjs, the whole CLI (commander and every command), loaded when that path does not apply;
// - vendor/*.cjs, one bundle per heavy dependency, required only by the commands that use it;
// - *.cjs.cache, V8's code caches (src/code-cache.ts), and root-help.txt, the help the fast
//   `pd-auth --help` path prints (src/fast/help.ts), both made by running the built CLI.
// tsc still builds dist/ for the library API, its type declarations, the demo and the emulator.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
const codeCacheSource = resolve('src/code-cache.ts');

/**
 * `import('conf')` and the like become a require() of the vendored bundle (through a one-line
 * CommonJS module, so no ES module loader starts). `open` is not bundled, as it ships a script it
 * runs from its own folder: vendor/open.cjs imports it. That import() sits in a file Node loads
 * itself because full.cjs is compiled through node:vm (src/code-cache.ts), where import() has no
 * loader to call.
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
      if (args.path === 'open') return { path: 'open', namespace: 'vendor-open' };
      // main.ts loads the full CLI lazily: keep it out of the start-up file.
      if (/(\/cli-entry\.js|\/full\.cjs)$/.test(args.path)) return { path: './full.cjs', external: true };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require('${args.path}');`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'vendor-open' }, () => ({
      contents: "module.exports = require('./vendor/open.cjs');",
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      // Through the code cache loader, like the CLI's own bundles (their __dirname is dist/cli).
      contents: [
        `const { requireBundle } = require(${JSON.stringify(codeCacheSource)});`,
        `module.exports = requireBundle(__dirname + '/vendor/${vendorFile(args.path)}');`,
      ].join('\n'),
      loader: 'js',
      resolveDir: process.cwd(),
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
        ? { path: 'node:child_process', namespace: 'lazy' }
        : undefined,
    );
    // conf imports node:crypto (for encryptionKey) and semver (for migrations) at load time; pd-auth
    // uses neither, and loading them costs milliseconds of a login.
    b.onResolve({ filter: /^(node:)?crypto$|^semver$/ }, (args) =>
      args.importer.includes('node_modules/conf/')
        ? { path: args.path.startsWith('semver') ? 'semver' : 'node:crypto', namespace: 'lazy' }
        : undefined,
    );
    // proper-lockfile uses graceful-fs, which patches the whole fs module at load time (and loads fs
    // streams) to queue opens on EMFILE; the lock only makes, stats and removes one directory.
    b.onResolve({ filter: /^graceful-fs$/ }, (args) =>
      args.importer.includes('node_modules/proper-lockfile/')
        ? { path: 'node:fs', external: true }
        : undefined,
    );
    b.onResolve({ filter: /^ajv(\/dist\/2020\.js)?$|^ajv-formats$/ }, (args) =>
      args.importer.includes('node_modules/conf') ? { path: 'ajv', namespace: 'shim' } : undefined,
    );
    // A module loaded on first use of one of its properties (esbuild runs a bundled CommonJS
    // module's code only when it is first required).
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => require(${JSON.stringify(args.path)})[key] });`,
      loader: 'js',
      resolveDir: resolve('node_modules/conf'),
    }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      contents:
        "class Ajv2020 { constructor() { throw new Error('pd-auth passes conf no schema'); } }\nmodule.exports = { Ajv2020, default: () => {} };",
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

// The bundles loaded with a code cache (by bin/pd-auth.cjs: pd-auth.cjs; by src/code-cache.ts: the
// others) end with their build id: a cache is used only with the build it was made from.
// Not undici (used only behind a proxy) nor the prompts (a person is typing): their caches would
// add half a megabyte to the package for no start-up that counts.
const cachedVendors = ['conf', 'proper-lockfile', 'chalk'];
for (const file of [
  'dist/cli/pd-auth.cjs',
  'dist/cli/full.cjs',
  ...cachedVendors.map((n) => `dist/cli/vendor/${vendorFile(n)}`),
]) {
  const text = readFileSync(file, 'utf8');
  const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
  writeFileSync(file, `${text.endsWith('\n') ? text : `${text}\n`}// build ${id}\n`);
}

// open is an ES module (so imported, not required) and a function (so the module is one too, with
// `default` for the way esbuild hands a CommonJS module to import()).
writeFileSync(
  'dist/cli/vendor/open.cjs',
  [
    "'use strict';",
    "const open = (...args) => import('open').then((m) => m.default(...args));",
    'open.default = open;',
    'module.exports = open;',
    '',
  ].join('\n'),
);

// The V8 code caches for pd-auth.cjs (loaded by bin/pd-auth.cjs) and full.cjs (src/code-cache.ts), from a training run of the
// commands whose start-up counts. What those commands print is not wanted here.
const trained = spawnSync(process.execPath, ['dist/build/train-code-cache.js', 'dist/cli'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (trained.status !== 0) throw new Error(`the code cache training exited with ${trained.status}`);

// The root help as commander prints it when stdout is not a terminal (80 columns), for the fast
// `pd-auth --help` path (src/fast/help.ts): from the full CLI, as root-help.txt does not exist yet.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('PD_AUTH_') && !k.startsWith('PIPEDRIVE_')),
);
const help = spawnSync(process.execPath, ['bin/pd-auth.cjs', '--help'], { env, encoding: 'utf8' });
if (help.status !== 0 || !help.stdout.startsWith('Usage: pd-auth')) {
  throw new Error(`pd-auth --help exited with ${help.status}: ${help.stderr}`);
}
writeFileSync('dist/cli/root-help.txt', help.stdout);
