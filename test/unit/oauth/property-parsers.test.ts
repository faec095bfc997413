import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallbackOutcome,
  interpretCallback,
  parsePastedRedirect,
} from '../../../src/oauth/callback-params.js';
import { BadResponseError } from '../../../src/oauth/oauth-error.js';
import { parseTokenResponse, type TokenResponse } from '../../../src/oauth/token-set.js';
import { migrateStore } from '../../../src/store/migrate.js';
import type { Profile, StoreData } from '../../../src/store/profile.js';
import { SchemaError, validateStore } from '../../../src/store/validate.js';
import { checkProperty, propertyRuns } from '../../helpers/property.js';

/**
 * Property-based tests of the token response, callback query, pasted redirect URL and store file
 * readers. The other readers of outside input have their own files beside their modules' tests:
 * OAuth error bodies and parseJson (oauth-error.property), --redirect-uri (redirect-uri.property),
 * the environment (test/unit/env.property), Retry-After (test/unit/net/retry.property) and users/me
 * (test/unit/api/current-user.property). Seed and cases per property: test/helpers/property.ts.
 */

// ---------------------------------------------------------------------------------------------
// Token responses

const tokenUrl = 'https://oauth.example/oauth/token';

const tricky = fc.constantFrom<unknown>(
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  ' 60 ',
  'bearer',
  'Basic',
  'javascript:alert(1)',
  'https://user:pw@api.example',
  'ftp://api.example',
  'http://',
  'https://',
  '//api.example',
  'https://api.example/',
  'https://api.example///',
  'deals:full, base',
  ',,',
  0,
  -0,
  -1,
  1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  null,
  true,
  [],
  {},
);

/** Tokens are opaque printable ASCII without spaces: they go into headers and shell lines. */
const opaqueToken = fc.stringMatching(/^[\x21-\x7e]{1,200}$/);

/** The fields of a token response. */
const tokenKeys = fc.constantFrom(
  'access_token',
  'refresh_token',
  'token_type',
  'expires_in',
  'scope',
  'api_domain',
);

const validTokenBody = fc.record({
  access_token: opaqueToken,
  refresh_token: opaqueToken,
  token_type: fc.constantFrom('Bearer', 'bearer', 'BEARER'),
  expires_in: fc.oneof(
    fc.integer({ min: 1, max: 10_000_000 }),
    fc.integer({ min: 1, max: 99_999 }).map(String),
  ),
  scope: fc
    .array(fc.constantFrom('base', 'deals:full', 'users:read', 'contacts:read'), { maxLength: 4 })
    .map((s) => s.join(',')),
  api_domain: fc.oneof(
    fc.webUrl(),
    fc.webUrl().map((u) => `${u}/`),
  ),
});

/** A valid body with each field kept, dropped or replaced (by anything JSON, or a tricky value), plus extras. */
const mutatedTokenBody = fc
  .tuple(
    validTokenBody,
    fc.array(
      fc.record({
        key: tokenKeys,
        op: fc.constantFrom('delete', 'replace'),
        value: fc.oneof(tricky, fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.double()),
      }),
      { maxLength: 3 },
    ),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  )
  .map(([body, mutations, extra]) => {
    const out: Record<string, unknown> = { ...extra, ...body };
    for (const m of mutations) {
      if (m.op === 'delete') delete out[m.key];
      else out[m.key] = m.value;
    }
    return out;
  });

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !u.username && !u.password
    );
  } catch {
    return false;
  }
}

/** The TokenResponse contract; returns what is wrong (empty when well-formed). */
function tokenResponseProblems(r: TokenResponse, body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof r.accessToken !== 'string' || r.accessToken === '') problems.push('accessToken');
  if (r.accessToken !== body.access_token) problems.push('accessToken differs from the body');
  for (const [k, v] of [
    ['accessToken', r.accessToken],
    ['refreshToken', r.refreshToken],
  ] as const) {
    if (v !== undefined && !/^[\x21-\x7e]+$/.test(v)) problems.push(`${k} has spaces or control characters`);
  }
  if (r.refreshToken !== undefined && (typeof r.refreshToken !== 'string' || r.refreshToken === ''))
    problems.push('refreshToken');
  if (r.tokenType !== 'Bearer') problems.push('tokenType');
  if (typeof r.expiresIn !== 'number' || !Number.isFinite(r.expiresIn) || r.expiresIn <= 0)
    problems.push('expiresIn');
  if (!Array.isArray(r.scope) || !r.scope.every((s) => typeof s === 'string' && s !== '' && !/[\s,]/.test(s)))
    problems.push('scope');
  if (r.apiDomain !== undefined && !(typeof r.apiDomain === 'string' && isHttpUrl(r.apiDomain)))
    problems.push(`apiDomain ${JSON.stringify(r.apiDomain)}`);
  return problems;
}

/** Parses `body`: a well-formed TokenResponse, or a BadResponseError that names no token; never anything else. */
function parsesOrRefuses(body: unknown): boolean {
  let r: TokenResponse;
  try {
    r = parseTokenResponse(body, tokenUrl, 200);
  } catch (err) {
    if (!(err instanceof BadResponseError)) throw new Error(`threw ${String(err)}, not a BadResponseError`);
    // What the error says besides the URL, which the caller chose, must not hold a token from the body.
    const said = err.message.split(tokenUrl).join('');
    const o = (body ?? {}) as Record<string, unknown>;
    // A value that is also somewhere else in the body (another field holds it too) may show from there.
    const rest = JSON.stringify({ ...o, access_token: null, refresh_token: null });
    for (const k of ['access_token', 'refresh_token']) {
      const v = o[k];
      if (typeof v === 'string' && v.length >= 8 && !rest.includes(v) && said.includes(v))
        throw new Error(`the error message holds the ${k}: ${err.message}`);
    }
    return true;
  }
  const problems = tokenResponseProblems(r, body as Record<string, unknown>);
  if (problems.length > 0)
    throw new Error(`malformed TokenResponse (${problems.join(', ')}): ${JSON.stringify(r)}`);
  return true;
}

describe('parseTokenResponse (property-based)', () => {
  it('any JSON value: a well-formed TokenResponse or a BadResponseError', () => {
    checkProperty(fc.property(fc.jsonValue(), parsesOrRefuses));
  });

  it('JSON objects with token-like keys: a well-formed TokenResponse or a BadResponseError', () => {
    const keys = tokenKeys;
    checkProperty(
      fc.property(fc.dictionary(keys, fc.oneof(tricky, fc.jsonValue({ maxDepth: 1 }))), parsesOrRefuses),
    );
  });

  it('mutated valid bodies: a well-formed TokenResponse or a BadResponseError', () => {
    checkProperty(fc.property(mutatedTokenBody, parsesOrRefuses), propertyRuns * 2);
  });

  it('valid bodies are accepted as sent (api_domain without its trailing slash)', () => {
    checkProperty(
      fc.property(validTokenBody, (body) => {
        const r = parseTokenResponse(body, tokenUrl, 200);
        expect(r).toEqual({
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          tokenType: 'Bearer',
          expiresIn: Number(body.expires_in),
          scope: body.scope.split(',').filter(Boolean),
          apiDomain: body.api_domain.replace(/\/+$/, ''),
        });
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Callback queries and pasted redirect URLs

const kinds = new Set(['code', 'denied', 'invalid']);

/** A state like newState() makes (base64url). */
const expectedState = fc.stringMatching(/^[A-Za-z0-9_-]{8,43}$/);

const paramName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('state', 'code', 'error', 'error_description') },
  { weight: 1, arbitrary: fc.constantFrom('State', 'CODE', 'code ', 'state[]', 'foo', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const EXPECTED = '\u0000expected\u0000';
const paramValue = fc.oneof(
  { weight: 4, arbitrary: fc.constant(EXPECTED) },
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'x'.repeat(4096), 'x'.repeat(4097), 'user_denied', 'access_denied'),
  },
);

/** The expected state and a list of query pairs, some of which carry the expected state. */
const callbackPairs = fc
  .tuple(expectedState, fc.array(fc.tuple(paramName, paramValue), { maxLength: 6 }))
  .map(([state, pairs]) => ({
    state,
    pairs: pairs.map(([k, v]) => [k, v === EXPECTED ? state : v] as [string, string]),
  }));

/** What the outcome must be, from the documented rules (not from the implementation). */
function checkOutcome(out: CallbackOutcome, params: URLSearchParams, expected: string): void {
  expect(kinds.has(out.kind), `kind ${out.kind}`).toBe(true);
  const states = params.getAll('state');
  const codes = params.getAll('code');
  const errors = params.getAll('error');
  const stateOk = states.length === 1 && states[0] === expected;
  const codeOk = codes.length === 1 && (codes[0] ?? '') !== '' && (codes[0] ?? '').length <= 4096;
  if (out.kind === 'code') {
    expect(stateOk, 'a code outcome needs exactly one matching state').toBe(true);
    expect(codeOk, 'a code outcome needs exactly one non-empty code of at most 4096 chars').toBe(true);
    expect(errors, 'a code outcome has no error').toEqual([]);
    expect(out.code).toBe(codes[0]);
  } else if (out.kind === 'denied') {
    expect(stateOk, 'a denied outcome needs exactly one matching state').toBe(true);
    expect(errors).toHaveLength(1);
    expect(codes).toEqual([]);
    expect(out.error).toBe((errors[0] ?? '').slice(0, 200));
    expect(out.description === undefined || out.description.length <= 500).toBe(true);
  } else {
    expect(typeof out.reason === 'string' && out.reason !== '').toBe(true);
    // The converse: what the rules accept is never refused.
    expect(stateOk && errors.length === 0 && codeOk, `refused a valid callback: ${out.reason}`).toBe(false);
    expect(stateOk && errors.length === 1 && codes.length === 0, `refused a denial: ${out.reason}`).toBe(
      false,
    );
  }
}

/** Never throws, and the outcome follows the rules; counts the kinds seen. */
function interpretChecked(params: URLSearchParams, expected: string, seen: Map<string, number>): void {
  let out: CallbackOutcome;
  try {
    out = interpretCallback(params, expected);
  } catch (err) {
    throw new Error(`interpretCallback threw: ${String(err)}`);
  }
  seen.set(out.kind, (seen.get(out.kind) ?? 0) + 1);
  checkOutcome(out, params, expected);
}

/** Full URLs, bare query strings, with noise around them, or just any text. */
const pastedText = fc.oneof(
  callbackPairs.chain(({ state, pairs }) =>
    fc
      .tuple(
        fc.constantFrom(
          'http://localhost:8484/callback?',
          'https://example.com/cb?',
          '?',
          '',
          'localhost:8484/callback?',
        ),
        fc.constantFrom('', '#', '#state=nope&code=frag'),
        fc.constantFrom('', ' ', '\n', '\t '),
      )
      .map(([prefix, fragment, pad]) => ({
        state,
        text: `${pad}${prefix}${new URLSearchParams(pairs).toString()}${fragment}${pad}`,
      })),
  ),
  fc.tuple(expectedState, fc.string()).map(([state, text]) => ({ state, text })),
  fc
    .tuple(expectedState, fc.webUrl({ withQueryParameters: true, withFragments: true }))
    .map(([state, text]) => ({
      state,
      text,
    })),
  fc
    .tuple(expectedState, fc.string({ unit: 'binary' }))
    .map(([state, text]) => ({ state, text: `?state=${state}&${text}` })),
);

describe('callback queries and pasted redirect URLs (property-based)', () => {
  it('interpretCallback(new URLSearchParams(any string)): a documented outcome that follows the rules', () => {
    const seen = new Map<string, number>();
    checkProperty(
      fc.property(expectedState, fc.string({ unit: 'binary' }), (state, text) => {
        interpretChecked(new URLSearchParams(text), state, seen);
      }),
    );
  });

  it('interpretCallback over query pairs: a documented outcome that follows the rules, each kind reached', () => {
    const seen = new Map<string, number>();
    checkProperty(
      fc.property(callbackPairs, ({ state, pairs }) => {
        interpretChecked(new URLSearchParams(pairs), state, seen);
        // Encoded and parsed again, as the callback server reads its request line.
        interpretChecked(new URLSearchParams(new URLSearchParams(pairs).toString()), state, seen);
      }),
      propertyRuns * 2,
    );
    expect([...seen.keys()].sort()).toEqual(['code', 'denied', 'invalid']);
  });

  it('interpretCallback over records and pair lists of any strings', () => {
    const seen = new Map<string, number>();
    checkProperty(
      fc.property(
        expectedState,
        fc.oneof(
          fc.dictionary(fc.string(), fc.string()),
          fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }))),
        ),
        (state, init) => {
          interpretChecked(new URLSearchParams(init), state, seen);
        },
      ),
    );
  });

  it('parsePastedRedirect never throws; with interpretCallback, the outcome follows the rules', () => {
    const seen = new Map<string, number>();
    checkProperty(
      fc.property(pastedText, ({ state, text }) => {
        let params: URLSearchParams | undefined;
        try {
          params = parsePastedRedirect(text);
        } catch (err) {
          throw new Error(`parsePastedRedirect threw: ${String(err)}`);
        }
        if (params === undefined) return;
        expect(params).toBeInstanceOf(URLSearchParams);
        interpretChecked(params, state, seen);
      }),
      propertyRuns * 2,
    );
    expect(seen.get('code') ?? 0).toBeGreaterThan(0);
  });

  it('a pasted redirect URL gives back exactly the query it was built from (the fragment ignored)', () => {
    checkProperty(
      fc.property(callbackPairs, fc.constantFrom('', '#code=frag&state=frag'), ({ pairs }, fragment) => {
        const query = new URLSearchParams(pairs).toString();
        const params = parsePastedRedirect(`  http://localhost:8484/callback?${query}${fragment}\n`);
        expect([...(params ?? [])]).toEqual([...new URLSearchParams(query)]);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The store file

const text = fc.string({ unit: 'binary', maxLength: 24 });
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
// JSON writes -0 as 0: the round trip is about values JSON can hold (`+ 0` turns -0 into 0).
const finite = fc.oneof(time, fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => n + 0);

const tokensArb = fc.record({
  accessToken: text,
  refreshToken: text,
  tokenType: fc.constant('Bearer'),
  expiresAt: finite,
  obtainedAt: finite,
  scope: fc.array(text, { maxLength: 3 }),
  apiDomain: text,
  refreshTokenUsedAt: finite,
});

const profileArb: fc.Arbitrary<Profile> = fc.record(
  {
    clientId: text,
    clientSecret: text,
    redirectUri: text,
    oauthUrl: text,
    tokens: tokensArb,
    user: fc.record({ id: fc.integer(), name: text, email: text }),
    company: fc.record({ id: fc.integer(), name: text, domain: text }),
    updatedAt: finite,
  },
  { requiredKeys: ['clientId', 'redirectUri', 'oauthUrl', 'updatedAt'] },
);

const profileName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

const storeArb: fc.Arbitrary<StoreData> = fc.record(
  {
    version: fc.constant(3 as const),
    activeProfile: profileName,
    profiles: fc.dictionary(profileName, profileArb, { maxKeys: 3 }),
  },
  { requiredKeys: ['version', 'profiles'] },
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value, the root included. */
function paths(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const inner = Array.isArray(v)
    ? v.flatMap((x, i) => paths(x, [...at, i]))
    : v !== null && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))
      : [];
  return [at, ...inner];
}

/** Deletes, replaces or wraps the value at one path of a deep copy. */
function mutate(root: Json, path: Array<string | number>, op: string, replacement: Json): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  if (path.length === 0) return op === 'wrap' ? [copy] : replacement;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = op === 'wrap' ? [parent[last] as Json] : replacement;
  return copy;
}

const mutatedStoreText = fc
  .tuple(
    storeArb,
    fc.nat(),
    fc.constantFrom('delete', 'replace', 'wrap'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<Json>(null, '', 0, 1, -1, [], {}, 'x', 2, 3)),
    fc.nat(),
    fc.constantFrom('json', 'truncate', 'insert'),
    fc.string({ minLength: 1, maxLength: 2 }),
  )
  .map(([store, pick, op, replacement, at, textOp, junk]) => {
    const all = paths(store as unknown as Json);
    const mutated = mutate(store as unknown as Json, all[pick % all.length] ?? [], op, replacement as Json);
    const t = JSON.stringify(mutated, null, 2) ?? 'null';
    const i = at % (t.length + 1);
    if (textOp === 'truncate') return t.slice(0, i);
    if (textOp === 'insert') return `${t.slice(0, i)}${junk}${t.slice(i)}`;
    return t;
  });

/** The documented StoreData shape, checked apart from validateStore. */
function storeProblems(d: unknown): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: unknown) => typeof v === 'string';
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!isObj(d)) return ['not an object'];
  const problems: string[] = [];
  if (d.version !== 3) problems.push('version');
  if (d.activeProfile !== undefined && !str(d.activeProfile)) problems.push('activeProfile');
  if (d.storeId !== undefined && !(str(d.storeId) && /^[0-9a-f]{16}$/.test(d.storeId as string)))
    problems.push('storeId');
  if (!isObj(d.profiles)) return [...problems, 'profiles'];
  for (const [name, p] of Object.entries(d.profiles)) {
    const at = `profiles.${name}`;
    if (!isObj(p)) {
      problems.push(at);
      continue;
    }
    for (const k of ['clientId', 'redirectUri', 'oauthUrl']) if (!str(p[k])) problems.push(`${at}.${k}`);
    if (p.clientSecret !== undefined && (!str(p.clientSecret) || p.storage === 'keyring'))
      problems.push(`${at}.clientSecret`);
    if (p.storage !== undefined && p.storage !== 'keyring' && p.storage !== 'file')
      problems.push(`${at}.storage`);
    if (p.storage === 'keyring' && !str(d.storeId)) problems.push(`${at}.storage`);
    if (p.storageFallback !== undefined && !str(p.storageFallback)) problems.push(`${at}.storageFallback`);
    if (!num(p.updatedAt)) problems.push(`${at}.updatedAt`);
    const t = p.tokens;
    if (t !== undefined) {
      if (!isObj(t)) problems.push(`${at}.tokens`);
      else {
        for (const k of ['accessToken', 'tokenType', 'apiDomain'])
          if (!str(t[k])) problems.push(`${at}.tokens.${k}`);
        // In the file only when the profile keeps its secrets there (storage absent or "file").
        const inKeyring = p.storage === 'keyring';
        if (inKeyring ? t.refreshToken !== undefined : !str(t.refreshToken))
          problems.push(`${at}.tokens.refreshToken`);
        for (const k of ['expiresAt', 'obtainedAt', 'refreshTokenUsedAt'])
          if (!num(t[k])) problems.push(`${at}.tokens.${k}`);
        if (!Array.isArray(t.scope) || !t.scope.every(str)) problems.push(`${at}.tokens.scope`);
      }
    }
    for (const [key, fields] of [
      ['user', ['id', 'name', 'email']],
      ['company', ['id', 'name', 'domain']],
    ] as const) {
      const v = p[key];
      if (v === undefined) continue;
      if (!isObj(v) || !num(v.id) || !str(v[fields[1]]) || !str(v[fields[2]])) problems.push(`${at}.${key}`);
    }
  }
  return problems;
}

/** What the store does with a file's text: JSON.parse, migrate, validate. */
const loadStore = (t: string) => validateStore(migrateStore(JSON.parse(t)));

/** A valid StoreData, or SchemaError / SyntaxError; never another error. */
function loadsOrRefuses(t: string): void {
  let data: StoreData;
  try {
    data = loadStore(t);
  } catch (err) {
    if (err instanceof SchemaError || err instanceof SyntaxError) return;
    throw new Error(`threw ${(err as Error)?.constructor?.name}: ${String(err)}`);
  }
  expect(storeProblems(data)).toEqual([]);
}

/** The store as version 1 wrote it: no tokens.obtainedAt. */
function asVersion1(store: StoreData): unknown {
  // fromEntries defines own properties: `profiles[name] = …` would turn a "__proto__" key into a prototype.
  const profiles = Object.fromEntries(
    Object.entries(store.profiles).map(([name, p]) => {
      if (!p.tokens) return [name, p];
      const { obtainedAt: _dropped, ...tokens } = p.tokens;
      return [name, { ...p, tokens }];
    }),
  );
  return { ...store, version: 1, profiles };
}

describe('the store file (property-based)', () => {
  it('any JSON text: a valid StoreData, or SchemaError / SyntaxError', () => {
    checkProperty(fc.property(fc.json(), loadsOrRefuses));
  });

  it('any text at all: a valid StoreData, or SchemaError / SyntaxError', () => {
    checkProperty(fc.property(fc.string({ unit: 'binary' }), loadsOrRefuses));
  });

  it('mutated valid stores (fields dropped, replaced, wrapped; text cut or spliced): valid, or the two errors', () => {
    checkProperty(fc.property(mutatedStoreText, loadsOrRefuses), propertyRuns * 3);
  });

  it('mutated stores that claim version 1 go through the migration: valid, or the two errors', () => {
    checkProperty(
      fc.property(mutatedStoreText, (t) => {
        let v: unknown;
        try {
          v = JSON.parse(t);
        } catch {
          return;
        }
        if (v && typeof v === 'object' && !Array.isArray(v)) (v as Record<string, unknown>).version = 1;
        loadsOrRefuses(JSON.stringify(v) ?? 'null');
      }),
    );
  });

  it('version 1 or 2, whatever the profile keys: every profile is kept as its own entry, or SchemaError', () => {
    // Keys the CLI would never write, but a hand-edited or hostile file may hold.
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
    );
    checkProperty(
      fc.property(
        fc.constantFrom(1, 2, 3),
        fc.dictionary(key, profileArb, { minKeys: 1, maxKeys: 3 }),
        (version, profiles) => {
          const file = version === 1 ? asVersion1({ version: 3, profiles }) : { version, profiles };
          let data: StoreData;
          try {
            data = loadStore(JSON.stringify(file));
          } catch (err) {
            if (err instanceof SchemaError) return;
            throw err;
          }
          expect(Object.getPrototypeOf(data.profiles), 'the profiles object keeps a plain prototype').toBe(
            Object.prototype,
          );
          expect(Object.keys(data.profiles).sort()).toEqual(Object.keys(profiles).sort());
        },
      ),
    );
  });

  it('round trip: a valid store, written as pd-auth writes it, reads back equal', () => {
    checkProperty(
      fc.property(storeArb, (store) => {
        expect(storeProblems(store)).toEqual([]);
        const written = `${JSON.stringify(store, null, 2)}\n`;
        expect(loadStore(written)).toEqual(store);
      }),
    );
  });

  it('round trip from version 1: the migration keeps every profile and sets obtainedAt', () => {
    checkProperty(
      fc.property(storeArb, (store) => {
        const v1 = `${JSON.stringify(asVersion1(store), null, 2)}\n`;
        const expected: StoreData = {
          ...store,
          profiles: Object.fromEntries(
            Object.entries(store.profiles).map(([name, p]) => [
              name,
              p.tokens ? { ...p, tokens: { ...p.tokens, obtainedAt: p.tokens.refreshTokenUsedAt } } : p,
            ]),
          ),
        };
        expect(loadStore(v1)).toEqual(expected);
      }),
    );
  });
});
