#!/usr/bin/env node
// CommonJS (see bin/package.json): Node starts it without its ES module loader.
const { enableCompileCache } = require('node:module');

// Node 22.1+ can keep compiled code between runs; on Node 20 there is no such cache and this is skipped.
enableCompileCache?.();
require('../dist/cli/pd-auth.cjs')
  .run()
  .then((code) => {
    process.exitCode = code;
  });
