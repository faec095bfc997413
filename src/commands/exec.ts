import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError } from '../errors.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { parsePositiveInt, parseProfileName, profileOptionHelp } from './shared.js';

export interface ExecOptions {
  profile: string;
  command: string[];
  minValidSeconds?: number;
}

/**
 * Runs the command with PIPEDRIVE_ACCESS_TOKEN and PIPEDRIVE_API_DOMAIN set to fresh values, with our
 * stdio, and returns its exit code (128 + n when a signal ended it, as shells report it).
 */
export async function runExec(opts: ExecOptions, deps: Deps): Promise<number> {
  const [cmd, ...args] = opts.command;
  if (!cmd) throw new PdAuthError('no command given', { exitCode: 2, hint: 'pd-auth exec -- CMD [ARGS...]' });
  const { getValidToken } = await import('../flows/refresh.js');
  const [{ spawn }, { constants }] = await Promise.all([import('node:child_process'), import('node:os')]);
  const p = await getValidToken(opts.profile, deps, {
    ...(opts.minValidSeconds !== undefined ? { minValidMs: opts.minValidSeconds * 1000 } : {}),
  });
  const env = {
    ...deps.childEnv,
    PIPEDRIVE_ACCESS_TOKEN: p.tokens.accessToken,
    PIPEDRIVE_API_DOMAIN: p.tokens.apiDomain,
  };
  const { io } = deps;
  const child = spawn(cmd, args, { env, stdio: io.inheritable ? 'inherit' : 'pipe' });
  if (!io.inheritable) {
    child.stdout?.pipe(io.stdout, { end: false });
    child.stderr?.pipe(io.stderr, { end: false });
    io.stdin.pipe(child.stdin as NodeJS.WritableStream);
  }
  let last: { signal: NodeJS.Signals; at: number } | undefined;
  const untrap = deps.trapSignals((signal) => {
    // conf's exit hook re-raises a signal it saw at once: pass each one on only once.
    const now = Date.now();
    if (last && last.signal === signal && now - last.at < 200) return;
    last = { signal, at: now };
    // Ctrl+C in a terminal already reached the child (same process group); a signal sent to
    // pd-auth alone (kill, a process manager) is passed on.
    if (signal !== 'SIGINT' || !(io.stdin as { isTTY?: boolean }).isTTY) child.kill(signal);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        const code = err.code === 'ENOENT' ? 127 : 126;
        io.stderr.write(
          `error: cannot run ${cmd}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`,
        );
        resolve(code);
      });
      child.once('close', (code, signal) => {
        if (signal) resolve(128 + (constants.signals[signal] ?? 0));
        else if (code !== null) resolve(code);
        else reject(new Error('the child process ended without a code or signal'));
      });
    });
  } finally {
    untrap();
  }
}

export function registerExec(program: Command, deps: () => Deps, setExit: (code: number) => void): void {
  program
    .command('exec')
    .description('run a command with PIPEDRIVE_ACCESS_TOKEN and PIPEDRIVE_API_DOMAIN set to fresh values')
    .usage('[options] -- <command> [args...]')
    .argument('<command...>', 'the command and its arguments')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option(
      '--min-valid <seconds>',
      'refresh first when the token expires within this time (default 300)',
      parsePositiveInt(86_400),
    )
    .action(async (command: string[], o: { profile?: string; minValid?: number }) => {
      const d = deps();
      const profile = await resolveProfileName(o.profile, d);
      setExit(
        await runExec(
          { profile, command, ...(o.minValid !== undefined ? { minValidSeconds: o.minValid } : {}) },
          d,
        ),
      );
    });
}
