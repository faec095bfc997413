/**
 * What the build bundles into dist/pd-auth.cjs, the one JavaScript file the package ships: the CLI's
 * start (`run`, for bin/pd-auth.cjs) and the library API (package.json `exports`). One CommonJS file
 * loads fastest: `pd-auth token` costs about 1.1× `node -e 0` from it, against 1.5× from the same code
 * as separate ES modules (docs/performance.md). Everything else in it runs only when first used.
 */

export * from './index.js';
// Not public API (not in index.d.ts): lets a test run the keyring from the built bundle, where the
// addon's path is resolved differently than from the ES modules.
export { createKeyring } from './keyring/keyring.js';
export { run } from './main.js';
