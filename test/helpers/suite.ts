import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/server.js';
import { type EmulatorFixture, startTestEmulator } from './emulator.js';
import { makeTempDir } from './temp-dir.js';

/**
 * The arrangement most end-to-end files share: before each test an emulator (`fx`) and an empty temp
 * directory with `configDir` inside it; after it, every emulator started through `emulator()` is
 * closed and the directory removed. Call inside a describe block; read the fields in the tests.
 */
export function emulatorSuite(defaults: EmulatorOptions = {}) {
  const started: EmulatorFixture[] = [];
  const suite = {
    fx: undefined as unknown as EmulatorFixture,
    tmp: undefined as unknown as ReturnType<typeof makeTempDir>,
    configDir: '',
    /** Another emulator (another app), closed after the test like the first. */
    async emulator(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
      const f = await startTestEmulator({ ...defaults, ...options });
      started.push(f);
      return f;
    },
  };
  beforeEach(async () => {
    suite.fx = await suite.emulator();
    suite.tmp = makeTempDir();
    suite.configDir = join(suite.tmp.path, 'config');
  });
  afterEach(async () => {
    for (const f of started.splice(0)) await f.emulator.close();
    suite.tmp.remove();
  });
  return suite;
}
