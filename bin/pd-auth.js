#!/usr/bin/env node
// Node 22.1+ keeps the compiled code of the modules loaded after this call between runs, which is
// most of what start-up costs there; Node 20 has no such cache (NODE_DISABLE_COMPILE_CACHE=1: off).
import module from 'node:module';

module.enableCompileCache?.();
const { run } = await import('../dist/main.js');
process.exitCode = await run(process.argv.slice(2));
