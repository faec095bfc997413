// The fixtures the unit, command and end-to-end tests share, in one place: the store file and its
// profiles, the spawned CLI's environment for an emulator, an in-process login to arrange from, and
// calls to the emulator as the app would make them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { runLogin } from '../../src/commands/login.js';
import { storePath } from '../../src/store/paths.js';
import type { Profile, StoreData } from '../../src/store/profile.js';
import { cliEnv } from './cli.js';
import type { EmulatorFixture } from './emulator.js';
import { basicAuthHeader } from './emulator-harness.js';
import { followingBrowser, makeTestDeps } from './test-deps.js';

/** The store file in a config directory: the product's own `storePath`, so tests and the CLI agree. */
export { storePath };

/** The store file's exact bytes, or undefined when there is none: compare before and after a failure. */
export function storeBytes(configDir: string): Buffer | undefined {
  const path = storePath(configDir);
  return existsSync(path) ? readFileSync(path) : undefined;
}

export function readStore(configDir: string): StoreData | undefined {
  const bytes = storeBytes(configDir);
  return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as StoreData);
}

export function readProfile(configDir: string, name = 'default'): Profile | undefined {
  return readStore(configDir)?.profiles[name];
}

/** The stored profile, failing the test when it is missing or has no tokens. */
export function loggedIn(
  configDir: string,
  name = 'default',
): Profile & { tokens: NonNullable<Profile['tokens']> } {
  const p = readProfile(configDir, name);
  if (!p?.tokens) throw new Error(`profile ${name} has no tokens in ${storePath(configDir)}`);
  return p as Profile & { tokens: NonNullable<Profile['tokens']> };
}

export const permissions = (path: string) => statSync(path).mode & 0o777;

/** The spawned CLI's environment for one emulator: its URL, app credentials and a config dir. */
export function emulatorEnv(
  fx: EmulatorFixture,
  configDir: string,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return cliEnv({
    PD_AUTH_OAUTH_URL: fx.emulator.url,
    PD_AUTH_CONFIG_DIR: configDir,
    PIPEDRIVE_CLIENT_ID: fx.emulator.app.clientId,
    PIPEDRIVE_CLIENT_SECRET: fx.emulator.app.clientSecret,
    ...extra,
  });
}

/**
 * Arrange step for refresh and rotate-secret: logs in in-process (faster than spawning) through
 * the following browser. `now` sets the clock of the login, e.g. an hour ago so a later refresh
 * must move the expiry.
 */
export async function seedLogin(
  fx: EmulatorFixture,
  configDir: string,
  opts: { profile?: string; now?: () => number } = {},
): Promise<Profile> {
  const browser = followingBrowser();
  const t = makeTestDeps({
    configDir,
    env: {
      oauthUrl: fx.emulator.url,
      clientId: fx.emulator.app.clientId,
      clientSecret: fx.emulator.app.clientSecret,
    },
    openBrowser: browser.open,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const profile = opts.profile ?? 'default';
  await runLogin({ profile, redirectUri: fx.redirectUri, browser: true, timeoutSeconds: 10 }, t.deps);
  return loggedIn(configDir, profile);
}

/** POST /oauth/revoke as the app would: Basic auth and `token=`. */
export async function revokeAtEmulator(fx: EmulatorFixture, token: string): Promise<void> {
  const res = await fetch(`${fx.emulator.url}/oauth/revoke`, {
    method: 'POST',
    headers: {
      ...basicAuthHeader(fx.emulator),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }).toString(),
  });
  if (res.status !== 200) throw new Error(`revoke answered ${res.status}: ${await res.text()}`);
}

/** True when the port can be bound on 127.0.0.1 (and ::1 where there is IPv6), then released. */
export async function portIsFree(port: number, hosts = ['127.0.0.1', '::1']): Promise<boolean> {
  const tryBind = (host: string) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', (e: NodeJS.ErrnoException) =>
        resolve(host === '::1' && (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT')),
      );
      s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
    });
  for (const host of hosts) if (!(await tryBind(host))) return false;
  return true;
}

/** The authorize URL pd-auth printed (the first one). */
export function printedAuthorizeUrl(stderr: string): string | undefined {
  return /(https?:\/\/\S+\/oauth\/authorize\?\S+)/.exec(stderr)?.[1];
}

/** Waits for `probe` to return a value (polling the buffered output of in-process commands). */
export async function until<T>(
  probe: () => T | undefined,
  what = 'a condition',
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Moves the stored access-token expiry (e.g. into the past, so the next use must refresh). */
export async function setStoredExpiry(configDir: string, expiresAt: number, name = 'default'): Promise<void> {
  const { openProfileStore } = await import('../../src/store/profile-store.js');
  await openProfileStore(configDir).update(name, (p) =>
    p?.tokens ? { ...p, tokens: { ...p.tokens, expiresAt } } : p,
  );
}

/** POST /oauth/token grant_type=refresh_token as the app would; the raw answer, nothing stored. */
export async function refreshAtEmulator(
  fx: EmulatorFixture,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fx.emulator.url}/oauth/token`, {
    method: 'POST',
    headers: {
      ...basicAuthHeader(fx.emulator),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The profile's secrets (access token, refresh token, client secret) that appear in `text`. */
export function leakedSecrets(text: string, profile: Profile): string[] {
  const secrets = [profile.tokens?.accessToken, profile.tokens?.refreshToken, profile.clientSecret];
  return secrets.filter((s): s is string => Boolean(s) && text.includes(s as string));
}
