import { homedir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Env, readEnv } from '../../src/env.js';
import { checkProperty, propertyRuns } from '../helpers/property.js';

/**
 * Property-based tests of readEnv, the one reader of the environment. Each field's rule is written
 * here from the README's table of environment variables (and the store location in its Security
 * section), not from the code: an empty variable is an unset one; a switch (CI, PD_AUTH_DEBUG) is on
 * when set to anything but `0` or `false` (any case); PD_AUTH_HTTP_TIMEOUT is a number of seconds,
 * more than 0 and at most 3600, else 'invalid'.
 */

/** Every variable readEnv reads (the store's default location included). */
const variables = [
  'PIPEDRIVE_CLIENT_ID',
  'PIPEDRIVE_CLIENT_SECRET',
  'PIPEDRIVE_REFRESH_TOKEN',
  'PD_AUTH_OAUTH_URL',
  'PD_AUTH_PROFILE',
  'PD_AUTH_CONFIG_DIR',
  'PD_AUTH_HTTP_TIMEOUT',
  'PD_AUTH_DEBUG',
  'PD_AUTH_STORAGE',
  'BROWSER',
  'SSH_CONNECTION',
  'CI',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'MIR_SOCKET',
  'XDG_CONFIG_HOME',
  'APPDATA',
] as const;
type Variable = (typeof variables)[number];
type Vars = Partial<Record<Variable, string>>;

const value = fc.oneof(
  fc.constantFrom('', ' ', '0', '1', 'false', 'FALSE', 'False', 'true', 'no', 'off', '00'),
  fc.constantFrom('30', '0.5', '1', '3600', '3600.5', '3601', '-1', 'NaN', 'Infinity', '0x10', '1e3', ' 30 '),
  fc.constantFrom('/tmp/pd-auth config', 'relative/dir', 'C:\\Users\\me\\AppData\\Roaming', ':0'),
  fc.constantFrom('keyring', 'file', 'KEYRING', ' File ', 'keychain', 'files'),
  fc.double().map(String),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const vars: fc.Arbitrary<Vars> = fc.record(Object.fromEntries(variables.map((v) => [v, value])), {
  requiredKeys: [],
});
/** Names readEnv has no business reading (HOME included: the home directory comes from the OS). */
const others = fc.dictionary(
  fc.oneof(fc.string(), fc.constantFrom('HOME', 'PATH', 'PIPEDRIVE_ACCESS_TOKEN', 'PD_AUTH', '__proto__')),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const platform = fc.constantFrom<NodeJS.Platform>(
  'linux',
  'darwin',
  'win32',
  'freebsd',
  'openbsd',
  'android',
);

/** PD_AUTH_STORAGE: keyring or file, in any case, spaces around ignored; anything else is refused. */
function storageRule(v: string | undefined): Env['storage'] {
  if (v === undefined) return undefined;
  const w = v.trim().toLowerCase();
  return w === 'keyring' || w === 'file' ? w : 'invalid';
}

/** The README's rules, one per field. */
function documented(env: Vars, os: NodeJS.Platform): Env {
  const set = (k: Variable) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const on = (k: Variable) => set(k) !== undefined && env[k] !== '0' && env[k]?.toLowerCase() !== 'false';
  const t = env.PD_AUTH_HTTP_TIMEOUT;
  const n = Number(t);
  const configDir =
    set('PD_AUTH_CONFIG_DIR') ??
    (os === 'win32'
      ? join(set('APPDATA') ?? join(homedir(), 'AppData', 'Roaming'), 'pd-auth')
      : os === 'darwin'
        ? join(homedir(), 'Library', 'Preferences', 'pd-auth')
        : join(set('XDG_CONFIG_HOME') ?? join(homedir(), '.config'), 'pd-auth'));
  return {
    clientId: set('PIPEDRIVE_CLIENT_ID'),
    clientSecret: set('PIPEDRIVE_CLIENT_SECRET'),
    refreshToken: set('PIPEDRIVE_REFRESH_TOKEN'),
    oauthUrl: set('PD_AUTH_OAUTH_URL'),
    profile: set('PD_AUTH_PROFILE'),
    configDir,
    httpTimeoutSeconds:
      t === undefined || t.trim() === ''
        ? undefined
        : Number.isFinite(n) && n > 0 && n <= 3600
          ? n
          : 'invalid',
    debug: on('PD_AUTH_DEBUG'),
    browser: set('BROWSER'),
    sshConnection: set('SSH_CONNECTION'),
    ci: on('CI'),
    hasDisplay: os !== 'linux' || [set('DISPLAY'), set('WAYLAND_DISPLAY'), set('MIR_SOCKET')].some(Boolean),
    platform: os,
    storage: storageRule(set('PD_AUTH_STORAGE')),
  };
}

describe('readEnv (property-based)', () => {
  it('total over any string map, reads without writing, and follows each documented rule', () => {
    checkProperty(
      fc.property(vars, others, platform, (known, extra, os) => {
        const env = Object.freeze({ ...extra, ...known });
        const copy = { ...env };

        expect(readEnv(env, os)).toEqual(documented(known, os));
        expect(env).toEqual(copy);
      }),
      propertyRuns * 3,
    );
  });

  it('depends on its own variables only: others, whatever their names and values, change nothing', () => {
    checkProperty(
      fc.property(vars, others, platform, (known, extra, os) => {
        const unrelated = Object.fromEntries(
          Object.entries(extra).filter(([k]) => !(variables as readonly string[]).includes(k)),
        );

        expect(readEnv({ ...unrelated, ...known }, os)).toEqual(readEnv({ ...known }, os));
      }),
    );
  });

  it('an empty variable is the same as an unset one, for every variable on every platform', () => {
    checkProperty(
      fc.property(vars, fc.constantFrom(...variables), platform, (known, name, os) => {
        const { [name]: _dropped, ...unset } = known;

        expect(readEnv({ ...known, [name]: '' }, os)).toEqual(readEnv(unset, os));
      }),
    );
  });

  it('PD_AUTH_HTTP_TIMEOUT: any number of seconds in (0, 3600] is used as given, anything else is invalid', () => {
    checkProperty(
      fc.property(fc.double({ noNaN: true }), (seconds) => {
        const read = readEnv({ PD_AUTH_HTTP_TIMEOUT: String(seconds) }, 'linux').httpTimeoutSeconds;

        expect(read).toBe(seconds > 0 && seconds <= 3600 ? seconds : 'invalid');
      }),
    );
  });
});
