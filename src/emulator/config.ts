import { isIP } from 'node:net';
import type { EmulatedUser, EmulatorOptions } from './types.js';

export interface EmulatorConfig {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accessTokenTtl: number;
  codeTtl: number;
  autoApprove: boolean;
  refreshTokenMode: 'reuse' | 'rotate';
  now: () => number;
  user: EmulatedUser;
}

export const DEFAULT_USER: EmulatedUser = {
  id: 1001,
  name: 'Emma Ulator',
  email: 'emma@example.test',
  company_id: 2002,
  company_name: 'Emulated Company',
  company_domain: 'emulated',
};

/** A bad option to startEmulator(); the message names the option and what it accepts. */
export class EmulatorOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorOptionError';
  }
}

const OPTION_KEYS = [
  'host',
  'port',
  'clientId',
  'clientSecret',
  'redirectUri',
  'accessTokenTtl',
  'codeTtl',
  'autoApprove',
  'refreshTokenMode',
  'now',
  'user',
] as const satisfies ReadonlyArray<keyof EmulatorOptions>;

const fail = (message: string): never => {
  throw new EmulatorOptionError(message);
};

/**
 * Fills in defaults and rejects options that would make the emulator unsafe or meaningless. Callers
 * may be plain JavaScript, so every value is checked, and an unknown key (a typo) is an error.
 */
export function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  if (typeof options !== 'object' || options === null) fail('Emulator options must be an object');
  const unknown = Object.keys(options).find((key) => !(OPTION_KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    fail(`Unknown emulator option '${unknown}'; the options are ${OPTION_KEYS.join(', ')}`);
  }
  const host = options.host ?? '127.0.0.1';
  // The emulator hands out tokens and shows its secret to anyone who asks: never expose it.
  if (typeof host !== 'string' || !isLoopbackHost(host)) {
    fail(`Emulator option host must be a loopback address (127.0.0.1, ::1, localhost), got ${show(host)}`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`Emulator option port must be an integer from 0 to 65535, got ${show(port)}`);
  }
  const refreshTokenMode = options.refreshTokenMode ?? 'reuse';
  if (refreshTokenMode !== 'reuse' && refreshTokenMode !== 'rotate') {
    fail(`Emulator option refreshTokenMode must be 'reuse' or 'rotate', got ${show(refreshTokenMode)}`);
  }
  const autoApprove = options.autoApprove ?? false;
  if (typeof autoApprove !== 'boolean')
    fail(`Emulator option autoApprove must be a boolean, got ${show(autoApprove)}`);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('Emulator option now must be a function returning milliseconds');
  const user = options.user ?? {};
  if (typeof user !== 'object' || user === null) fail('Emulator option user must be an object');
  return {
    host,
    port,
    clientId: nonEmpty('clientId', options.clientId ?? 'emulator-client-id'),
    clientSecret: nonEmpty('clientSecret', options.clientSecret ?? 'emulator-client-secret'),
    redirectUri: absoluteUrl(options.redirectUri ?? 'http://localhost:8484/callback'),
    accessTokenTtl: seconds('accessTokenTtl', options.accessTokenTtl ?? 3600),
    codeTtl: seconds('codeTtl', options.codeTtl ?? 300),
    autoApprove,
    refreshTokenMode,
    now,
    user: { ...DEFAULT_USER, ...user },
  };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return bare.startsWith('127.');
  if (family === 6) return /^(::1|(0{1,4}:){7}0{0,3}1|::ffff:127\.[\d.]+)$/i.test(bare);
  return false;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    fail(`Emulator option ${name} must be a non-empty string, got ${show(value)}`);
  }
  return value as string;
}

function absoluteUrl(value: unknown): string {
  // The code is appended to it with the URL API at /oauth/authorize, so it has to parse.
  const ok = typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
  if (!ok) fail(`Emulator option redirectUri must be an absolute http(s) URL, got ${show(value)}`);
  return value as string;
}

function seconds(name: string, value: unknown): number {
  // expires_in is a whole number of seconds in Pipedrive's answers.
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    fail(`Emulator option ${name} must be a positive whole number of seconds, got ${show(value)}`);
  }
  return value as number;
}
