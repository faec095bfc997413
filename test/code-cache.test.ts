import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, repoRoot, runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp-dir.js';

/**
 * src/code-cache.ts: pd-auth's bundles loaded with a V8 code cache kept beside them, keyed to the
 * build. Each load runs in a child process (test/fixtures/require-bundle.mjs over the tsc build,
 * dist/code-cache.js), as the cache is written when that process exits.
 */

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
const fixture = fileURLToPath(new URL('./fixtures/require-bundle.mjs', import.meta.url));
const id = '0123456789abcdef';
const otherId = 'fedcba9876543210';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** From Node 22.1 the loader leaves the caching to Node's own compile cache. */
const nodeHasCompileCache = major > 22 || (major === 22 && minor >= 1);

interface Loaded {
  exports?: Record<string, unknown>;
  answer?: unknown;
  report: string[];
  error?: { message: string; stack: string };
}

/** A child's environment without anything that turns compile caches off (unless the test adds it). */
function childEnv(
  extra: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

function load(
  file: string,
  opts: { train?: boolean; env?: Record<string, string>; cwd?: string } = {},
): Loaded {
  const r = spawnSync(process.execPath, [fixture, file, ...(opts.train ? ['--train'] : [])], {
    env: childEnv(opts.env),
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`require-bundle.mjs exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Loaded;
}

/** Runs a bin/pd-auth.cjs as a child with its own store folder and childEnv's environment. */
function runBin(bin: string, args: string[], configDir: string, extra: Record<string, string> = {}) {
  const env = childEnv(extra, cliEnv({ PD_AUTH_CONFIG_DIR: configDir }));
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

const stamped = (lines: string[], buildId = id) => `${[...lines, `// build ${buildId}`].join('\n')}\n`;
const answerBundle = (buildId = id) => stamped(['exports.answer = () => 42;'], buildId);
const cacheOf = (file: string) => readFileSync(`${file}.cache`);
const cacheId = (file: string) => cacheOf(file).toString('latin1', 0, 16);

describe.skipIf(nodeHasCompileCache)('requireBundle (Node 20: its own V8 code cache)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    tmp = makeTempDir('pd-auth-code-cache-');
    file = join(tmp.path, 'bundle.cjs');
  });
  afterEach(() => tmp.remove());

  it('loads a bundle without a cache, says the cache is missing, and writes one at exit', () => {
    writeFileSync(file, answerBundle());

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: missing: written at exit']);
    expect(cacheId(file)).toBe(id);
    expect(cacheOf(file).length).toBeGreaterThan(16);
    // Written through a temp file that is renamed: nothing else is left behind.
    expect(readdirSync(tmp.path).sort()).toEqual(['bundle.cjs', 'bundle.cjs.cache']);
  });

  it('uses the cache on the next run, with the same result, and leaves it as it was', () => {
    writeFileSync(file, answerBundle());
    load(file);
    const written = cacheOf(file);

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: used']);
    expect(cacheOf(file)).toEqual(written);
  });

  it('does not use a cache of another build (another id), and rewrites it for this one', () => {
    writeFileSync(file, answerBundle(otherId));
    load(file);
    expect(cacheId(file)).toBe(otherId);
    writeFileSync(file, answerBundle(id));

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: missing: written at exit']);
    expect(cacheId(file)).toBe(id);
    expect(load(file).report).toEqual(['code cache for bundle.cjs: used']);
  });

  it('loads correctly when V8 refuses a cache with the right id, and rewrites it', () => {
    writeFileSync(file, answerBundle());
    const garbage = Buffer.from('not V8 code cache data at all, just some bytes '.repeat(8), 'latin1');
    writeFileSync(`${file}.cache`, Buffer.concat([Buffer.from(id, 'latin1'), garbage]));

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: refused by V8: written at exit']);
    expect(cacheId(file)).toBe(id);
    expect(cacheOf(file).subarray(16)).not.toEqual(garbage);
    expect(load(file).report).toEqual(['code cache for bundle.cjs: used']);
  });

  it('loads a bundle without a build id, reports "none", and writes no cache', () => {
    writeFileSync(file, 'exports.answer = () => 42;\n');

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: none (the bundle has no build id)']);
    expect(readdirSync(tmp.path)).toEqual(['bundle.cjs']);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE=1: loads the bundle and writes no cache', () => {
    writeFileSync(file, answerBundle());

    const r = load(file, { env: { NODE_DISABLE_COMPILE_CACHE: '1' } });

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: off (NODE_DISABLE_COMPILE_CACHE)']);
    expect(readdirSync(tmp.path)).toEqual(['bundle.cjs']);
  });

  it('gives the bundle its own require (relative to the bundle), __dirname and __filename', () => {
    const dir = join(tmp.path, 'lib');
    mkdirSync(dir);
    file = join(dir, 'bundle.cjs');
    writeFileSync(join(dir, 'sibling.cjs'), "exports.name = 'the sibling';\n");
    writeFileSync(
      file,
      stamped([
        "exports.sibling = require('./sibling.cjs').name;",
        'exports.dirname = __dirname;',
        'exports.filename = __filename;',
        'exports.isModuleExports = module.exports === exports;',
      ]),
    );

    // From another working directory, so that a require relative to it would fail.
    const r = load(file, { cwd: tmp.path });

    expect(r.error).toBeUndefined();
    expect(r.exports).toEqual({
      sibling: 'the sibling',
      dirname: dir,
      filename: file,
      isModuleExports: true,
    });
  });

  it('keeps the file name and line number of an error thrown at the top level of the bundle', () => {
    writeFileSync(file, stamped(["'use strict';", 'exports.a = 1;', "throw new Error('boom');"]));

    const r = load(file);

    expect(r.error?.message).toBe('boom');
    // The first frame is the bundle itself: line 3, column 7 (where `new Error` starts).
    expect(r.error?.stack.split('\n')[1]).toContain(`${file}:3:7`);
  });

  it('keeps the line number of an error thrown on the first line of the bundle', () => {
    writeFileSync(file, stamped(["throw new Error('first line');"]));

    const r = load(file);

    expect(r.error?.stack.split('\n')[1]).toContain(`${file}:1:7`);
  });

  it('trainCodeCache runs the exercise with the exports and writes a cache the next load uses', () => {
    writeFileSync(file, answerBundle());

    const trained = load(file, { train: true });

    expect(trained.error).toBeUndefined();
    expect(trained.answer).toBe(42);
    expect(cacheId(file)).toBe(id);
    const r = load(file);
    expect(r.answer).toBe(42);
    expect(r.report).toEqual(['code cache for bundle.cjs: used']);
  });

  it('trainCodeCache refuses a bundle without a build id and writes nothing', () => {
    writeFileSync(file, 'exports.answer = () => 42;\n');

    const r = load(file, { train: true });

    expect(r.error?.message).toBe(`${file} has no build id`);
    expect(readdirSync(tmp.path)).toEqual(['bundle.cjs']);
  });
});

describe.skipIf(!nodeHasCompileCache)("requireBundle (Node 22.1 and later: Node's own compile cache)", () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('pd-auth-code-cache-');
  });
  afterEach(() => tmp.remove());

  it('requires the bundle, says so, and writes no cache of its own', () => {
    const file = join(tmp.path, 'bundle.cjs');
    writeFileSync(file, answerBundle());

    const r = load(file);

    expect(r.answer).toBe(42);
    expect(r.report).toEqual(["code cache for bundle.cjs: Node's own compile cache"]);
    expect(existsSync(`${file}.cache`)).toBe(false);
  });

  const verbose = (extra: Record<string, string>) =>
    runBin(
      join(repoRoot, 'bin', 'pd-auth.cjs'),
      ['status', '--offline', '--verbose'],
      join(tmp.path, 'config'),
      extra,
    )
      .stderr.split('\n')
      .filter((l) => l.startsWith('[debug] code cache for'));

  it('--verbose says when NODE_DISABLE_COMPILE_CACHE has turned it off', () => {
    expect(verbose({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual([
      '[debug] code cache for pd-auth.cjs: off (NODE_DISABLE_COMPILE_CACHE)',
      '[debug] code cache for full.cjs: off (NODE_DISABLE_COMPILE_CACHE)',
    ]);
  });

  it('--verbose says when it failed to start, and why (its folder is under a file)', () => {
    // Node keeps it in os.tmpdir(): a TMPDIR that is a file makes the folder impossible to create.
    const file = join(tmp.path, 'a-file');
    writeFileSync(file, '');

    const lines = verbose({ TMPDIR: file });

    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^\[debug\] code cache for (pd-auth|full)\.cjs: Node's own compile cache failed to start: \S/,
      );
    }
  });
});

describe('the build', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());

  it('ships code caches that match its bundles: the start-up and full bundles use theirs', async () => {
    const r = await runCli(
      ['status', '--offline', '--verbose'],
      cliEnv({ PD_AUTH_CONFIG_DIR: join(tmp.path, 'config') }),
    );

    expect(r.code).toBe(4);
    const how = nodeHasCompileCache ? "Node's own compile cache" : 'used';
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('[debug] code cache for'));
    expect(lines).toEqual([
      `[debug] code cache for pd-auth.cjs: ${how}`,
      `[debug] code cache for full.cjs: ${how}`,
    ]);
  });
});

/**
 * bin/pd-auth.cjs loads the start-up bundle itself (a file of its own would cost more than the cache
 * saves) and leaves the rest to src/code-cache.ts. Each case runs a copy of bin/ and dist/cli/, so
 * that the caches it damages and rewrites are its own.
 */
describe.skipIf(nodeHasCompileCache)("bin/pd-auth.cjs: the start-up bundle's code cache", () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let bin: string;
  let cache: string;
  let configDir: string;
  beforeEach(() => {
    tmp = makeTempDir();
    cpSync(join(repoRoot, 'bin'), join(tmp.path, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'dist', 'cli'), join(tmp.path, 'dist', 'cli'), { recursive: true });
    bin = join(tmp.path, 'bin', 'pd-auth.cjs');
    cache = join(tmp.path, 'dist', 'cli', 'pd-auth.cjs.cache');
    configDir = join(tmp.path, 'config');
  });
  afterEach(() => tmp.remove());

  const run = (args: string[], extra: Record<string, string> = {}) => runBin(bin, args, configDir, extra);
  const reported = (stderr: string) =>
    stderr.split('\n').find((l) => l.startsWith('[debug] code cache for pd-auth.cjs:'));

  it('rewrites a cache V8 refuses, on a fast path too, and the next run uses it', () => {
    const id = readFileSync(cache).subarray(0, 16);
    writeFileSync(
      cache,
      Buffer.concat([id, Buffer.from('not a V8 code cache, but long enough to be looked at')]),
    );

    const fast = run(['--version']);
    const rewritten = readFileSync(cache);
    const next = run(['status', '--offline', '--verbose']);

    expect(fast.status).toBe(0);
    expect(fast.stdout).toBe(`${version}\n`);
    expect(rewritten.subarray(0, 16)).toEqual(id);
    expect(rewritten.length).toBeGreaterThan(1000);
    expect(reported(next.stderr)).toBe('[debug] code cache for pd-auth.cjs: used');
  });

  it('says so with --verbose when the cache is missing, and writes it', () => {
    rmSync(cache);

    const first = run(['status', '--offline', '--verbose']);
    const second = run(['status', '--offline', '--verbose']);

    expect(first.status).toBe(4);
    expect(reported(first.stderr)).toBe('[debug] code cache for pd-auth.cjs: missing: written at exit');
    expect(reported(second.stderr)).toBe('[debug] code cache for pd-auth.cjs: used');
  });

  it('does not use a cache of another build', () => {
    const data = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([Buffer.from(otherId, 'latin1'), data.subarray(16)]));

    const r = run(['status', '--offline', '--verbose']);

    expect(reported(r.stderr)).toBe('[debug] code cache for pd-auth.cjs: missing: written at exit');
    expect(readFileSync(cache).subarray(0, 16).toString('latin1')).not.toBe(otherId);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE=1 and writes nothing', () => {
    rmSync(cache);

    const r = run(['status', '--offline', '--verbose'], { NODE_DISABLE_COMPILE_CACHE: '1' });

    expect(r.status).toBe(4);
    expect(reported(r.stderr)).toBe('[debug] code cache for pd-auth.cjs: off (NODE_DISABLE_COMPILE_CACHE)');
    expect(existsSync(cache)).toBe(false);
  });
});
