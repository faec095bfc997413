import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';

const demo = fileURLToPath(new URL('../../dist/demo/demo.js', import.meta.url));

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [demo], {
      env: cliEnv({ PD_AUTH_DEMO_BROWSER: 'scripted' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm run demo (the main job)', () => {
  it('logs in, refreshes, recovers from a regenerated secret and masks what it shows', async () => {
    const { code, output } = await runDemo();
    expect(code).toBe(0);
    expect(output).toContain('Logged in as Emma Ulator');
    expect(output).toContain('run `pd-auth rotate-secret`');
    expect(output).toContain('The new client secret');
    expect(output).toContain('Demo finished');
    // The emulator's default secret and any full token never appear: the store dump is masked.
    expect(output).not.toContain('emulator-client-secret');
    expect(output).not.toMatch(/v1u:AQIBAHj\+[A-Za-z0-9+/=]{20,}/);
    expect(output).not.toMatch(/"refreshToken": "\d+:\d+:[0-9a-f]{40}"/);
  });
});
