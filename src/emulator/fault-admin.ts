import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSameOrigin } from './admin.js';
import type { EmulatorContext } from './context.js';
import { FaultSpecError } from './faults.js';
import { hasMediaType, readBody, sendJson } from './http-io.js';

/*
 * Fault injection over HTTP, for tests that drive the emulator from another process (such as a
 * `pd-auth emulator` started by a script). Every answer is `{faults: [...pending]}`.
 *   GET    /emulator/faults   list the pending faults, `times` being what is left
 *   POST   /emulator/faults   append a JSON array of FaultSpec; 400 (nothing added) if one is bad
 *   DELETE /emulator/faults   drop them all
 */

export function handleListFaults(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse) {
  sendJson(res, 200, { faults: ctx.faults.list() });
}

export async function handleAddFaults(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req);
  if (!checkOrigin(req, res)) return;
  // Also keeps browsers out: a cross-site JSON POST needs a CORS preflight the emulator never grants.
  if (!hasMediaType(req, 'application/json')) {
    sendJson(res, 415, { success: false, error: 'Content-Type must be application/json' });
    return;
  }
  try {
    ctx.faults.add(JSON.parse(body));
  } catch (error: unknown) {
    if (!(error instanceof SyntaxError || error instanceof FaultSpecError)) throw error;
    sendJson(res, 400, { success: false, error: error.message });
    return;
  }
  sendJson(res, 200, { faults: ctx.faults.list() });
}

export async function handleClearFaults(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  await readBody(req);
  if (!checkOrigin(req, res)) return;
  ctx.faults.clear();
  sendJson(res, 200, { faults: [] });
}

/** Same rule as /emulator/regenerate-secret; false once the 403 is sent. */
function checkOrigin(req: IncomingMessage, res: ServerResponse): boolean {
  if (isSameOrigin(req)) return true;
  sendJson(res, 403, { success: false, error: 'Cross-origin request refused' });
  return false;
}
