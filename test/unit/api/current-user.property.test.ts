import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiAuthError, type CurrentUser, fetchCurrentUser } from '../../../src/api/current-user.js';
import type { HttpClient, HttpResponse } from '../../../src/net/http-client.js';
import { BadResponseError } from '../../../src/oauth/oauth-error.js';
import { checkAsyncProperty } from '../../helpers/property.js';

/**
 * Property-based tests of fetchCurrentUser's reading of `GET /api/v1/users/me`, the answer login
 * stores the user and company from: whatever comes back, a well-formed CurrentUser or one of two
 * documented errors, and no error message quotes the body or holds the access token.
 */

const apiDomain = 'https://acme.pipedrive.example';
const url = `${apiDomain}/api/v1/users/me`;
const accessToken = 'v1u:AccessTokenThatMustNotShowAnywhere0123456789';

/** One answer to every request, with no deadline left: a 5xx is returned, not retried after a wait. */
const answering = (res: HttpResponse): HttpClient => ({ request: async () => res, remainingMs: () => 0 });

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 401, 403, 404, 429, 500, 503),
  fc.integer({ min: 100, max: 599 }),
);
const anyField = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, '', '42', [], {}),
);
const userData = fc.record(
  {
    id: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), anyField),
    name: anyField,
    email: anyField,
    company_id: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), anyField),
    company_name: anyField,
    company_domain: anyField,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  userData.map((data) => JSON.stringify({ success: true, data })),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.json().map((t) => t.slice(0, Math.ceil(t.length / 2))),
  fc.string({ unit: 'binary' }),
);

function wellFormed(u: CurrentUser): boolean {
  const str = (v: unknown) => typeof v === 'string';
  return (
    Number.isFinite(u.user.id) &&
    Number.isFinite(u.company.id) &&
    [u.user.name, u.user.email, u.company.name, u.company.domain].every(str)
  );
}

describe('fetchCurrentUser (property-based)', () => {
  it('any answer: a well-formed CurrentUser, ApiAuthError exactly on 401, else a BadResponseError', async () => {
    await checkAsyncProperty(
      fc.asyncProperty(status, body, async (s, text) => {
        const out = await fetchCurrentUser(
          answering({ status: s, headers: {}, body: text }),
          apiDomain,
          accessToken,
        ).then(
          (u) => u,
          (e: unknown) => e,
        );

        if (s === 401) expect(out).toEqual(new ApiAuthError(url));
        else if (out instanceof Error) {
          expect(out).toBeInstanceOf(BadResponseError);
          expect(out.message).toMatch(
            new RegExp(
              `^unexpected answer from ${url.replace(/[.]/g, '\\.')} \\(HTTP ${s}\\): (not a success|empty body|the body is not JSON|no data object|no user id)$`,
            ),
          );
        } else {
          expect(s >= 200 && s <= 299).toBe(true);
          expect(wellFormed(out as CurrentUser), JSON.stringify(out)).toBe(true);
        }
      }),
    );
  });

  it('a users/me answer with numeric ids and string fields is read as sent', async () => {
    const text = fc.string();
    const id = fc.integer({ min: 1, max: 2 ** 40 });
    await checkAsyncProperty(
      fc.asyncProperty(
        fc.tuple(id, text, text, id, text, text),
        async ([uid, name, email, cid, cname, domain]) => {
          const data = { id: uid, name, email, company_id: cid, company_name: cname, company_domain: domain };
          const res = {
            status: 200,
            headers: {},
            body: JSON.stringify({ success: true, data, additional_data: {} }),
          };

          expect(await fetchCurrentUser(answering(res), `${apiDomain}/`, accessToken)).toEqual({
            user: { id: uid, name, email },
            company: { id: cid, name: cname, domain },
          });
        },
      ),
    );
  });
});
