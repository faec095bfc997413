import { afterEach } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';

const startMs = 1_700_000_000_000;

/**
 * An emulator per test on 127.0.0.1:0 with a hand-moved clock (`h.clock += ms`), closed after each
 * test. Call at the top level of a test file.
 */
export function emulatorHarness(defaults: EmulatorOptions = {}) {
  const h = {
    clock: startMs,
    emulator: undefined as Emulator | undefined,
    async start(options: EmulatorOptions = {}): Promise<Emulator> {
      h.emulator = await startEmulator({
        host: '127.0.0.1',
        port: 0,
        now: () => h.clock,
        ...defaults,
        ...options,
      });
      return h.emulator;
    },
  };
  afterEach(async () => {
    await h.emulator?.close();
    h.emulator = undefined;
    h.clock = startMs;
  });
  return h;
}
