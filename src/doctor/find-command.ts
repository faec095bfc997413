import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const runnable = (path: string, platform: NodeJS.Platform) => {
  try {
    if (!statSync(path).isFile()) return false;
    // Windows has no execute bit; a file with one of PATHEXT's endings is what it runs.
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Where the shell would find `command`: itself when it names a path (absolute, or with a
 * separator), else the first runnable file of that name on PATH (with PATHEXT's endings on Windows).
 */
export function findCommand(
  command: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string | undefined {
  const endings =
    platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const candidates = (base: string) => endings.map((e) => `${base}${e}`);
  if (isAbsolute(command) || command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return candidates(command).find((c) => runnable(c, platform));
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter).filter(Boolean);
  for (const dir of dirs) {
    const hit = candidates(join(dir, command)).find((c) => runnable(c, platform));
    if (hit) return hit;
  }
  return undefined;
}
