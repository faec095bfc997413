import { stateMatches } from './state.js';

/** What a request to the callback URL (or a pasted redirect URL) says. */
export type CallbackOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'denied'; error: string; description: string | undefined }
  | { kind: 'invalid'; reason: string };

const maxValueLength = 4096;

function single(params: URLSearchParams, name: string): string | undefined | null {
  const all = params.getAll(name);
  if (all.length === 0) return undefined;
  if (all.length > 1) return null; // repeated: ambiguous, refuse
  return all[0];
}

/**
 * Reads the callback query. The state is checked first, so nothing a third party sends without the
 * state (a hostile page probing the port, another local process) can end or steer the login.
 * Pipedrive sends `error=user_denied` on Cancel; SDK READMEs show `access_denied`; any `error` ends
 * the login (pipedrive-oauth.md §5).
 */
export function interpretCallback(params: URLSearchParams, expectedState: string): CallbackOutcome {
  const state = single(params, 'state');
  if (state === null) return { kind: 'invalid', reason: 'the state parameter is repeated' };
  if (!stateMatches(expectedState, state)) {
    return {
      kind: 'invalid',
      reason: state === undefined ? 'the state parameter is missing' : 'the state does not match this login',
    };
  }
  const error = single(params, 'error');
  const code = single(params, 'code');
  if (error === null || code === null) return { kind: 'invalid', reason: 'a parameter is repeated' };
  if (error !== undefined) {
    if (code !== undefined) return { kind: 'invalid', reason: 'both code and error are present' };
    const description = single(params, 'error_description') ?? undefined;
    return { kind: 'denied', error: error.slice(0, 200), description: description?.slice(0, 500) };
  }
  if (code === undefined || code === '') return { kind: 'invalid', reason: 'the code parameter is missing' };
  if (code.length > maxValueLength) return { kind: 'invalid', reason: 'the code is too long' };
  return { kind: 'code', code };
}

/** The full redirected URL a user pasted (`--no-browser`), or just its query string. */
export function parsePastedRedirect(text: string): URLSearchParams | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return new URL(trimmed).searchParams;
  } catch {
    if (/^\??[\w%.~-]+=/.test(trimmed)) return new URLSearchParams(trimmed.replace(/^\?/, ''));
    return undefined;
  }
}
