import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EmulatorOptionError, type EmulatorOptions, startEmulator } from '../../../src/emulator/server.js';

/** Options as plain JavaScript might pass them, past the types. */
const bad = (options: Record<string, unknown>) => startEmulator(options as EmulatorOptions);

describe('startEmulator() options', () => {
  it.each([
    [
      { host: '0.0.0.0' },
      "Emulator option host must be a loopback address (127.0.0.1, ::1, localhost), got '0.0.0.0'",
    ],
    [{ port: 70000 }, 'Emulator option port must be an integer from 0 to 65535, got 70000'],
    [{ port: -1 }, 'Emulator option port must be an integer from 0 to 65535, got -1'],
    [
      { refreshTokenMode: 'rotating' },
      "Emulator option refreshTokenMode must be 'reuse' or 'rotate', got 'rotating'",
    ],
    [
      { accessTokenTtl: 1.5 },
      'Emulator option accessTokenTtl must be a positive whole number of seconds, got 1.5',
    ],
    [{ codeTtl: 0 }, 'Emulator option codeTtl must be a positive whole number of seconds, got 0'],
    [
      { redirectUri: '/callback' },
      "Emulator option redirectUri must be an absolute http(s) URL, got '/callback'",
    ],
    [{ redirectUri: 'javascript:alert(1)' }, 'Emulator option redirectUri must be an absolute http(s) URL'],
    [{ clientId: '' }, "Emulator option clientId must be a non-empty string, got ''"],
    [{ autoApprove: 'yes' }, "Emulator option autoApprove must be a boolean, got 'yes'"],
  ])('refuses %o', async (options, message) => {
    const attempt = bad(options);
    await expect(attempt).rejects.toThrow(EmulatorOptionError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses an unknown option, listing the known ones', async () => {
    await expect(bad({ redirectUrl: 'http://localhost:3000/cb' })).rejects.toThrow(
      "Unknown emulator option 'redirectUrl'; the options are host, port, clientId, clientSecret, " +
        'redirectUri, accessTokenTtl, codeTtl, autoApprove, refreshTokenMode, now, user',
    );
  });

  it('names the error class', async () => {
    await expect(bad({ port: 'x' })).rejects.toMatchObject({ name: 'EmulatorOptionError' });
  });
});

describe('close()', () => {
  it('frees the port for another listener', async () => {
    const emu = await startEmulator({ port: 0 });
    const port = Number(new URL(emu.url).port);
    await emu.close();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    expect(server.listening).toBe(true);
    await new Promise((resolve) => server.close(resolve));
  });

  it('can be called twice', async () => {
    const emu = await startEmulator({ port: 0 });
    await emu.close();
    await expect(emu.close()).resolves.toBeUndefined();
  });
});
