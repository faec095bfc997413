import { Command, CommanderError } from 'commander';
import { registerApi } from './commands/api.js';
import { registerCompletion } from './commands/completion.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulator } from './commands/emulator.js';
import { registerExec } from './commands/exec.js';
import { registerExport } from './commands/export.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerProfiles } from './commands/profiles.js';
import { registerRefresh } from './commands/refresh.js';
import { registerRotateSecret } from './commands/rotate-secret.js';
import { registerStatus } from './commands/status.js';
import { registerStorage } from './commands/storage.js';
import { registerToken } from './commands/token.js';
import type { Deps } from './deps.js';
import { CancelledError, ExitCode, PdAuthError } from './errors.js';
import { version } from './version.js';

export interface MainOptions {
  /** Set once the options are parsed, so the logger knows about --verbose. */
  onVerbose?: (verbose: boolean) => void;
}

function buildProgram(deps: Deps, opts: MainOptions, setExit: (code: number) => void): Command {
  const program = new Command()
    .name('pd-auth')
    .description('OAuth tokens for your own Pipedrive app, from a terminal, a script or CI')
    .version(version, '-V, --version')
    .option('--verbose', 'debug output on stderr (secrets masked); also PD_AUTH_DEBUG=1')
    .showHelpAfterError('(run pd-auth --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout.write(s),
      writeErr: (s) => deps.io.stderr.write(s),
    });
  program.hook('preAction', (cmd) => {
    opts.onVerbose?.(Boolean(cmd.optsWithGlobals().verbose));
  });
  const get = () => deps;
  registerLogin(program, get);
  registerRefresh(program, get);
  registerRotateSecret(program, get);
  registerToken(program, get);
  registerStatus(program, get, setExit);
  registerLogout(program, get);
  registerProfiles(program, get);
  registerStorage(program, get);
  registerExport(program, get);
  registerExec(program, get, setExit);
  registerApi(program, get);
  registerDoctor(program, get, setExit);
  registerCompletion(program, get);
  registerEmulator(program, get);
  // Subcommands inherit the behaviour that makes errors come back to main instead of exiting.
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs one command line and returns the exit code; the only place that maps errors to codes. */
export async function main(argv: string[], deps: Deps, opts: MainOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(deps, opts, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return report(err, deps);
  }
}

async function report(caught: unknown, deps: Deps): Promise<number> {
  let err = caught;
  if (err instanceof CommanderError) {
    // Help and version are successes; every other commander error is a usage error (already printed).
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    ) {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  const { chalkStderr: c } = await import('chalk');
  const write = (s: string) => deps.io.stderr.write(`${s}\n`);
  // Ctrl+C during a request surfaces as whatever the request threw: it is still an interruption.
  if (deps.signal.aborted && !(err instanceof PdAuthError)) err = new CancelledError();
  if (err instanceof PdAuthError) {
    write(`${c.red('error:')} ${err.message}`);
    if (err.hint) write(`${c.yellow('hint:')} ${err.hint}`);
    if (deps.log.verbose && err.cause instanceof Error && err.cause.stack) deps.log.debug(err.cause.stack);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  write(`${c.red('error:')} ${e.message}`);
  write('This is a bug in pd-auth; please report it with the output of the same command run with --verbose.');
  deps.log.debug(e.stack ?? '');
  return ExitCode.failure;
}
