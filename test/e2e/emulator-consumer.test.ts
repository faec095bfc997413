import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * An app developer's view of `pd-auth/emulator`: the package as `npm pack` makes it, installed into
 * an empty project with vitest, running the example suite of docs/emulator.md there. The suite
 * itself checks that no socket is left open; the runner must also exit on its own.
 */

/** The code blocks of docs/emulator.md marked ```js file=<name>, so the docs show what runs. */
function docsExample(): Map<string, string> {
  const docs = readFileSync(join(repoRoot, 'docs/emulator.md'), 'utf8');
  const blocks = docs.matchAll(/^```js file=(\S+)\n([\s\S]*?)^```$/gm);
  return new Map([...blocks].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function exec(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const options = {
      cwd,
      env: childEnv(),
      timeout: timeoutMs,
      killSignal: 'SIGKILL' as const,
      maxBuffer: 1 << 24,
    };
    execFile(command, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/** No colours, and none of this runner's VITEST_* variables, which would confuse the project's own vitest. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|FORCE_COLOR|NODE_ENV|TEST$)/.test(key)) env[key] = value;
  }
  return env;
}

describe('pd-auth/emulator in a project that installed the packed package', () => {
  const project = makeTempDir('pd-auth-consumer-');
  const vitestVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules/vitest/package.json'), 'utf8'))
    .version as string;
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist/emulator.mjs'))) throw new Error('run `npm run build` first');
    // The build already ran (npm test builds); --ignore-scripts keeps `prepack` from building again.
    const pack = await exec(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', project.path],
      repoRoot,
      60_000,
    );
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.out}`);
    packed = JSON.parse(pack.out.slice(pack.out.indexOf('['), pack.out.lastIndexOf(']') + 1))[0];
    writeFileSync(join(project.path, 'package.json'), '{ "private": true, "type": "module" }\n');
    for (const [name, code] of docsExample()) writeFileSync(join(project.path, name), code);
    // A cache of its own, removed with the project: nothing is shared with other runs.
    const install = await exec(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `--cache=${join(project.path, '.npm-cache')}`,
        `./${packed.filename}`,
        `vitest@${vitestVersion}`,
      ],
      project.path,
      180_000,
    );
    if (install.code !== 0) throw new Error(`npm install failed:\n${install.out}`);
  }, 240_000);

  afterAll(() => project.remove());

  it('packs the ESM entry and its types', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('dist/emulator.mjs');
    expect(files).toContain('dist/emulator/server.d.ts');
  });

  it('has both files of the docs example', () => {
    expect([...docsExample().keys()]).toEqual(['app.mjs', 'app.test.mjs']);
  });

  it('runs the docs example suite to the end, and the runner exits on its own', async () => {
    const vitest = join(project.path, 'node_modules/vitest/vitest.mjs');
    // The bound only stops a hung runner from hanging this test; it is not a speed check.
    const run = await exec(process.execPath, [vitest, 'run', '--reporter=verbose'], project.path, 120_000);

    expect(run.out).toMatch(/Tests\s+5 passed \(5\)/);
    expect(run.code).toBe(0);
  }, 150_000);
});
