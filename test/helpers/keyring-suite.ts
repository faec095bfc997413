import { afterAll, beforeAll } from 'vitest';
import { runCli, scriptedBrowser } from './cli.js';
import { emulatorEnv } from './fixtures.js';
import { noSessionBus, type SecretService, startSecretService } from './secret-service.js';
import { emulatorSuite } from './suite.js';

export interface KeyringEnvOptions {
  /** false: a session without the keyring (no session bus, as over SSH or in a container). */
  bus?: boolean;
  configDir?: string;
  extra?: Record<string, string>;
}

/**
 * emulatorSuite() with a private GNOME Keyring for the whole file (secret-service.ts), for the
 * keyring's end-to-end tests. `env()` is the spawned CLI's environment with the default storage
 * (PD_AUTH_STORAGE unset) and this file's keyring; `login()` logs in through the scripted browser.
 * Call inside a describe block; read `box.ss` in the tests.
 */
export function keyringSuite() {
  const box = { ss: undefined as unknown as SecretService };
  beforeAll(async () => {
    box.ss = await startSecretService();
  });
  afterAll(async () => {
    await box.ss?.stop();
  });
  const suite = emulatorSuite();
  const env = (opts: KeyringEnvOptions = {}) => {
    const keyringEnv = opts.bus === false ? noSessionBus(box.ss.env) : box.ss.env;
    const e: NodeJS.ProcessEnv = {
      ...emulatorEnv(suite.fx, opts.configDir ?? suite.configDir),
      ...keyringEnv,
    };
    delete e.PD_AUTH_STORAGE;
    return { ...e, BROWSER: scriptedBrowser(), ...opts.extra };
  };
  const login = (opts: KeyringEnvOptions = {}, args: string[] = []) =>
    runCli(['login', '--redirect-uri', suite.fx.redirectUri, ...args], env(opts));
  return { box, suite, env, login };
}
