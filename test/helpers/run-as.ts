import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type CliResult, cliPath, repoRoot } from './cli.js';
import { makeTempDir } from './temp-dir.js';

/** uid and gid 65534: nobody, the user a root test run hands what root must not be able to read. */
export const nobody = 65_534;

/**
 * Whether `uid` can run this CLI file on a store in `configDir` (an empty directory it owns): the
 * file, the dependencies it loads to read a store, and the directory must all be within its reach.
 */
export function canRunCliAs(cli: string, uid: number, configDir: string): boolean {
  const env = { ...process.env, PD_AUTH_CONFIG_DIR: configDir };
  const r = spawnSync(process.execPath, [cli, 'profiles', '--names'], {
    uid,
    gid: uid,
    env,
    stdio: 'ignore',
  });
  return r.status === 0;
}

/**
 * The package directories the built CLI loads at run time: the dependencies of package.json and
 * theirs, found the way Node finds them (a package's own node_modules first, then each parent's).
 */
function runtimePackages(root: string): string[] {
  const found = new Set<string>();
  const visit = (pkgDir: string) => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const optional = new Set(Object.keys(pkg.optionalDependencies ?? {}));
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      let dir = pkgDir;
      let at: string | undefined;
      for (;;) {
        const candidate = join(dir, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) {
          at = candidate;
          break;
        }
        if (dir === root || dirname(dir) === dir) break;
        dir = dirname(dir);
      }
      if (!at) {
        if (optional.has(name)) continue;
        throw new Error(`${name}, a dependency of ${relative(root, pkgDir) || 'pd-auth'}, is not installed`);
      }
      if (!found.has(at)) {
        found.add(at);
        visit(at);
      }
    }
  };
  visit(root);
  return [...found];
}

/**
 * What the package ships (bin/, dist/pd-auth.cjs, package.json) and its runtime dependencies, copied
 * into a fresh directory under the OS temp dir that every user can read. For a user who cannot reach
 * the checkout: a clone inside a 0700 directory (`mktemp -d`, or under /root) run by root.
 */
export function copyCliForOtherUsers(): { cliPath: string; remove(): void } {
  const tmp = makeTempDir('pd-auth-cli-copy-');
  const copy = (path: string, filter?: (src: string) => boolean) =>
    cpSync(path, join(tmp.path, relative(repoRoot, path)), { recursive: true, filter });
  copy(join(repoRoot, 'package.json'));
  copy(join(repoRoot, 'bin'));
  mkdirSync(join(tmp.path, 'dist'));
  copy(join(repoRoot, 'dist', 'pd-auth.cjs'));
  // Each package without its nested node_modules: the nested ones it needs are in the list too.
  for (const dir of runtimePackages(repoRoot)) copy(dir, (src) => src !== join(dir, 'node_modules'));
  // mkdtemp makes the directory 0700, and the checkout's own modes may be as tight: readable by all.
  for (const f of ['', ...(readdirSync(tmp.path, { recursive: true }) as string[])]) {
    const path = join(tmp.path, f);
    const st = statSync(path);
    chmodSync(path, st.mode | (st.isDirectory() ? 0o555 : 0o444));
  }
  return { cliPath: join(tmp.path, relative(repoRoot, cliPath)), remove: tmp.remove };
}

/** The built CLI from `cli` (the checkout's, or a copy the user can reach) run as `uid`. */
export function runCliAs(
  uid: number,
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  const child = spawn(process.execPath, [cli, ...args], {
    env,
    uid,
    gid: uid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}
