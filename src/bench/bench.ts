/**
 * `npm run bench`: pd-auth's start-up speed and footprint, each command measured side by side with
 * `node -e 0` in one run (the machine is shared and noisy: ratios from one run are what counts).
 * Sets up its own emulator and store, prints a Markdown table for the README.
 *
 * Times come from hyperfine when it is installed (Debian's package), else from a Node harness that
 * alternates the two commands run by run.
 *
 * Environment: PD_AUTH_BENCH_RUNS (default 30), PD_AUTH_BENCH_LOGIN_RUNS (default 20),
 * PD_AUTH_BENCH_HARNESS=node (the Node harness even when hyperfine is there).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../net/free-port.js';
import { installedSize } from './sizes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/pd-auth.js');
const scriptedBrowser = `${process.execPath} ${join(root, 'dist/demo/scripted-browser.js')}`;
/**
 * The login's browser: a command-line fetcher following the redirects (in auto-approve mode there is
 * no consent page to press, so that is all a browser does), as it starts in a few milliseconds and
 * so measures pd-auth rather than the browser: wget (about 2 ms to start here), else curl (about 6),
 * else the Node scripted browser (a Node start-up of its own).
 */
const fetchers: Array<[name: string, probe: string, command: string]> = [
  ['wget', 'wget', 'wget --quiet --no-proxy --tries=1 --timeout=30 --output-document=/dev/null'],
  ['curl', 'curl', "curl --silent --location --noproxy '*' --max-time 30 --output /dev/null"],
];
const fetcher = fetchers.find(
  ([, probe]) => spawnSync(probe, ['--version'], { stdio: 'ignore' }).status === 0,
);
const runs = Number(process.env.PD_AUTH_BENCH_RUNS ?? 30);
const loginRuns = Number(process.env.PD_AUTH_BENCH_LOGIN_RUNS ?? 20);

interface Sample {
  ms: number;
  rssKb: number;
}

const work = mkdtempSync(join(tmpdir(), 'pd-auth-bench-'));
const rssFile = join(work, 'rss');
// Preloaded into both sides alike: writes the process's peak resident memory when it exits.
const probe = join(work, 'rss-probe.cjs');
writeFileSync(
  probe,
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
);

function measure(args: string[], env: NodeJS.ProcessEnv): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', probe, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return { ms, rssKb: Number(readFileSync(rssFile, 'utf8')) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** The command and `node -e 0`, alternately, `n` times each after one warm-up of both. */
function alternately(args: string[], env: NodeJS.ProcessEnv, n: number, fresh?: string) {
  const reset = () => fresh && rmSync(fresh, { recursive: true, force: true });
  const cmd: Sample[] = [];
  const base: Sample[] = [];
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

/** For hyperfine's own word splitting (-N: no shell in between). */
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const commandLine = (args: string[]) => [process.execPath, ...args].map(quote).join(' ');

/**
 * hyperfine's medians, in rounds of 5 runs of each command (after a warm-up of each), so that the
 * two alternate in blocks rather than one after the other; `fresh` is removed before every run.
 */
function withHyperfine(args: string[], env: NodeJS.ProcessEnv, n: number, fresh?: string) {
  const json = join(work, 'hyperfine.json');
  const cmd: number[] = [];
  const base: number[] = [];
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
    const { results } = JSON.parse(readFileSync(json, 'utf8')) as { results: { times: number[] }[] };
    base.push(...(results[0]?.times ?? []).map((t) => t * 1000));
    cmd.push(...(results[1]?.times ?? []).map((t) => t * 1000));
  }
  return { ms: median(cmd), baseMs: median(base) };
}

/** Times from hyperfine when there is one, else from the Node harness; memory always from the latter. */
function sideBySide(args: string[], env: NodeJS.ProcessEnv, n: number, fresh?: string) {
  const node = alternately(args, env, hyperfine ? Math.min(n, 5) : n, fresh);
  return hyperfine ? { ...node, ...withHyperfine(args, env, n, fresh) } : node;
}

/**
 * The emulator in a process of its own: the measurements block this process (spawnSync), and an
 * emulator in it could not answer meanwhile.
 */
async function startEmulatorProcess(redirectUri: string) {
  const args = [bin, 'emulator', '--port', '0', '--auto-approve', '--redirect-uri', redirectUri];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
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

async function main(): Promise<void> {
  const callbackPort = await freeLoopbackPort();
  const emulator = await startEmulatorProcess(`http://localhost:${callbackPort}/callback`);
  const configDir = join(work, 'config');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    PD_AUTH_CONFIG_DIR: configDir,
    PD_AUTH_OAUTH_URL: emulator.url,
    PIPEDRIVE_CLIENT_ID: emulator.app.clientId,
    PIPEDRIVE_CLIENT_SECRET: emulator.app.clientSecret,
    BROWSER: fetcher?.[2] ?? scriptedBrowser,
  };
  const login = [bin, 'login', '--redirect-uri', emulator.app.redirectUri, '--timeout', '30'];
  try {
    measure(login, env);
    const rows: string[] = [];
    const row = (what: string, r: ReturnType<typeof sideBySide>, target: string, memory = false) => {
      const [v, b] = memory ? [r.rssKb / 1024, r.baseRssKb / 1024] : [r.ms, r.baseMs];
      const unit = memory ? 'MiB' : 'ms';
      rows.push(
        `| ${what} | ${v.toFixed(1)} ${unit} | ${b.toFixed(1)} ${unit} | ${(v / b).toFixed(2)}× | ${target} |`,
      );
    };
    const token = sideBySide([bin, 'token'], env, runs);
    row('`pd-auth token` (valid stored token)', token, '≤ 1.10×');
    row('`pd-auth --help`', sideBySide([bin, '--help'], env, runs), '≤ 1.25×');
    row('`pd-auth status --offline`', sideBySide([bin, 'status', '--offline'], env, runs), '≤ 1.25×');
    row('peak memory of `pd-auth token`', token, '≤ 1.20×', true);
    row(
      `whole \`pd-auth login\` (emulator, auto-approve, ${fetcher?.[0] ?? 'Node scripted'} browser)`,
      sideBySide(login, env, loginRuns, configDir),
      '≤ 3×',
    );
    if (fetcher) {
      row(
        'the same with the Node scripted browser (two Node start-ups)',
        sideBySide(login, { ...env, BROWSER: scriptedBrowser }, loginRuns, configDir),
        'for reference',
      );
    }
    const size = installedSize(root);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      [
        `pd-auth bench: Node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB;`,
        hyperfine
          ? `times by ${hyperfine} (-N, rounds of 5 runs of each command after a warm-up): medians of ${runs} runs (${loginRuns} for login); peak memory from 5 runs of the Node harness.`
          : `a Node harness: medians of ${runs} runs (${loginRuns} for login), each alternating with \`node -e 0\`.`,
        '',
        '| what | pd-auth | `node -e 0` | ratio | target |',
        '|---|---|---|---|---|',
        ...rows,
        `| installed size | ${size.ownKb.toFixed(0)} KiB pd-auth + ${(size.depsKb / 1024).toFixed(1)} MiB in ${size.depCount} production dependencies | | | reported |`,
        '',
      ].join('\n'),
    );
  } finally {
    emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
