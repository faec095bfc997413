import { APP_NAME, type EmulatorContext, GRANTED_SCOPES } from './context.js';
import { emulatorPage, escapeHtml, renderDetails } from './page.js';

export interface ConsentRequest {
  requestId: string;
  redirectUri: string;
  state: string | undefined;
}

/**
 * Pipedrive's consent dialog: app, company, scopes, and the buttons "Allow and install" and
 * "Cancel" (pipedrive-oauth.md §1). Browser tests click the buttons by those exact texts.
 */
export function renderConsentPage(ctx: EmulatorContext, request: ConsentRequest): string {
  const { user } = ctx.config;
  const scopes = GRANTED_SCOPES.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  const body = `<h1>${escapeHtml(APP_NAME)} wants access to your Pipedrive account</h1>
<p>Installing for <strong>${escapeHtml(user.company_name)}</strong>
(${escapeHtml(user.company_domain)}) as ${escapeHtml(user.name)} &lt;${escapeHtml(user.email)}&gt;.</p>
<p>The app will be able to use these scopes:</p>
<ul>${scopes}</ul>
<p class="note">This is the pd-auth emulator of Pipedrive's OAuth server. No real Pipedrive account is involved.</p>
${renderDetails([
  ['Redirect URI', request.redirectUri],
  ['State', request.state ?? '(none)'],
])}
<form method="post" action="/oauth/authorize/decision">
<input type="hidden" name="request_id" value="${escapeHtml(request.requestId)}">
<button class="primary" type="submit" name="decision" value="allow">Allow and install</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>`;
  return emulatorPage(`Install ${APP_NAME}`, body);
}
