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

/** The emulator's /oauth/authorize URL for its own app, as an app would build it; `params` adds or overrides. */
export function authorizeUrl(emu: Emulator, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: emu.app.clientId,
    redirect_uri: emu.app.redirectUri,
    ...params,
  });
  return `${emu.url}/oauth/authorize?${query}`;
}

/** `Authorization: Basic …` for the emulator's app, with its current or another secret. */
export function basicAuthHeader(emu: Emulator, secret = emu.app.clientSecret): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${emu.app.clientId}:${secret}`).toString('base64')}` };
}

/** A form POST to an OAuth endpoint, with Basic client auth. */
export async function postForm(emu: Emulator, path: string, params: Record<string, string>, secret?: string) {
  const res = await fetch(`${emu.url}${path}`, {
    method: 'POST',
    headers: basicAuthHeader(emu, secret),
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** The whole install: authorize (auto-approved) and code exchange. */
export async function installApp(emu: Emulator): Promise<{ access_token: string; refresh_token: string }> {
  const query = new URLSearchParams({ client_id: emu.app.clientId, redirect_uri: emu.app.redirectUri });
  const res = await fetch(`${emu.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const params = { grant_type: 'authorization_code', code, redirect_uri: emu.app.redirectUri };
  return (await postForm(emu, '/oauth/token', params)).body as {
    access_token: string;
    refresh_token: string;
  };
}
