#!/usr/bin/env node
// Node 22.1+ keeps the compiled code of what is loaded after this call between runs, which is most
// of what start-up costs there; Node 20 has no such cache (NODE_DISABLE_COMPILE_CACHE=1: off).
require('node:module').enableCompileCache?.();
require('../dist/pd-auth.cjs')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
