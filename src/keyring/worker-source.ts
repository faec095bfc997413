/**
 * The keyring helper, run as `node --input-type=commonjs -e <this> <path of @napi-rs/keyring>`.
 *
 * Why source text and not a file: pd-auth runs as TypeScript under vitest, as tsc's ES modules and
 * as one esbuild CommonJS bundle, and only the bundle ships; a worker file would have to be built,
 * shipped and found next to each of them. Text travels with the code that spawns it. The parent
 * resolves the addon's path (run-batch.ts), so the child needs no module resolution of its own.
 *
 * Protocol: stdin is one JSON document { service, ops } (secrets travel here, never in argv or the
 * environment). stdout gets one JSON line per op, written synchronously as soon as the op returned,
 * so a parent that kills the child in the next op still knows how many completed:
 * { ok: true, value } or { ok: false, error }, and nothing after the first failure;
 * { ok: false, load: true, error } when the addon cannot be loaded. Plain JS, as old as Node 20.
 */
export const workerSource = `'use strict';
const { writeSync } = require('node:fs');
const say = (answer) => writeSync(1, JSON.stringify(answer) + '\\n');
const text = (e) => String((e && e.message) || e);
let Entry;
try {
  ({ Entry } = require(process.argv[1]));
} catch (e) {
  say({ ok: false, load: true, error: text(e) });
  process.exit(0);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const { service, ops } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const o of ops) {
    try {
      // Pinned: unpinned, Linux falls back to the kernel keyring, which pd-auth must never touch.
      const entry = new Entry(service, o.account, { linux: { store: 'secret-service' } });
      if (o.op === 'get') say({ ok: true, value: entry.getPassword() });
      else if (o.op === 'delete') say({ ok: true, value: entry.deletePassword() });
      else if (o.op === 'set') {
        entry.setPassword(o.secret);
        say({ ok: true, value: null });
      } else throw new Error('unknown op ' + o.op);
    } catch (e) {
      say({ ok: false, error: text(e) });
      return;
    }
  }
});
`;
