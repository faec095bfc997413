import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { ExitCode } from '../errors.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export interface DoctorCommandOptions {
  profile: string | undefined;
  live: boolean;
  json: boolean;
}

/**
 * `pd-auth doctor`: the report is the command's output, so it goes to stdout (human or --json);
 * returns 1 when a check failed, else 0 (warnings too).
 */
export async function runDoctor(
  opts: DoctorCommandOptions,
  deps: Deps,
  system = { nodeVersion: process.versions.node, env: deps.childEnv },
): Promise<number> {
  const [{ runDoctorChecks }, { doctorJson, doctorText }, { overall }] = await Promise.all([
    import('../doctor/run.js'),
    import('../doctor/report.js'),
    import('../doctor/check.js'),
  ]);
  const report = await runDoctorChecks({ profile: opts.profile, live: opts.live }, deps, system);
  if (opts.json) deps.io.stdout.write(doctorJson(report));
  else {
    const { default: chalk } = await import('chalk');
    const paint = { ok: chalk.green, warning: chalk.yellow, failure: chalk.red, skipped: chalk.dim };
    deps.io.stdout.write(doctorText(report, { color: chalk.level > 0, paint }));
  }
  return overall(report.checks) === 'failure' ? ExitCode.failure : ExitCode.ok;
}

export function registerDoctor(program: Command, deps: () => Deps, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('check everything a login or a refresh depends on, and say how to fix what is not right')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('--live', 'also refresh once with the stored refresh token (stores the new tokens)')
    .option('--json', 'machine-readable output (documented schema; never a token or secret)')
    .action(async (o: { profile?: string; live?: boolean; json?: boolean }) => {
      setExit(await runDoctor({ profile: o.profile, live: Boolean(o.live), json: Boolean(o.json) }, deps()));
    });
}
