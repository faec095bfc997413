import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { addonError, childError, libraryError, timeoutError } from './keyring-error.js';
import { type KeyringOp, type KeyringResult, readAnswer } from './keyring-op.js';
import { workerSource } from './worker-source.js';

export interface BatchSettings {
  backend: string;
  service: string;
  timeoutMs: number;
  noticeAfterMs: number;
  onSlow: (() => void) | undefined;
  signal: AbortSignal | undefined;
  env: NodeJS.ProcessEnv;
}

let addonPath: string | undefined;

/**
 * The absolute path of @napi-rs/keyring, resolved from this module the way a static import would be.
 * import.meta.url does not exist in the CommonJS bundle: the build defines it as __filename there
 * (package.json, esbuild --define), a path createRequire takes as well as a URL.
 */
const resolveAddon = () => {
  addonPath ??= createRequire(import.meta.url).resolve('@napi-rs/keyring');
  return addonPath;
};

/** Runs `ops` in one helper process (worker-source.ts), killed at the deadline or on abort. */
export async function runBatch(ops: KeyringOp[], s: BatchSettings): Promise<KeyringResult[]> {
  const started = Date.now();
  s.signal?.throwIfAborted();
  if (ops.length === 0) return [];
  let addon: string;
  try {
    addon = resolveAddon();
  } catch (err) {
    throw addonError(s.backend, (err as Error).message);
  }
  // Loaded on first use: child_process costs 2-5 ms, and most commands never touch the keyring.
  const { spawn } = await import('node:child_process');
  s.signal?.throwIfAborted();
  const child = spawn(process.execPath, ['--input-type=commonjs', '-e', workerSource, addon], {
    env: s.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  return settle(child, ops, s, Date.now() - started);
}

/**
 * Settles on the last answer (all results, the first error, garbage), the deadline or an abort,
 * and then SIGKILLs the child if it still runs, without waiting for it: one killed in a keyring
 * call ends at once, no handle of it keeps this process alive, and none can outlive the batch.
 * An op has taken effect once its answer is written, so settling saves the child's exit (~4 ms).
 */
function settle(child: ChildProcess, ops: KeyringOp[], s: BatchSettings, elapsedMs: number) {
  const results: KeyringResult[] = [];
  let settled = false;
  let stdout = '';
  let stderr = '';

  return new Promise<KeyringResult[]>((resolve, reject) => {
    const end = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(notice);
      s.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      child.unref();
      return true;
    };
    const fail = (err: unknown) => end() && reject(err);
    const broken = (why: string) => {
      // Our code never writes a secret to stderr; a crash report should not carry one out either.
      const secrets = ops.flatMap((o) => (o.op === 'set' && o.secret !== '' ? [o.secret] : []));
      const said = secrets.reduce((text, secret) => text.replaceAll(secret, '***'), stderr.trim());
      fail(childError(s.backend, `its helper process ${why}${said ? `: ${said}` : ''}`, results.length));
    };

    const onAbort = () => fail(s.signal?.reason);
    s.signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = setTimeout(
      () => fail(timeoutError(s.backend, s.timeoutMs, results.length)),
      Math.max(0, s.timeoutMs - elapsedMs),
    );
    const notice =
      s.onSlow && s.timeoutMs > s.noticeAfterMs
        ? setTimeout(s.onSlow, Math.max(0, s.noticeAfterMs - elapsedMs))
        : undefined;

    const onLine = (line: string) => {
      const answer = readAnswer(ops[results.length], line);
      if ('garbage' in answer) return broken(`answered ${answer.garbage}`);
      if (!answer.ok) {
        const { error, load } = answer;
        return fail(load ? addonError(s.backend, error) : libraryError(s.backend, error, results.length));
      }
      results.push(answer.result);
      if (results.length === ops.length && end()) resolve(results);
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      for (let nl = stdout.indexOf('\n'); nl >= 0 && !settled; nl = stdout.indexOf('\n')) {
        onLine(stdout.slice(0, nl));
        stdout = stdout.slice(nl + 1);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.stdin?.on('error', () => {}); // EPIPE when the child died first: 'close' says so.
    child.stdin?.end(JSON.stringify({ service: s.service, ops }));

    child.on('error', (err) => fail(childError(s.backend, `its helper could not start: ${err.message}`, 0)));
    child.on('close', (code, signal) =>
      broken(`ended (${signal ?? `exit code ${code}`}) after ${results.length} of ${ops.length} operations`),
    );
  });
}
