import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';
import { type SecretService, startSecretService } from '../../helpers/secret-service.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/**
 * The keyring from what `npm run build` made (`npm test` builds first): the addon's path is resolved
 * from import.meta.url in the ES modules and from __filename in the CommonJS bundle, which is what
 * ships; an installed bundle finds the addon in the node_modules it was installed into.
 */
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const bundle = join(repoRoot, 'dist', 'pd-auth.cjs');
const esm = pathToFileURL(join(repoRoot, 'dist', 'keyring', 'keyring.js')).href;

/** `code` run by `node -e` in `cwd`, with the harness's environment as its whole environment. */
function node(code: string, env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const options = { env: { PATH, ...env }, cwd, timeout: 30_000, killSignal: 'SIGKILL' as const };
    execFile(process.execPath, ['-e', code], options, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const roundTrip = (load: string) => `${load}
  .then(({ createKeyring }) => createKeyring({ timeoutMs: 20000 }).run([
    { op: 'set', account: 'built', secret: 'pw-built' },
    { op: 'get', account: 'built' },
    { op: 'delete', account: 'built' },
  ]))
  .then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });`;

/** A node_modules holding the built package as npm installs it, and links to its dependencies. */
function installedPackage() {
  const dir = makeTempDir('pd-auth-installed-');
  const modules = join(dir.path, 'node_modules');
  const pkg = join(modules, 'pd-auth');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(bundle, join(pkg, 'dist', 'pd-auth.cjs'));
  const deps = join(repoRoot, 'node_modules');
  for (const name of readdirSync(deps).filter((n) => !n.startsWith('.'))) {
    symlinkSync(realpathSync(join(deps, name)), join(modules, name));
  }
  return { ...dir, bundle: join(pkg, 'dist', 'pd-auth.cjs') };
}

describe('the built keyring on an unlocked Secret Service', () => {
  let ss: SecretService;
  let installed: ReturnType<typeof installedPackage>;
  let cwd: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    ss = await startSecretService();
    installed = installedPackage();
    cwd = makeTempDir(); // nothing to resolve from the working directory
  });
  afterAll(async () => {
    installed?.remove();
    cwd?.remove();
    await ss?.stop();
  });

  it.each([
    ['the ES modules tsc wrote (dist/keyring/keyring.js)', () => `import(${JSON.stringify(esm)})`],
    ['the CommonJS bundle (dist/pd-auth.cjs)', () => `Promise.resolve(require(${JSON.stringify(bundle)}))`],
    [
      'the bundle installed into another node_modules',
      () => `Promise.resolve(require(${JSON.stringify(installed.bundle)}))`,
    ],
  ])('runs a batch from %s', async (_, load) => {
    const run = await node(roundTrip(load()), ss.env, cwd.path);

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('[null,"pw-built",true]\n');
  });
});

describe('the built keyring on a locked Secret Service whose unlock prompt never comes up', () => {
  let ss: SecretService;
  beforeAll(async () => {
    ss = await startSecretService();
    await ss.lock({ prompter: 'silent' });
  });
  afterAll(() => ss?.stop());

  // The prompt would keep a keyring call waiting 25 s: a process still alive after 10 s is held.
  it('leaves nothing that keeps the process alive once a batch timed out', async () => {
    const code = `const { createKeyring } = require(${JSON.stringify(bundle)});
      setTimeout(() => { console.log('still running'); process.exit(2); }, 10000).unref();
      createKeyring({ timeoutMs: 500 })
        .run([{ op: 'set', account: 'stored', secret: 'pw-never' }])
        .then(() => console.log('set'), (e) => console.log(e.kind));`;

    const run = await node(code, ss.env, repoRoot);

    expect(run).toEqual({ code: 0, stdout: 'timeout\n', stderr: '' });
  });
});
