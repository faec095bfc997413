import { UsageError } from '../errors.js';

/**
 * Pipedrive allows one callback URL per app and wants an exact match (pipedrive-oauth.md §6), so the
 * port is fixed, never random. 8484 is below 49152 and not a default of common dev servers.
 */
export const defaultRedirectUri = 'http://localhost:8484/callback';

export interface ListenPlan {
  /** Loopback addresses to bind: both families for `localhost` (browsers may pick either). */
  hosts: string[];
  port: number;
  path: string;
}

export interface RedirectTarget {
  uri: string;
  /** Where to listen; undefined when the URI is not a loopback http URL (paste-back only). */
  listen: ListenPlan | undefined;
}

function loopbackHosts(hostname: string): string[] | undefined {
  if (hostname === 'localhost') return ['127.0.0.1', '::1'];
  if (hostname === '[::1]') return ['::1'];
  if (/^127(\.\d{1,3}){3}$/.test(hostname)) return [hostname];
  return undefined;
}

export function parseRedirectUri(uri: string): RedirectTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(
      `--redirect-uri ${JSON.stringify(uri)} is not a URL`,
      'pass the callback URL registered in Developer Hub, e.g. http://localhost:8484/callback',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the redirect URI must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.username || url.password || uri.includes('#')) {
    throw new UsageError('the redirect URI must not contain credentials or a #fragment');
  }
  const hosts = url.protocol === 'http:' ? loopbackHosts(url.hostname) : undefined;
  return {
    uri,
    listen: hosts ? { hosts, port: url.port === '' ? 80 : Number(url.port), path: url.pathname } : undefined,
  };
}
