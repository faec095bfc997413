import type { Deps } from '../deps.js';
import { CancelledError, PdAuthError } from '../errors.js';
import { type CallbackOutcome, interpretCallback, parsePastedRedirect } from '../oauth/callback-params.js';
import type { CallbackServer } from '../oauth/callback-server.js';
import { startStatusLine } from '../ui/waiting.js';

export type FinalOutcome = Exclude<CallbackOutcome, { kind: 'invalid' }>;

export interface WaitOptions {
  server: CallbackServer | undefined;
  state: string;
  timeoutMs: number;
  /** Also accept the redirected URL pasted at a prompt (`--no-browser`). */
  acceptPaste: boolean;
}

function checkPasted(text: string, state: string): CallbackOutcome {
  const params = parsePastedRedirect(text);
  if (!params) return { kind: 'invalid', reason: 'that is not a URL' };
  return interpretCallback(params, state);
}

/**
 * Whichever comes first: the browser's callback, a pasted redirect URL, the timeout, or Ctrl+C.
 * Everything it started (timer, prompt, status line) is stopped before it returns.
 */
export async function waitForCallback(opts: WaitOptions, deps: Deps): Promise<FinalOutcome> {
  const local = new AbortController();
  const stopLocal = () => local.abort();
  deps.signal.addEventListener('abort', stopLocal, { once: true });
  const deadline = deps.now() + opts.timeoutMs;
  const status = opts.acceptPaste
    ? undefined
    : startStatusLine(deps.io.stderr, deps.io.stderrIsTTY, 'Waiting for the browser…', deadline, deps.now);
  let timer: NodeJS.Timeout | undefined;
  const racers: Promise<FinalOutcome>[] = [
    new Promise((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new PdAuthError(
            `timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for the browser; nothing was saved`,
            {
              hint: 'run the command again (and allow access within the time), or pass --timeout SECONDS',
            },
          ),
        );
      }, opts.timeoutMs);
    }),
    new Promise((_, reject) => {
      if (deps.signal.aborted) reject(new CancelledError());
      deps.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true });
    }),
  ];
  if (opts.server) racers.push(opts.server.outcome);
  if (opts.acceptPaste) {
    racers.push(
      deps.prompter
        .input('Paste the full URL your browser was redirected to:', {
          signal: local.signal,
          validate: (v) => {
            const r = checkPasted(v, opts.state);
            return r.kind === 'invalid'
              ? `${r.reason}; paste the whole address from the browser's address bar`
              : true;
          },
        })
        .then((text) => checkPasted(text, opts.state) as FinalOutcome),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    clearTimeout(timer);
    status?.stop();
    deps.signal.removeEventListener('abort', stopLocal);
    local.abort();
  }
}
