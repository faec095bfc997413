/** Everything the full CLI needs, loaded by main.ts only when the fast token path does not apply. */
export { main } from './cli.js';
export { createDeps } from './deps.js';
