/**
 * `npm run bench`: pd-auth's start-up speed and footprint, each command measured side by side with
 * `node -e 0` in one run (the machine is shared and noisy: ratios from one run are what counts).
 * Sets up its own emulator and store, prints a Markdown table for the README.
 *
 * Environment: PD_AUTH_BENCH_RUNS (default 30), PD_AUTH_BENCH_LOGIN_RUNS (default 10).
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
 * The login's browser: curl following the redirects (in auto-approve mode there is no consent page
 * to press, so that is all a browser does), as it starts in a few milliseconds and so measures
 * pd-auth rather than the browser. Without curl, the Node scripted browser (itself a Node start-up).
 */
const curlBrowser =
  spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0
    ? "curl --silent --location --noproxy '*' --max-time 30 --output /dev/null"
    : undefined;
const runs = Number(process.env.PD_AUTH_BENCH_RUNS ?? 30);
const loginRuns = Number(process.env.PD_AUTH_BENCH_LOGIN_RUNS ?? 10);

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
function sideBySide(args: string[], env: NodeJS.ProcessEnv, n: number, before?: () => void) {
  const cmd: Sample[] = [];
  const base: Sample[] = [];
  before?.();
  measure(args, env);
  measure(['-e', '0'], env);
  for (let i = 0; i < n; i++) {
    base.push(measure(['-e', '0'], env));
    before?.();
    cmd.push(measure(args, env));
  }
  return {
    ms: median(cmd.map((s) => s.ms)),
    baseMs: median(base.map((s) => s.ms)),
    rssKb: median(cmd.map((s) => s.rssKb)),
    baseRssKb: median(base.map((s) => s.rssKb)),
  };
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
    BROWSER: curlBrowser ?? scriptedBrowser,
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
    const fresh = () => rmSync(configDir, { recursive: true, force: true });
    row(
      `whole \`pd-auth login\` (emulator, auto-approve, ${curlBrowser ? 'curl' : 'Node scripted'} browser)`,
      sideBySide(login, env, loginRuns, fresh),
      '≤ 3×',
    );
    if (curlBrowser) {
      row(
        'the same with the Node scripted browser (two Node start-ups)',
        sideBySide(login, { ...env, BROWSER: scriptedBrowser }, loginRuns, fresh),
        'for reference',
      );
    }
    const size = installedSize(root);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      [
        `pd-auth bench: Node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB;`,
        `medians of ${runs} runs (${loginRuns} for login), each alternating with \`node -e 0\`.`,
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
