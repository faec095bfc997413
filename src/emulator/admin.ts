import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_NAME, type EmulatorContext } from './context.js';
import { readBody, sendHtml, sendJson } from './http-io.js';
import { emulatorPage, escapeHtml, renderDetails } from './page.js';
import { newClientSecret } from './token-format.js';

/** Like Developer Hub's "Generate new client secret": no grace period, and user tokens survive (§11). */
export function regenerateSecret(ctx: EmulatorContext): string {
  ctx.app.clientSecret = newClientSecret();
  return ctx.app.clientSecret;
}

/** GET / and GET /developer-hub. */
export function handleDeveloperHub(ctx: EmulatorContext, _req: IncomingMessage, res: ServerResponse) {
  sendHtml(res, 200, renderDeveloperHubPage(ctx, false));
}

/** POST /emulator/regenerate-secret: JSON `{client_secret}` for scripts, the page for browsers. */
export async function handleRegenerateSecret(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
) {
  await readBody(req);
  // A page on another site could otherwise post the form and break the user's test setup.
  if (!isSameOrigin(req)) {
    sendJson(res, 403, { success: false, error: 'Cross-origin request refused' });
    return;
  }
  const secret = regenerateSecret(ctx);
  if (req.headers.accept?.includes('application/json')) {
    sendJson(res, 200, { client_secret: secret });
  } else {
    sendHtml(res, 200, renderDeveloperHubPage(ctx, true));
  }
}

/** False for a browser request from a page on another site; scripts send no Origin and pass. */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return URL.canParse(origin) && new URL(origin).host === req.headers.host;
}

/**
 * A stand-in for Developer Hub's "OAuth & access scopes" tab. Showing the secret is fine: it is
 * the emulator's own throwaway secret and the server only listens on loopback.
 */
function renderDeveloperHubPage(ctx: EmulatorContext, regenerated: boolean): string {
  const notice = regenerated
    ? '<p class="note">New client secret generated. The old one no longer works; issued tokens stay valid.</p>'
    : '';
  const body = `<h1>Developer Hub (pd-auth emulator)</h1>
<p>App: <strong>${escapeHtml(APP_NAME)}</strong></p>
${notice}
${renderDetails([
  ['Client ID', ctx.app.clientId],
  [regenerated ? 'New client secret' : 'Client secret', ctx.app.clientSecret],
  ['Callback URL', ctx.app.redirectUri],
])}
<form method="post" action="/emulator/regenerate-secret">
<button type="submit">Regenerate client secret</button>
</form>`;
  return emulatorPage('Developer Hub (pd-auth emulator)', body);
}
