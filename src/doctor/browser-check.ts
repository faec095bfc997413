import type { Env } from '../env.js';
import type { RedirectTarget } from '../oauth/redirect-uri.js';
import { splitCommand } from '../ui/browser.js';
import { type Outcome, ok, warning } from './check.js';
import { findCommand } from './find-command.js';

/** What the `open` package runs when BROWSER is not set (open 10: xdg-open, open, PowerShell). */
const systemOpener: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'xdg-open',
  darwin: 'open',
  win32: 'powershell',
};

/**
 * Whether a login can show the consent page: BROWSER's command (split as src/ui/browser.ts splits
 * it) or the system's opener must exist, and on Linux a display. A browser is best effort (the login
 * prints the URL first), so this check warns and never fails.
 */
export function checkBrowser(
  env: Env,
  processEnv: NodeJS.ProcessEnv,
  target: RedirectTarget | undefined,
): Outcome {
  const port = target?.listen?.port ?? 8484;
  const noBrowser =
    'log in with --no-browser: pd-auth prints the URL, and you paste back the address the browser was sent to';
  if (env.sshConnection) {
    return warning(
      'this is an SSH session (SSH_CONNECTION is set): a browser opened here would not be on your screen',
      `${noBrowser}; for the callback to reach this machine, forward its port from your computer: ssh -L ${port}:localhost:${port} <this host>`,
    );
  }
  if (env.browser?.toLowerCase() === 'none')
    return ok('BROWSER=none: a login opens nothing and prints the URL to open');
  if (env.browser) {
    const [cmd] = splitCommand(env.browser);
    const found = cmd ? findCommand(cmd, processEnv, env.platform) : undefined;
    if (found) return ok(`BROWSER: ${found}`);
    return warning(
      `BROWSER names ${JSON.stringify(cmd ?? '')}, which is not found${cmd && !cmd.includes('/') ? ' on PATH' : ''}`,
      `set BROWSER to your browser's command (the URL is added as its last argument), or unset it; or ${noBrowser}`,
    );
  }
  if (!env.hasDisplay) {
    return warning(
      'no display (DISPLAY, WAYLAND_DISPLAY and MIR_SOCKET are not set): a login opens no browser here',
      `${noBrowser}; or set BROWSER to a command that opens a URL`,
    );
  }
  const opener = systemOpener[env.platform];
  const found = opener ? findCommand(opener, processEnv, env.platform) : undefined;
  if (found) return ok(`the system's opener: ${found}`);
  return warning(
    `${opener ?? "the system's opener"} is not found${opener ? ' on PATH' : ''}: a login may open no browser`,
    `set BROWSER to your browser's command, or ${noBrowser}`,
  );
}
