// Over 150 lines: packing, a global install, the commands run from it, and the contents check.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, normalize, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * What a user gets from `npm install -g pd-auth`: the tarball `npm pack` makes, installed into a
 * throw-away global prefix by npm running on this test's Node (CI runs the suite on the machine's
 * Node and on Node 26). The install must print no warning and run no script, and the installed CLI
 * must work: --version, --help, and a login against the emulator it ships.
 */
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const npmCli = join(dirname(realpathSync(whichNpm())), 'npm-cli.js');

function whichNpm(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      if (statSync(join(dir, 'npm')).isFile()) return join(dir, 'npm');
    } catch {}
  }
  throw new Error('npm is not on PATH');
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `file` with this test's Node first on PATH (the installed bin's `#!/usr/bin/env node` finds it). */
function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs = 120_000,
): Promise<Run> {
  const PATH = [dirname(process.execPath), process.env.PATH].join(delimiter);
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: { ...env, PATH, NO_COLOR: '1' }, timeout: timeoutMs, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/**
 * This process's environment without the npm_* variables `npm test` set for it (a user's shell has
 * none), keeping what reaching the registry needs here (a proxy's CA in NODE_EXTRA_CA_CERTS, say).
 */
function outsideNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** npm on this test's Node; a cold npm cache may need a while for the dependencies' first download. */
const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  run(
    process.execPath,
    [npmCli, ...args],
    { ...outsideNpm(), npm_config_update_notifier: 'false', ...env },
    cwd,
    240_000,
  );

/** The type declarations the package's entry points reach: what the tarball must ship, and no more. */
function declarationClosure(): string[] {
  const seen = new Set<string>();
  const queue = ['dist/index.d.ts', 'dist/emulator/server.d.ts'];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
      queue.push(normalize(join(dirname(file), (m[1] ?? m[2] ?? '').replace(/\.js$/, '.d.ts'))));
    }
  }
  return [...seen].sort();
}

const du = (path: string): number =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((n, f) => n + du(join(path, f)), 0)
    : statSync(path).size;

describe(`npm install -g of the packed tarball (Node ${process.versions.node})`, () => {
  const tmp = makeTempDir('pd-auth-install-');
  const prefix = join(tmp.path, 'prefix');
  let tarball = '';
  let files: string[] = [];
  let install: Run;
  const bin = () => join(prefix, 'bin', 'pd-auth');

  beforeAll(async () => {
    // The build already ran (npm test builds first); --ignore-scripts keeps prepack from running it again.
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.path], repoRoot);
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    const packed = JSON.parse(pack.stdout)[0] as { filename: string; files: { path: string }[] };
    tarball = join(tmp.path, packed.filename);
    files = packed.files.map((f) => f.path).sort();
    install = await npm(
      ['install', '--global', `--prefix=${prefix}`, '--no-audit', '--no-fund', '--prefer-offline', tarball],
      tmp.path,
    );
  }, 300_000);
  afterAll(() => tmp.remove());

  it('installs with exit 0 and no warning, running no lifecycle script', () => {
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(install.stderr).not.toMatch(/warn/i);
    expect(install.stdout).not.toMatch(/warn|allowScripts|install scripts/i);
  });

  it('npm publish --dry-run has nothing to say about the package', async () => {
    // A made-up token: without one, npm warns that publishing needs a login (true, and not about the package).
    const auth = { 'npm_config_//registry.npmjs.org/:_authToken': 'dry-run-only' };

    const r = await npm(['publish', '--dry-run', '--ignore-scripts'], repoRoot, auth);

    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warn/i);
    expect(r.stderr).toContain(`pd-auth@${pkg.version}`);
  }, 120_000);

  it('the tarball holds only what the package needs', () => {
    const declarations = declarationClosure();
    expect(files).toEqual(
      [
        'CHANGELOG.md',
        'LICENSE',
        'README.md',
        'bin/pd-auth.cjs',
        'dist/emulator.mjs',
        'dist/pd-auth.cjs',
        'package.json',
        ...declarations,
      ].sort(),
    );
  });

  it('pd-auth --version prints the package version, and --help the commands', async () => {
    const version = await run(bin(), ['--version'], {}, tmp.path);
    const help = await run(bin(), ['--help'], {}, tmp.path);

    expect([version.code, version.stdout]).toEqual([0, `${pkg.version}\n`]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pd-auth [options] [command]');
    expect(help.stdout).toMatch(/^ {2}doctor /m);
  });

  it('logs in against the emulator it ships, and prints a token', async () => {
    const emulator = spawn(bin(), ['emulator', '--port', '0', '--auto-approve'], {
      env: { PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        emulator.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /PD_AUTH_OAUTH_URL=(\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
      });
      const env = {
        HOME: tmp.path,
        PD_AUTH_CONFIG_DIR: join(tmp.path, 'config'),
        PD_AUTH_OAUTH_URL: url,
        PD_AUTH_STORAGE: 'file',
        PIPEDRIVE_CLIENT_ID: 'emulator-client-id',
        PIPEDRIVE_CLIENT_SECRET: 'emulator-client-secret',
        BROWSER: `"${process.execPath}" "${join(repoRoot, 'dist/demo/scripted-browser.js')}"`,
        CI: 'true',
      };

      const login = await run(bin(), ['login', '--timeout', '30'], env, tmp.path, 60_000);
      const token = await run(bin(), ['token'], env, tmp.path);

      expect(login.code, login.stderr).toBe(0);
      expect(login.stderr).toContain('Logged in as Emma Ulator');
      expect([token.code, token.stdout.startsWith('v1u:')]).toEqual([0, true]);
    } finally {
      emulator.kill('SIGINT');
    }
  });

  it('reports the sizes', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'pd-auth');
    const deps = readdirSync(join(installed, 'node_modules'));
    console.log(
      `[package] Node ${process.versions.node}: tarball ${(statSync(tarball).size / 1024).toFixed(1)} KiB, ${files.length} files; installed with dependencies ${(du(installed) / 2 ** 20).toFixed(1)} MiB (${relative(tmp.path, installed)}, ${deps.length} entries in its node_modules)`,
    );
    expect(du(installed)).toBeGreaterThan(0);
  });
});
