import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../src/net/http-client.js';
import { BadResponseError, OAuthError, parseJson, toOAuthError } from '../../../src/oauth/oauth-error.js';
import { checkProperty, propertyRuns, thrownBy } from '../../helpers/property.js';

/**
 * Property-based tests of the two readers of the OAuth host's answers: parseJson (every JSON body)
 * and toOAuthError (every non-2xx answer). Documented (docs/security.md): errors name the URL and
 * the status, and quote the start of a body they could not read with anything token-like redacted.
 */

const url = 'https://oauth.example/oauth/token';
const status = fc.integer({ min: 100, max: 599 });
const answer = (s: number, body: string): HttpResponse => ({ status: s, headers: {}, body });
const isJson = (text: string) => thrownBy(() => JSON.parse(text)) === undefined;

/** Any text, JSON or not, with the shapes a proxy or a broken server sends. */
const anyBody = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.json().map((t) => t.slice(0, Math.floor(t.length / 2))),
  fc.constantFrom('', ' ', '\n', '\u00a0', 'null', '<html><body>Proxy login</body></html>', '{', '"'),
);

describe('parseJson (property-based)', () => {
  it('any text: what JSON.parse reads, or a BadResponseError that quotes nothing of the body', () => {
    checkProperty(
      fc.property(status, anyBody, (s, body) => {
        const err = thrownBy(() => parseJson(answer(s, body), url));
        if (isJson(body)) {
          expect(err).toBeUndefined();
          expect(parseJson(answer(s, body), url)).toEqual(JSON.parse(body));
          return;
        }
        expect(err).toBeInstanceOf(BadResponseError);
        const what = body.trim() === '' ? 'empty body' : 'the body is not JSON';
        expect((err as BadResponseError).message).toBe(`unexpected answer from ${url} (HTTP ${s}): ${what}`);
        expect((err as BadResponseError).status).toBe(s);
      }),
    );
  });

  it('round trip: any JSON value, written with any indentation, reads back equal', () => {
    // JSON writes -0 as 0: the round trip is about the values JSON can hold.
    const value = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    checkProperty(
      fc.property(status, value, fc.constantFrom(undefined, 0, 2, '\t'), (s, value, indent) => {
        expect(parseJson(answer(s, ` ${JSON.stringify(value, null, indent)}\n`), url)).toEqual(value);
      }),
    );
  });
});

/** A JSON error body: Pipedrive's {success, error, message}, RFC 6749's error_description, anything else. */
const field = fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 }));
const errorObject = fc.record(
  {
    success: fc.boolean(),
    error: field,
    message: field,
    error_description: field,
    access_token: fc.string(),
    refresh_token: fc.string(),
  },
  { requiredKeys: [] },
);
const jsonErrorBody = fc.oneof(
  { weight: 4, arbitrary: errorObject },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.array(errorObject, { maxLength: 2 }) },
);

describe('toOAuthError (property-based)', () => {
  it('any text: an OAuthError when the body is JSON, else a BadResponseError; never throws', () => {
    checkProperty(
      fc.property(status, anyBody, (s, body) => {
        let err: Error | undefined;
        expect(() => {
          err = toOAuthError(answer(s, body), url);
        }).not.toThrow();
        expect(err).toBeInstanceOf(isJson(body) ? OAuthError : BadResponseError);
        expect((err as OAuthError | BadResponseError).status).toBe(s);
      }),
    );
  });

  it('JSON bodies: code from `error`, text from `message`, else `error_description`, and nothing else', () => {
    checkProperty(
      fc.property(status, jsonErrorBody, (s, body) => {
        const err = toOAuthError(answer(s, JSON.stringify(body)), url) as OAuthError;
        const o = (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<
          string,
          unknown
        >;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const code = text(o.error) ?? '';
        const said = text(o.message) ?? text(o.error_description);

        expect(err).toBeInstanceOf(OAuthError);
        expect([err.status, err.code, err.serverMessage]).toEqual([s, code, said]);
        expect(err.message).toBe(`${url} answered ${s}${code ? ` ${code}` : ''}${said ? `: ${said}` : ''}`);
      }),
      propertyRuns * 2,
    );
  });

  it('a body that is not JSON is quoted from its start, at most 160 characters of it', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    checkProperty(
      fc.property(status, fc.array(word, { minLength: 1, maxLength: 40 }), (s, words) => {
        const body = words.join(' ');
        fc.pre(!isJson(body));
        const excerpt = body.length > 160 ? `${body.slice(0, 160)}…` : body;

        expect(toOAuthError(answer(s, body), url).message).toBe(
          `unexpected answer from ${url} (HTTP ${s}): the error body is not JSON; it begins: «${excerpt}»`,
        );
      }),
    );
  });
});

/** A credential as Pipedrive's are: 24 or more characters of base64, `:`, `.`, `_`, `~`, `-`. */
const credential = fc.stringMatching(/^[A-Za-z0-9+/=:._~-]{24,120}$/).filter((s) => !/^https?:\/\//i.test(s));
/** Characters that cannot be part of a credential: what stands around one in text. */
const apart = fc.constantFrom(' ', '\n', '\t', '"', "'", ',', ';', '(', ')', '&', '?', '!', '<br>', '|');
/** Text around a credential, without quotes (a stray quote could pair with the field's own). */
const noise = fc.string({ unit: 'binary', maxLength: 60 }).map((t) => t.replace(/["\\]/g, ''));
const fieldName = fc
  .tuple(
    fc.constantFrom('', 'access_', 'refresh_', 'client_', 'x-', 'Api'),
    fc.constantFrom('token', 'secret', 'code', 'password', 'authorization', 'Token', 'SECRET'),
  )
  .map(([a, b]) => `${a}${b}`);

/** A body that is not JSON (or is) holding `secret` the ways a proxy page or a broken answer may. */
const bodyWithSecret = fc
  .tuple(
    fc.oneof(credential, fc.stringMatching(/^[A-Za-z0-9]{8,23}$/)),
    fc.constantFrom('alone', 'field', 'cut field', 'url password', 'attribute', 'script'),
    fieldName,
    noise,
    noise,
    apart,
    apart,
  )
  .filter(([secret, where]) => where === 'field' || where === 'cut field' || secret.length >= 24)
  .map(([secret, where, name, before, after, a, b]) => {
    const inner = {
      alone: `${a}${secret}${b}`,
      field: `{"${name}": "${secret}", "ok": false`,
      'cut field': `{"${name}":"${secret}"`,
      'url password': ` see https://proxy:${secret}@proxy.example/login `,
      attribute: `<input type="hidden" value="${secret}">`,
      script: `<script>var t = "${secret}";</script>`,
    }[where as 'alone'];
    return { secret, body: `${before}${inner}${after}` };
  });

describe('error messages and credentials (property-based)', () => {
  it('a credential in a body (alone, in a token/secret/code field, a URL password, markup) is never quoted', () => {
    checkProperty(
      fc.property(status, bodyWithSecret, (s, { secret, body }) => {
        const err = toOAuthError(answer(s, body), url);
        // A JSON body is read, not quoted: only its error and message fields are said.
        if (err instanceof OAuthError)
          expect([err.code, err.serverMessage ?? ''].some((v) => v.includes(secret))).toBe(
            err.message.includes(secret),
          );
        else expect(err.message).not.toContain(secret);
        expect(thrownBy(() => parseJson(answer(s, body), url)) ?? {}).not.toHaveProperty(
          'message',
          expect.stringContaining(secret),
        );
      }),
      propertyRuns * 3,
    );
  });
});
