import type { Env } from '../env.js';

export type BrowserOpener = (url: string) => Promise<void>;

/** Splits `BROWSER` like a shell would for simple cases: words, with "double" or 'single' quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

/**
 * Best effort (design.md): the caller has already printed the URL, so a launcher that is missing or
 * fails becomes a warning, never a failed login. `BROWSER` wins (the URL is its last argument;
 * `BROWSER=none` opens nothing); otherwise the `open` package picks the system's opener.
 */
export function createBrowserOpener(env: Env, warn: (message: string) => void): BrowserOpener {
  return async (url) => {
    if (env.browser?.toLowerCase() === 'none') return;
    try {
      if (env.browser) {
        const [cmd, ...args] = splitCommand(env.browser);
        if (!cmd) return;
        const { spawn } = await import('node:child_process');
        const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true });
        child.once('error', (err) => warn(`could not start the browser command ${cmd}: ${err.message}`));
        child.once('exit', (code) => {
          if (code) warn(`the browser command ${cmd} exited with code ${code}`);
        });
        child.unref();
        return;
      }
      if (!env.hasDisplay) {
        warn('no display found (DISPLAY is not set), so no browser was opened: open the URL above yourself');
        return;
      }
      const { default: open } = await import('open');
      const child = await open(url);
      child.once('error', (err) => warn(`could not open a browser: ${err.message}`));
    } catch (err) {
      warn(`could not open a browser: ${(err as Error).message}`);
    }
  };
}
