import { accessSync, constants, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads one of pd-auth's CommonJS bundles with a V8 code cache kept beside it (`<file>.cache`), so
 * that V8 does not parse and compile the same code again on every run (issue 5). Node 22.1 and later
 * have this built in (bin/pd-auth.cjs turns it on), and there the bundle is simply required; Node 20
 * has not, and this is its stand-in.
 *
 * The build ends each bundle with a line naming its build (`// build <id>`, from a hash of the
 * content), writes the caches after a training run (see `trainCodeCache`), and starts each cache with
 * that id: a cache is used only with the very build it was made from. V8 itself refuses a cache made
 * by another V8 version; then the bundle is compiled as usual, and a new cache is written at exit
 * when the folder is writable (on a read-only install nothing is written). The cache sits next to
 * the code: whoever can change one can change the other, so it trusts nobody new.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's own.
 */
export function requireBundle(file: string): unknown {
  if (nodeHasCompileCache || process.env.NODE_DISABLE_COMPILE_CACHE) {
    report(file, notOurCache());
    return requireFor(file)(file);
  }
  const source = readFileSync(file, 'utf8');
  const id = buildId(source);
  const cacheFile = `${file}.cache`;
  const cachedData = id === undefined ? undefined : readCache(cacheFile, id);
  const { exports, script } = load(file, source, cachedData);
  if (id === undefined) report(file, 'none (the bundle has no build id)');
  else if (cachedData !== undefined && !script.cachedDataRejected) report(file, 'used');
  else {
    report(file, cachedData === undefined ? 'missing: written at exit' : 'refused by V8: written at exit');
    saveAtExit(script, cacheFile, id);
  }
  return exports;
}

/** At exit, so that the cache holds what this run compiled; not on a read-only install. */
function saveAtExit(script: Script, cacheFile: string, id: string): void {
  process.once('exit', () => {
    try {
      accessSync(dirname(cacheFile), constants.W_OK);
    } catch {
      return;
    }
    saveCodeCache(script, cacheFile, id);
  });
}

/**
 * A require() for a bundle, resolving from its folder: with the createRequire bin/pd-auth.cjs hands
 * over (loading node:module for it would cost start-up time), else node:module's.
 */
function requireFor(file: string): NodeJS.Require {
  const create =
    (globalThis as { [startKey]?: StartBundle })[startKey]?.createRequire ??
    process.getBuiltinModule?.('node:module')?.createRequire;
  if (!create) throw new Error('pd-auth: no way to make a require() here; run it through bin/pd-auth.cjs');
  return create(file);
}

/**
 * When pd-auth keeps no cache of its own: off (NODE_DISABLE_COMPILE_CACHE), or, on Node 22.1+, what
 * became of Node's compile cache. As bin/pd-auth.cjs found it (it turns that cache on), else as the
 * environment says.
 */
function notOurCache(): string {
  const start = (globalThis as { [startKey]?: StartBundle })[startKey];
  if (start?.state === 'failed')
    return `Node's own compile cache failed to start: ${start.message ?? 'no reason given'}`;
  if (start ? start.state === 'off' : process.env.NODE_DISABLE_COMPILE_CACHE)
    return 'off (NODE_DISABLE_COMPILE_CACHE)';
  return "Node's own compile cache";
}

/** What bin/pd-auth.cjs records about the start-up bundle, which it loads itself (see there). */
interface StartBundle {
  file: string;
  state: 'used' | 'missing' | 'refused' | 'none' | 'off' | 'node' | 'failed';
  /** Why Node's compile cache failed to start (state 'failed'). */
  message?: string;
  id?: string;
  script?: Script;
  createRequire?: (file: string) => NodeJS.Require;
  adopted?: boolean;
}
const startKey = Symbol.for('pd-auth.start-bundle');

/** Reports the start-up bundle's cache like the others', and rewrites it at exit if V8 refused or missed it. */
export function adoptStartBundle(): void {
  const start = (globalThis as { [startKey]?: StartBundle })[startKey];
  if (!start || start.adopted) return;
  start.adopted = true;
  const ours: Partial<Record<StartBundle['state'], string>> = {
    used: 'used',
    missing: 'missing: written at exit',
    refused: 'refused by V8: written at exit',
    none: 'none (the bundle has no build id)',
  };
  const what = ours[start.state] ?? notOurCache();
  report(start.file, what);
  if ((start.state === 'missing' || start.state === 'refused') && start.script && start.id) {
    saveAtExit(start.script, `${start.file}.cache`, start.id);
  }
}

/** What happened to each bundle, for --verbose (shared by every copy of this module in the bundles). */
const registry = Symbol.for('pd-auth.code-cache');
type Registry = { [registry]?: string[] };

function report(file: string, what: string): void {
  const g = globalThis as Registry;
  g[registry] ??= [];
  g[registry].push(`code cache for ${basename(file)}: ${what}`);
}

/** One line per bundle loaded so far. */
export function codeCacheReport(): string[] {
  return [...((globalThis as Registry)[registry] ?? [])];
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** module.enableCompileCache(), from Node 22.1. */
const nodeHasCompileCache = major > 22 || (major === 22 && minor >= 1);

const idLength = 16;
const idLine = /\n\/\/ build ([0-9a-f]{16})\n$/;

/** The id on a bundle's last line, as esbuild.config.mjs stamps it; undefined when there is none. */
export function buildId(source: string): string | undefined {
  return idLine.exec(source.slice(-40))?.[1];
}

function readCache(cacheFile: string, id: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return data.length > idLength && data.toString('latin1', 0, idLength) === id
    ? data.subarray(idLength)
    : undefined;
}

/** Node's own CommonJS wrapper, on a line of its own so that line numbers in stack traces stay true. */
const wrapperHead = '(function (exports, require, module, __filename, __dirname) {\n';
const wrapperTail = '\n})';

function load(file: string, source: string, cachedData: Buffer | undefined) {
  const script = new Script(wrapperHead + source + wrapperTail, {
    filename: file,
    lineOffset: -1,
    cachedData,
  });
  const fn = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const mod = { exports: {} as unknown };
  fn.call(mod.exports, mod.exports, requireFor(file), mod, file, dirname(file));
  return { exports: mod.exports, script };
}

/** Written whole or not at all: a reader never sees half a cache. */
function saveCodeCache(script: Script, cacheFile: string, id: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/**
 * For the build: loads `file` without a cache, lets `exercise` run the code that start-up needs (so
 * that V8 has compiled it, and the cache holds it), then writes `<file>.cache`.
 */
export async function trainCodeCache(
  file: string,
  exercise: (exports: unknown) => Promise<void>,
): Promise<void> {
  const source = readFileSync(file, 'utf8');
  const id = buildId(source);
  if (id === undefined) throw new Error(`${file} has no build id`);
  const { exports, script } = load(file, source, undefined);
  await exercise(exports);
  saveCodeCache(script, `${file}.cache`, id);
}
