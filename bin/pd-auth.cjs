#!/usr/bin/env node
// CommonJS (.cjs: Node neither starts its ES module loader nor looks for a package.json to decide).
//
// Loads and runs dist/cli/pd-auth.cjs, the start-up bundle (src/main.ts). Node 22.1+ caches compiled
// code itself (module.enableCompileCache). Older Node compiles the bundle with the V8 code cache the
// build wrote beside it, pd-auth.cjs.cache, which starts with the build id the bundle ends with. The
// loader is here, not in a file of its own, because loading one more file would cost more start-up
// time than the cache saves (issue 5); src/code-cache.ts loads the other bundles, and it reports and,
// when V8 refused or missed this cache, rewrites it, from the record left in `start`.
const { dirname, join } = require('node:path');

const file = join(__dirname, '..', 'dist', 'cli', 'pd-auth.cjs');
// createRequire from the loader's own Module class: the node:module module costs start-up time.
const start = { file, state: 'node', createRequire: module.constructor.createRequire };
globalThis[Symbol.for('pd-auth.start-bundle')] = start;
const nodeModule = Number(process.versions.node.split('.')[0]) >= 22 ? require('node:module') : undefined;
let entry;
if (nodeModule?.enableCompileCache) {
  // Off with NODE_DISABLE_COMPILE_CACHE; it fails when its folder cannot be written. --verbose says which.
  const { status, message } = nodeModule.enableCompileCache();
  const { FAILED, DISABLED } = nodeModule.constants.compileCacheStatus;
  if (status === DISABLED) start.state = 'off';
  else if (status === FAILED) Object.assign(start, { state: 'failed', message });
  entry = require(file);
} else if (process.env.NODE_DISABLE_COMPILE_CACHE) {
  start.state = 'off';
  entry = require(file);
} else {
  const { readFileSync } = require('node:fs');
  const { Script } = require('node:vm');
  const source = readFileSync(file, 'utf8');
  start.id = /\n\/\/ build ([0-9a-f]{16})\n$/.exec(source.slice(-40))?.[1];
  let cachedData;
  try {
    const cache = readFileSync(`${file}.cache`);
    if (start.id && cache.toString('latin1', 0, 16) === start.id) cachedData = cache.subarray(16);
  } catch {}
  // Node's own CommonJS wrapper, on a line of its own so that line numbers stay true.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {\n${source}\n})`;
  start.script = new Script(wrapped, { filename: file, lineOffset: -1, cachedData });
  start.state = !start.id
    ? 'none'
    : !cachedData
      ? 'missing'
      : start.script.cachedDataRejected
        ? 'refused'
        : 'used';
  const mod = { exports: {} };
  const load = start.script.runInThisContext();
  load.call(mod.exports, mod.exports, start.createRequire(file), mod, file, dirname(file));
  entry = mod.exports;
}
entry.run().then((code) => {
  process.exitCode = code;
});
