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

/** Fills in defaults and rejects options that would make the emulator unsafe or meaningless. */
export function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  const host = options.host ?? '127.0.0.1';
  // The emulator hands out tokens and shows its secret to anyone who asks: never expose it.
  if (!isLoopbackHost(host)) {
    throw new Error(`Emulator host must be a loopback address (127.0.0.1, ::1, localhost), got '${host}'`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Emulator port must be an integer from 0 to 65535, got ${port}`);
  }
  return {
    host,
    port,
    clientId: nonEmpty('clientId', options.clientId ?? 'emulator-client-id'),
    clientSecret: nonEmpty('clientSecret', options.clientSecret ?? 'emulator-client-secret'),
    redirectUri: absoluteUrl(options.redirectUri ?? 'http://localhost:8484/callback'),
    accessTokenTtl: positive('accessTokenTtl', options.accessTokenTtl ?? 3600),
    codeTtl: positive('codeTtl', options.codeTtl ?? 300),
    autoApprove: options.autoApprove ?? false,
    refreshTokenMode: options.refreshTokenMode ?? 'reuse',
    now: options.now ?? Date.now,
    user: { ...DEFAULT_USER, ...options.user },
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

function nonEmpty(name: string, value: string): string {
  if (value === '') throw new Error(`Emulator option ${name} must not be empty`);
  return value;
}

function absoluteUrl(value: string): string {
  // The code is appended to it with the URL API at /oauth/authorize, so it has to parse.
  if (!URL.canParse(value))
    throw new Error(`Emulator option redirectUri must be an absolute URL, got '${value}'`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`Emulator option ${name} must be a positive number of seconds, got ${value}`);
  }
  return value;
}
