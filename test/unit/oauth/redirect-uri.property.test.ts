import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseRedirectUri, type RedirectTarget } from '../../../src/oauth/redirect-uri.js';
import { checkProperty, propertyRuns, thrownBy } from '../../helpers/property.js';

/**
 * Property-based tests of parseRedirectUri, the reader of --redirect-uri (and of the redirect URI a
 * profile stores). Documented: an http(s) URL without credentials or #fragment, else a UsageError
 * (exit 2); kept byte for byte (Pipedrive wants an exact match); a loopback http URL is listened on,
 * on loopback addresses only, at its port (80 when none) and path.
 */

/** Hosts as typed, and the addresses a loopback http URL with that host is listened on. */
const hosts: Array<[string, string[] | undefined]> = [
  ['localhost', ['127.0.0.1', '::1']],
  ['LocalHost', ['127.0.0.1', '::1']],
  ['127.0.0.1', ['127.0.0.1']],
  ['127.1', ['127.0.0.1']],
  ['127.255.255.254', ['127.255.255.254']],
  ['[::1]', ['::1']],
  ['[0:0:0:0:0:0:0:1]', ['::1']],
  ['0.0.0.0', undefined],
  ['[::]', undefined],
  ['[::ffff:127.0.0.1]', undefined],
  ['128.0.0.1', undefined],
  ['192.168.1.10', undefined],
  ['example.com', undefined],
  ['127.0.0.1.example.com', undefined],
  ['localhost.example.com', undefined],
  ['localhost.', undefined],
];

/** A redirect URI built from parts, with the outcome the documented rules give for it. */
const builtUri = fc
  .record({
    scheme: fc.constantFrom('http', 'https', 'HTTP', 'Https', 'ftp', 'ws', 'javascript'),
    userinfo: fc.constantFrom('', '', '', 'user@', 'user:pw@', ':pw@', 'user:@', '@'),
    host: fc.constantFrom(...hosts),
    port: fc.oneof(
      fc.constant(''),
      fc.constant(':'),
      fc.integer({ min: 1, max: 65_535 }).map((n) => `:${n}`),
      fc.constantFrom(':80', ':443', ':8484', ':65536', ':99999'),
    ),
    path: fc.oneof(
      fc.constantFrom('', '/', '/callback', '/callback/'),
      fc
        .array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 3 })
        .map((s) => `/${s.join('/')}`),
    ),
    query: fc.constantFrom('', '?', '?x=1', '?a=b&c=d'),
    fragment: fc.constantFrom('', '', '#', '#top'),
  })
  .map((p) => {
    const uri = `${p.scheme}://${p.userinfo}${p.host[0]}${p.port}${p.path}${p.query}${p.fragment}`;
    const scheme = p.scheme.toLowerCase();
    const portNumber = p.port.length > 1 ? Number(p.port.slice(1)) : undefined;
    const credentials = p.userinfo.replace(/[:@]/g, '') !== '';
    let expected: RedirectTarget | string;
    if (portNumber !== undefined && portNumber > 65_535)
      expected = `--redirect-uri ${JSON.stringify(uri)} is not a URL`;
    else if (scheme !== 'http' && scheme !== 'https')
      expected = `the redirect URI must be an http(s) URL, got ${scheme}:`;
    else if (credentials || p.fragment !== '')
      expected = 'the redirect URI must not contain credentials or a #fragment';
    else {
      const listenOn = scheme === 'http' ? p.host[1] : undefined;
      expected = {
        uri,
        listen: listenOn && { hosts: listenOn, port: portNumber ?? 80, path: p.path === '' ? '/' : p.path },
      };
    }
    return { uri, expected };
  });

/** What parseRedirectUri does with `uri`: its result, or the message of the UsageError it threw. */
function outcome(uri: string): RedirectTarget | string {
  const err = thrownBy(() => parseRedirectUri(uri));
  if (err === undefined) return parseRedirectUri(uri);
  if (!(err instanceof UsageError)) throw new Error(`threw ${String(err)}, not a UsageError`);
  expect(err.exitCode).toBe(2);
  return err.message;
}

const isLoopback = (address: string) => address === '::1' || (isIPv4(address) && address.startsWith('127.'));

/** Any text, URL-like text, and built URIs. */
const anyInput = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => u.replace(/^https/, 'http')),
  builtUri.map((b) => b.uri),
  fc
    .tuple(fc.constantFrom('http://', 'https://', 'http://localhost', 'http://127.0.0.1'), fc.string())
    .map(([a, b]) => `${a}${b}`),
);

describe('parseRedirectUri (property-based)', () => {
  it('any text: a RedirectTarget or a UsageError (exit 2), never another error', () => {
    checkProperty(
      fc.property(anyInput, (uri) => void outcome(uri)),
      propertyRuns * 2,
    );
  });

  it('built URIs: accepted or refused exactly as documented, with the documented message', () => {
    checkProperty(
      fc.property(builtUri, ({ uri, expected }) => {
        expect(outcome(uri)).toEqual(expected);
      }),
      propertyRuns * 2,
    );
  });

  it('an accepted URI is kept byte for byte, and listened on at loopback addresses only', () => {
    checkProperty(
      fc.property(anyInput, (uri) => {
        const out = outcome(uri);
        if (typeof out === 'string') return;
        expect(out.uri).toBe(uri);
        for (const host of out.listen?.hosts ?? []) expect(isLoopback(host), host).toBe(true);
        if (out.listen) expect(Number.isInteger(out.listen.port) && out.listen.port <= 65_535).toBe(true);
      }),
      propertyRuns * 2,
    );
  });

  it('only the not-a-URL message quotes what was given; no message holds a password', () => {
    checkProperty(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), builtUri, (password, { uri }) => {
        const withPassword = uri.replace(/:pw@/, `:${password}@`);
        const out = outcome(withPassword);
        if (typeof out !== 'string' || out.endsWith('is not a URL')) return;
        expect(out).not.toContain(password);
      }),
    );
  });
});
