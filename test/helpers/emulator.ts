import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import { freePort } from './ports.js';

export interface EmulatorFixture {
  emulator: Emulator;
  /** A callback URL on a free port, registered with the emulator (tests run in parallel). */
  redirectUri: string;
  callbackPort: number;
}

/** The emulator on 127.0.0.1 port 0, with the app's callback URL on a fresh port. Close it after. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const callbackPort = await freePort();
  const redirectUri = options.redirectUri ?? `http://localhost:${callbackPort}/callback`;
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options, redirectUri });
  return { emulator, redirectUri, callbackPort };
}
