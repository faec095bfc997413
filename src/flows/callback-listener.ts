import { PdAuthError } from '../errors.js';
import { type CallbackServer, PortInUseError, startCallbackServer } from '../oauth/callback-server.js';
import type { ListenPlan } from '../oauth/redirect-uri.js';
import { renderPage } from '../ui/html.js';

function portInUse(err: PortInUseError, uri: string): PdAuthError {
  const busy = err.code === 'EADDRINUSE';
  return new PdAuthError(
    busy
      ? `port ${err.port} is already in use, so pd-auth cannot receive the callback at ${uri}`
      : `cannot listen on port ${err.port} for ${uri} (${err.code})`,
    {
      hint: `stop the program using port ${err.port} (e.g. \`lsof -i :${err.port}\`), or register another callback URL in Developer Hub and pass it with --redirect-uri`,
      cause: err,
    },
  );
}

/** The login's callback listener on every loopback address of the plan; none for a URL pd-auth cannot serve. */
export async function openListener(
  plan: ListenPlan | undefined,
  uri: string,
  state: string,
): Promise<CallbackServer | undefined> {
  if (!plan) return undefined;
  try {
    return await startCallbackServer({ plan, state, render: renderPage });
  } catch (err) {
    throw err instanceof PortInUseError ? portInUse(err, uri) : err;
  }
}
