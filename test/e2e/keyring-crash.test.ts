import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '../../src/keyring/keyring.js';
import { storePath } from '../../src/store/paths.js';
import { openProfileStore } from '../../src/store/profile-store.js';
import { commandName, pidsWithEnv, waitFor } from '../helpers/processes.js';
import { type SecretService, startSecretService } from '../helpers/secret-service.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const writerScript = fileURLToPath(new URL('../fixtures/keyring-writer.mjs', import.meta.url));
const seed = Number(process.env.PD_AUTH_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
let state = seed;
/** A reproducible random number in [0, 1): the seed is printed with the counts. */
const random = () => {
  state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
  return state / 2 ** 32;
};

/**
 * SIGKILL in the middle of writes that touch the keyring (secrets set, profiles moving in and out):
 * after each kill, every profile must still load its secrets from where the file points, and they
 * must be those of its last write or of the one in flight (never older).
 */
describe('SIGKILL in the middle of keyring writes', () => {
  let ss: SecretService;
  const tmp = makeTempDir();
  beforeAll(async () => {
    ss = await startSecretService();
  });
  afterAll(async () => {
    await ss?.stop();
    tmp.remove();
  });

  it('leaves no profile whose secrets cannot be read (target 0)', async () => {
    const dir = join(tmp.path, 'config');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...ss.env };
    const store = openProfileStore(dir, undefined, undefined, createKeyring({ timeoutMs: 20_000, env }));
    const keyringChildren = () =>
      pidsWithEnv(`HOME=${ss.env.HOME}`).filter((pid) => commandName(pid) === 'node');
    const kills = 30;
    const counts = {
      usable: 0,
      unusable: 0,
      stale: 0,
      writesSeen: 0,
      inKeyring: 0,
      inFile: 0,
      keyringAhead: 0,
    };
    const problems: string[] = [];
    for (let i = 0; i < kills; i++) {
      const child = spawn(process.execPath, [writerScript, dir], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let lastStarted = 0;
      let lines = 0;
      // Killed after a random number (1-6) of started writes, at a random moment (0-80 ms) in the last.
      const after = 1 + Math.floor(random() * 6);
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          for (const m of chunk.toString().matchAll(/writing (\d+)/g)) {
            lastStarted = Number(m[1]);
            lines += 1;
            if (lines === after) setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * 80));
          }
        });
        child.on('exit', () => resolve());
      });
      counts.writesSeen += lines;
      // The killed writer's lock would hold the next one back until it is stale (5 s); taking it
      // over is tested in store-crash.test.ts. By then a keyring child the writer had started has
      // ended: wait for that here, as the lock would, then remove the lock.
      await waitFor(
        "the killed writer's keyring child to end",
        async () => keyringChildren().length === 0,
        10_000,
      );
      rmSync(`${storePath(dir)}.lock`, { recursive: true, force: true });
      const data = await store.read();
      for (const name of Object.keys(data.profiles)) {
        const p = data.profiles[name];
        try {
          const loaded = await store.loadSecrets(name);
          const n = Number(loaded?.clientSecret?.replace('cs-', ''));
          const rt = loaded?.tokens ? Number(loaded.tokens.refreshToken?.replace('rt-', '')) : n;
          const fresh = (k: number) =>
            k >= (p?.updatedAt ?? 0) && k <= lastStarted && k % 3 === Number(name.slice(1));
          if (fresh(n) && fresh(rt)) {
            counts.usable += 1;
            // The kill came after the keyring took the new secrets and before the file was written.
            if (n > (p?.updatedAt ?? 0)) counts.keyringAhead += 1;
          } else {
            counts.stale += 1;
            problems.push(
              `${name}: file at ${p?.updatedAt}, secrets ${n}/${rt}, last started ${lastStarted}`,
            );
          }
          counts[p?.storage === 'keyring' ? 'inKeyring' : 'inFile'] += 1;
        } catch (err) {
          counts.unusable += 1;
          problems.push(`${name}: ${(err as Error).message}`);
        }
      }
    }
    console.log(
      `[keyring-crash] seed ${seed}: ${kills} SIGKILLs among ${counts.writesSeen} started writes; profiles checked ${counts.usable + counts.unusable + counts.stale}: usable ${counts.usable}, unusable ${counts.unusable}, stale ${counts.stale} (in the keyring ${counts.inKeyring}, in the file ${counts.inFile}; ${counts.keyringAhead} with the keyring one write ahead of the file)`,
    );
    expect(problems).toEqual([]);
    expect(counts.inKeyring).toBeGreaterThan(0);
    expect(counts.inFile).toBeGreaterThan(0);
  }, 300_000);
});
