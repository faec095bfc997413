import { readFileSync } from 'node:fs';
import { ExitCode } from '../errors.js';
import { isTerminal } from '../ui/terminal.js';
import { version } from '../version.js';
import { fastEnv, writeAll } from './output.js';

/**
 * `pd-auth --help` (also `-h`, `help`, and no arguments at all, which prints the same and exits 2)
 * and `pd-auth --version` (`-V`), without loading commander (issue 5).
 *
 * The help text is commander's own: the build runs `pd-auth --help` through the full CLI and keeps
 * what it printed in `helpFile` (dist/cli/root-help.txt). Commander wraps help to 80 columns unless
 * stdout is a terminal of another width, so the kept text is used when stdout is not a terminal or
 * is one 80 columns wide; otherwise, and when the file is missing, the full CLI prints the help.
 */
export async function fastHelp(
  argv: string[],
  env: NodeJS.ProcessEnv,
  helpFile: string | undefined,
): Promise<number | undefined> {
  if (argv.length > 1 || !fastEnv(env)) return undefined;
  const [arg] = argv;
  if (arg === '--version' || arg === '-V') {
    await writeAll(1, `${version}\n`);
    return ExitCode.ok;
  }
  if (!(arg === undefined || arg === '--help' || arg === '-h' || arg === 'help') || !helpFile)
    return undefined;
  let text: string;
  try {
    text = readFileSync(helpFile, 'utf8');
  } catch {
    return undefined;
  }
  if (isTerminal(1) && (process.stdout.columns ?? 80) !== 80) return undefined;
  await writeAll(1, text);
  return arg === undefined ? ExitCode.usage : ExitCode.ok;
}
