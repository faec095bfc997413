import { fetchCurrentUser } from '../api/current-user.js';
import type { Deps } from '../deps.js';
import { PdAuthError, profileFlag, UsageError } from '../errors.js';
import { buildAuthorizeUrl, defaultOAuthUrl } from '../oauth/authorize-url.js';
import { defaultRedirectUri, parseRedirectUri } from '../oauth/redirect-uri.js';
import { newState } from '../oauth/state.js';
import { createTokenClient } from '../oauth/token-client.js';
import { toStoredTokens } from '../oauth/token-set.js';
import type { Profile, Storage } from '../store/profile.js';
import { openListener } from './callback-listener.js';
import { resolveClientId, resolveClientSecret } from './credentials.js';
import { explainApiError, explainTokenError } from './explain.js';
import { implicitProfile } from './profile-name.js';
import { chooseStorage, requestedStorage, saveLogin } from './storage-choice.js';
import { waitForCallback } from './wait-for-callback.js';

export interface LoginOptions {
  profile: string;
  clientId?: string;
  clientSecretStdin?: boolean;
  redirectUri?: string;
  browser: boolean;
  timeoutSeconds: number;
  /** --storage: where the secrets go (default: the OS keyring when it answers, else the file, announced). */
  storage?: Storage;
}

export interface LoginResult {
  profile: string;
  saved: Profile;
  storePath: string;
}

/** The whole browser login: listener first (so a busy port fails before the browser opens). */
export async function login(opts: LoginOptions, deps: Deps): Promise<LoginResult> {
  const { profile: name } = opts;
  const err = (s: string) => deps.io.stderr.write(`${s}\n`);
  // A bad --redirect-uri is a usage error before anything is asked.
  const flagTarget = opts.redirectUri === undefined ? undefined : parseRedirectUri(opts.redirectUri);
  const stored = await deps.store.getProfile(name);
  const oauthUrl = (deps.env.oauthUrl ?? defaultOAuthUrl).replace(/\/+$/, '');
  const clientId = await resolveClientId(opts.clientId, stored, deps);
  const sameApp = stored?.clientId === clientId ? stored : undefined;
  const storedSecret = sameApp && (async () => (await deps.store.loadSecrets(name))?.clientSecret);
  const clientSecret = await resolveClientSecret(opts, storedSecret || undefined, deps);
  deps.log.redact(clientSecret);
  const target = flagTarget ?? parseRedirectUri(sameApp?.redirectUri ?? defaultRedirectUri);
  if (!target.listen && !(deps.io.isInteractive && !opts.browser)) {
    throw new UsageError(
      `${target.uri} is not a loopback http URL, so pd-auth cannot listen for it`,
      'use --no-browser in a terminal to paste the redirected URL, or register http://localhost:8484/callback',
    );
  }
  const requested = requestedStorage(opts.storage, stored, deps);
  const choice = await chooseStorage(requested, deps);
  err(`Callback URL (register exactly this in Developer Hub): ${target.uri}`);

  const state = newState();
  // Every loopback address of the callback URL is bound before the browser starts: a busy port fails first.
  const server = await openListener(target.listen, target.uri, state);
  if (target.listen)
    deps.log.debug(`listening on ${target.listen.hosts.join(', ')} port ${target.listen.port}`);
  try {
    const authorizeUrl = buildAuthorizeUrl(oauthUrl, { clientId, redirectUri: target.uri, state });
    err(`Open this URL to authorize the app:\n\n  ${authorizeUrl}\n`);
    if (opts.browser) await deps.openBrowser(authorizeUrl);
    else if (deps.env.sshConnection && target.listen) {
      const p = target.listen.port;
      err(`Over SSH? Forward the callback port from your computer: ssh -L ${p}:localhost:${p} <this host>`);
    }
    const outcome = await waitForCallback(
      {
        server,
        state,
        timeoutMs: opts.timeoutSeconds * 1000,
        acceptPaste: !opts.browser && deps.io.isInteractive,
      },
      deps,
    );
    if (outcome.kind === 'denied') {
      server?.finish({
        ok: false,
        title: 'Login cancelled',
        lines: ['You cancelled the consent. You can close this tab.'],
      });
      throw new PdAuthError(
        `the consent was cancelled in the browser (error=${outcome.error}); nothing was saved`,
        {
          hint: `run \`pd-auth login${profileFlag(name, await implicitProfile(deps))}\` again and choose "Allow and install"`,
        },
      );
    }
    deps.log.debug('callback received');
    deps.log.redact(outcome.code);
    const client = createTokenClient(deps.http, oauthUrl, { clientId, clientSecret });
    let saved: Profile;
    try {
      deps.log.debug(`POST ${oauthUrl}/oauth/token grant_type=authorization_code`);
      const res = await client.exchangeCode(outcome.code, target.uri, deps.signal);
      deps.log.redact(res.accessToken);
      deps.log.redact(res.refreshToken);
      const fallbackApi = oauthUrl === defaultOAuthUrl ? 'https://api.pipedrive.com' : oauthUrl;
      const tokens = toStoredTokens(res, deps.now(), undefined, fallbackApi);
      saved = { clientId, clientSecret, redirectUri: target.uri, oauthUrl, tokens, updatedAt: deps.now() };
      saved = {
        ...saved,
        storage: choice.storage,
        ...(choice.fallback ? { storageFallback: choice.fallback } : {}),
      };
    } catch (e) {
      const explained = explainTokenError(e, 'exchange', {
        profile: name,
        implicit: await implicitProfile(deps),
        redirectUri: target.uri,
      });
      server?.finish({
        ok: false,
        title: 'Login failed',
        lines: [explained.message, 'Details are in the terminal.'],
      });
      throw explained;
    }
    deps.log.debug(`GET ${saved.tokens?.apiDomain}/api/v1/users/me`);
    try {
      const me = await fetchCurrentUser(
        deps.http,
        saved.tokens?.apiDomain ?? '',
        saved.tokens?.accessToken ?? '',
        deps.signal,
      );
      saved = { ...saved, user: me.user, company: me.company };
    } catch (e) {
      deps.warn(`logged in, but could not read who you are from /users/me: ${explainApiError(e)}`);
    }
    deps.log.debug(`saving profile "${name}" to ${deps.store.path}`);
    saved = await saveLogin(name, saved, { choice, requested }, deps);
    deps.log.debug('saved');
    const who = saved.user ? `${saved.user.name} <${saved.user.email}>` : 'your Pipedrive user';
    server?.finish({
      ok: true,
      title: 'Logged in',
      lines: [
        `pd-auth is now authorized as ${who}${saved.company ? ` at ${saved.company.name}` : ''}.`,
        'You can close this tab and return to the terminal.',
      ],
    });
    return { profile: name, saved, storePath: deps.store.path };
  } finally {
    if (server) {
      deps.log.debug('closing the callback listener');
      await server.close();
    }
  }
}
