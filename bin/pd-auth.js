#!/usr/bin/env node
// CommonJS (see bin/package.json): Node starts it without its ES module loader.

// Node 22.1+ can keep compiled code between runs (on Node 20, dist/cli does it itself). Only there is
// node:module loaded for it: loading it just to find the function missing costs start-up time.
if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.();
require('../dist/cli/pd-auth.cjs')
  .run()
  .then((code) => {
    process.exitCode = code;
  });
