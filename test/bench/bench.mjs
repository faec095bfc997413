// @ts-check
/**
 * `npm run bench`: pd-auth's start-up speed and footprint, each command measured side by side with
 * `node -e 0` in one run (the machine is shared and noisy: ratios from one run are what counts).
 * Sets up its own emulator and store, prints a Markdown table for the README.
 *
 * Plain JavaScript with `// @ts-check` and JSDoc types rather than TypeScript: the bench is a
 * development tool that must stay out of the shipped build, and Node 20 cannot run TypeScript, so a
 * .ts bench would need a second compile step of its own. This file runs as it is on every Node, and
 * `tsc -p tsconfig.json` (allowJs) still type-checks it with the rest of test/. It drives pd-auth only
 * from outside, as a user does: the bin, the emulator command and the built scripted browser.
 *
 * The measured Node is this machine's `node`, or another binary given by `--node PATH`
 * (`npm run bench -- --node PATH`) or PD_AUTH_BENCH_NODE=PATH. Both sides of every ratio run on it.
 *
 * Times come from hyperfine when it is installed (Debian's package), else from a Node harness that
 * alternates the two commands run by run.
 *
 * Environment: PD_AUTH_BENCH_NODE, PD_AUTH_BENCH_RUNS (default 30), PD_AUTH_BENCH_LOGIN_RUNS
 * (default 20), PD_AUTH_BENCH_HARNESS=node (the Node harness even when hyperfine is there).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPrivateKeyring } from './keyring.mjs';
import { packageSizes } from './sizes.mjs';

/** The CLI as `npm install` links it, relative to the package's root. */
const BIN = 'bin/pd-auth.cjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, BIN);
const browserScript = join(root, 'dist/demo/scripted-browser.js');
for (const file of [bin, browserScript]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run the bench with \`npm run bench\``);
}

const { values: flags } = parseArgs({ options: { node: { type: 'string' } } });
const nodePath = flags.node ?? process.env.PD_AUTH_BENCH_NODE;
/** The Node binary measured: both `node -e 0` and pd-auth run on it. */
const node = nodePath ? resolve(nodePath) : process.execPath;
const nodeVersion = (() => {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${node} --version failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
})();
/** The targets are for the Node versions people run (22 and later); older ones are reported only. */
const target = (/** @type {string} */ goal) => (Number(/^v(\d+)/.exec(nodeVersion)?.[1]) >= 22 ? goal : '—');

const scriptedBrowser = `"${node}" "${browserScript}"`;
/**
 * The login's browser: a command-line fetcher following the redirects (in auto-approve mode there is
 * no consent page to press, so that is all a browser does), as it starts in a few milliseconds and
 * so measures pd-auth rather than the browser: wget (about 2 ms to start here), else curl (about 6),
 * else the Node scripted browser (a Node start-up of its own).
 * @type {Array<[name: string, probe: string, command: string]>}
 */
const fetchers = [
  ['wget', 'wget', 'wget --quiet --no-proxy --tries=1 --timeout=30 --output-document=/dev/null'],
  ['curl', 'curl', "curl --silent --location --noproxy '*' --max-time 30 --output /dev/null"],
];
const fetcher = fetchers.find(
  ([, probe]) => spawnSync(probe, ['--version'], { stdio: 'ignore' }).status === 0,
);
const runs = Number(process.env.PD_AUTH_BENCH_RUNS ?? 30);
const loginRuns = Number(process.env.PD_AUTH_BENCH_LOGIN_RUNS ?? 20);

/** @typedef {{ ms: number, rssKb: number }} Sample */
/** @typedef {{ ms: number, baseMs: number, rssKb: number, baseRssKb: number }} Result */

const work = mkdtempSync(join(tmpdir(), 'pd-auth-bench-'));
const rssFile = join(work, 'rss');
// Preloaded into both sides alike: writes the process's peak resident memory when it exits.
const probe = join(work, 'rss-probe.cjs');
writeFileSync(
  probe,
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
);

/**
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Sample}
 */
function measure(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(node, ['-r', probe, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return { ms, rssKb: Number(readFileSync(rssFile, 'utf8')) };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * The command and `node -e 0`, alternately, `n` times each after one warm-up of both.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {number} n
 * @param {string} [fresh] removed before every run of the command
 * @returns {Result}
 */
function alternately(args, env, n, fresh) {
  const reset = () => fresh && rmSync(fresh, { recursive: true, force: true });
  /** @type {Sample[]} */
  const cmd = [];
  /** @type {Sample[]} */
  const base = [];
  reset();
  measure(args, env);
  measure(['-e', '0'], env);
  for (let i = 0; i < n; i++) {
    base.push(measure(['-e', '0'], env));
    reset();
    cmd.push(measure(args, env));
  }
  return {
    ms: median(cmd.map((s) => s.ms)),
    baseMs: median(base.map((s) => s.ms)),
    rssKb: median(cmd.map((s) => s.rssKb)),
    baseRssKb: median(base.map((s) => s.rssKb)),
  };
}

/** hyperfine, when installed (Debian's package `hyperfine`) and not PD_AUTH_BENCH_HARNESS=node. */
const hyperfine = (() => {
  if (process.env.PD_AUTH_BENCH_HARNESS === 'node') return undefined;
  const r = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
})();

/**
 * For hyperfine's own word splitting (-N: no shell in between).
 * @param {string} s
 */
const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
/** @param {string[]} args */
const commandLine = (args) => [node, ...args].map(quote).join(' ');

/**
 * hyperfine's medians, in rounds of 5 runs of each command (after a warm-up of each), so that the
 * two alternate in blocks rather than one after the other; `fresh` is removed before every run.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {number} n
 * @param {string} [fresh]
 */
function withHyperfine(args, env, n, fresh) {
  const json = join(work, 'hyperfine.json');
  /** @type {number[]} */
  const cmd = [];
  /** @type {number[]} */
  const base = [];
  for (let done = 0; done < n; done += 5) {
    const r = spawnSync(
      'hyperfine',
      [
        '-N',
        '--warmup=1',
        `--runs=${Math.min(5, n - done)}`,
        '--style=none',
        `--export-json=${json}`,
        ...(fresh ? [`--prepare=rm -rf ${quote(fresh)}`] : []),
        commandLine(['-e', '0']),
        commandLine(args),
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr.toString()}`);
    /** @type {{ results: { times: number[] }[] }} */
    const { results } = JSON.parse(readFileSync(json, 'utf8'));
    base.push(...(results[0]?.times ?? []).map((t) => t * 1000));
    cmd.push(...(results[1]?.times ?? []).map((t) => t * 1000));
  }
  return { ms: median(cmd), baseMs: median(base) };
}

/**
 * Times from hyperfine when there is one, else from the Node harness; memory always from the latter.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {number} n
 * @param {string} [fresh]
 * @returns {Result}
 */
function sideBySide(args, env, n, fresh) {
  const harness = alternately(args, env, hyperfine ? Math.min(n, 5) : n, fresh);
  return hyperfine ? { ...harness, ...withHyperfine(args, env, n, fresh) } : harness;
}

/**
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
const canListen = (host, port) =>
  new Promise((done) => {
    const s = createServer();
    // A machine without IPv6 cannot bind ::1: that family is then free enough.
    s.once('error', (/** @type {NodeJS.ErrnoException} */ e) =>
      done(host === '::1' && e.code === 'EADDRNOTAVAIL'),
    );
    s.listen({ host, port, exclusive: true }, () => s.close(() => done(true)));
  });

/**
 * A port free on 127.0.0.1 and ::1 right now (the login binds both for `localhost`), below Linux's
 * ephemeral range (32768+) so that no outgoing connection takes it meanwhile. Kept here rather than
 * imported from dist/ so that the bench depends on nothing but the CLI's commands.
 */
async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen('127.0.0.1', port)) && (await canListen('::1', port))) return port;
  }
  throw new Error('no free loopback port found');
}

/**
 * The emulator in a process of its own: the measurements block this process (spawnSync), and an
 * emulator in it could not answer meanwhile.
 * @param {string} redirectUri
 */
async function startEmulatorProcess(redirectUri) {
  const args = [bin, 'emulator', '--port', '0', '--auto-approve', '--redirect-uri', redirectUri];
  const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  /** @type {string} */
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (/** @type {Buffer} */ c) => {
      out += c.toString();
      const m = /PD_AUTH_OAUTH_URL=(\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with code ${code}`)));
  });
  return {
    url,
    app: { clientId: 'emulator-client-id', clientSecret: 'emulator-client-secret', redirectUri },
    close: () => child.kill('SIGINT'),
  };
}

/** @param {number} bytes */
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

async function main() {
  const emulator = await startEmulatorProcess(`http://localhost:${await freePort()}/callback`);
  const configDir = join(work, 'config');
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    PD_AUTH_CONFIG_DIR: configDir,
    PD_AUTH_OAUTH_URL: emulator.url,
    PIPEDRIVE_CLIENT_ID: emulator.app.clientId,
    PIPEDRIVE_CLIENT_SECRET: emulator.app.clientSecret,
    BROWSER: fetcher?.[2] ?? scriptedBrowser,
    PD_AUTH_STORAGE: 'file',
  };
  const keyring = await startPrivateKeyring(join(work, 'keyring'));
  const login = [bin, 'login', '--redirect-uri', emulator.app.redirectUri, '--timeout', '30'];
  try {
    measure(login, env);
    /** @type {string[]} */
    const rows = [];
    /**
     * @param {string} what
     * @param {Result} r
     * @param {string} target
     * @param {boolean} [memory]
     */
    const row = (what, r, target, memory = false) => {
      const [v, b] = memory ? [r.rssKb / 1024, r.baseRssKb / 1024] : [r.ms, r.baseMs];
      const unit = memory ? 'MiB' : 'ms';
      rows.push(
        `| ${what} | ${v.toFixed(1)} ${unit} | ${b.toFixed(1)} ${unit} | ${(v / b).toFixed(2)}× | ${target} |`,
      );
    };
    const token = sideBySide([bin, 'token'], env, runs);
    row('`pd-auth token` (valid stored token)', token, target('≤ 1.10×'));
    row(
      '`pd-auth token` through the full CLI (PD_AUTH_DEBUG=1)',
      sideBySide([bin, 'token'], { ...env, PD_AUTH_DEBUG: '1' }, runs),
      '—',
    );
    row('`pd-auth --help`', sideBySide([bin, '--help'], env, runs), '—');
    row('`pd-auth status --offline`', sideBySide([bin, 'status', '--offline'], env, runs), '—');
    row('peak memory of `pd-auth token`', token, '—', true);
    row('`pd-auth refresh`, secrets in the file', sideBySide([bin, 'refresh'], env, runs), '—');
    if (keyring) {
      // A second store whose secrets are in the private keyring (PD_AUTH_STORAGE unset: the default).
      const { PD_AUTH_STORAGE: _, ...rest } = env;
      const inKeyring = { ...rest, ...keyring.env, PD_AUTH_CONFIG_DIR: join(work, 'config-keyring') };
      measure(login, inKeyring);
      row(
        '`pd-auth token`, secrets in the OS keyring',
        sideBySide([bin, 'token'], inKeyring, runs),
        target('≤ 1.10×'),
      );
      row('`pd-auth refresh`, secrets in the OS keyring', sideBySide([bin, 'refresh'], inKeyring, runs), '—');
    }
    row(
      `whole \`pd-auth login\` (emulator, auto-approve, ${fetcher?.[0] ?? 'Node scripted'} browser)`,
      sideBySide(login, env, loginRuns, configDir),
      target('≤ 3×'),
    );
    if (fetcher) {
      row(
        'the same with the Node scripted browser (two Node start-ups)',
        sideBySide(login, { ...env, BROWSER: scriptedBrowser }, loginRuns, configDir),
        '—',
      );
    }
    const size = packageSizes(root);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      [
        `pd-auth bench: Node ${nodeVersion} measured (${node}), ${process.platform} ${process.arch}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB;`,
        hyperfine
          ? `times by ${hyperfine} (-N, rounds of 5 runs of each command after a warm-up): medians of ${runs} runs (${loginRuns} for login); peak memory from 5 runs of the Node harness.`
          : `a Node harness: medians of ${runs} runs (${loginRuns} for login), each alternating with \`node -e 0\`.`,
        '',
        '| what | pd-auth | `node -e 0` | ratio | target |',
        '|---|---|---|---|---|',
        ...rows,
        '',
        '| package | size |',
        '|---|---|',
        `| \`npm pack\` tarball | ${kib(size.packedBytes)} |`,
        `| unpacked | ${kib(size.unpackedBytes)} in ${size.fileCount} files |`,
        `| production dependencies, installed | ${(size.depsBytes / 2 ** 20).toFixed(1)} MiB in ${size.depCount} packages |`,
        '',
      ].join('\n'),
    );
  } finally {
    keyring?.stop();
    emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
