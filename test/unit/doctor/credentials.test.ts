import { describe, expect, it } from 'vitest';
import {
  type CredentialSource,
  checkCredentials,
  credentialSource,
} from '../../../src/doctor/credentials.js';
import { readEnv } from '../../../src/env.js';
import { refreshTokenIdleMs } from '../../../src/oauth/token-set.js';
import type { Profile } from '../../../src/store/profile.js';

const now = Date.UTC(2026, 10, 26, 12, 0, 0);
const day = 24 * 60 * 60 * 1000;

/** A logged-in profile whose access token expires at `expiresAt` and whose refresh token was last used at `usedAt`. */
const profile = (expiresAt: number, usedAt: number): Profile => ({
  clientId: 'client',
  clientSecret: 'secret-never-shown',
  redirectUri: 'http://localhost:8484/callback',
  oauthUrl: 'https://oauth.pipedrive.com',
  updatedAt: usedAt,
  user: { id: 1, name: 'Emma Ulator', email: 'emma@example.test' },
  company: { id: 2, name: 'Emulated Company', domain: 'emulated' },
  tokens: {
    accessToken: 'v1u:access-never-shown',
    refreshToken: '1:2:refresh-never-shown',
    tokenType: 'Bearer',
    expiresAt,
    obtainedAt: expiresAt - 3_600_000,
    scope: ['base'],
    apiDomain: 'https://emulated.pipedrive.com',
    refreshTokenUsedAt: usedAt,
  },
});
const from = (stored: Profile | undefined, name = 'default', implicit = 'default'): CredentialSource => ({
  kind: 'store',
  profile: name,
  implicit,
  stored,
});

describe('the credentials check (offline)', () => {
  it('is ok for a valid token, saying who and when both tokens run out, and never a secret', () => {
    const o = checkCredentials(from(profile(now + 3_600_000, now - day)), now);

    expect(o.result).toBe('ok');
    expect(o.reason).toBe(
      'Emma Ulator <emma@example.test> at Emulated Company; the access token expires 2026-11-26 13:00 UTC (in 1h); the refresh token lapses 2027-01-24 12:00 UTC (in 59d) unless used',
    );
    expect(o.reason).not.toMatch(/never-shown/);
  });

  it('is ok with an expired access token: the next use refreshes it', () => {
    const o = checkCredentials(from(profile(now - 7_200_000, now - day)), now);

    expect(o.result).toBe('ok');
    expect(o.reason).toContain(
      'the access token expired 2026-11-26 10:00 UTC (2h ago) (the next use refreshes it)',
    );
  });

  it('warns within 7 days of the idle lapse, with the refresh that restarts it', () => {
    const o = checkCredentials(from(profile(now, now - refreshTokenIdleMs + 3 * day), 'sandbox'), now);

    expect(o.result).toBe('warning');
    expect(o.reason).toContain('the refresh token lapses 2026-11-29 12:00 UTC (in 3d) unless used');
    expect(o.fix).toBe('run `pd-auth refresh --profile sandbox` (each use restarts its 60 days)');
  });

  it('fails once the refresh token has lapsed: log in again', () => {
    const o = checkCredentials(from(profile(now - day, now - refreshTokenIdleMs - day)), now);

    expect(o.result).toBe('failure');
    expect(o.reason).toContain(
      'the refresh token lapsed 2026-11-25 12:00 UTC (24h ago), 60 days after its last use',
    );
    expect(o.fix).toBe('run `pd-auth login`');
  });

  it('warns when the profile is not logged in (yet)', () => {
    expect(checkCredentials(from(undefined, 'new', 'default'), now)).toEqual({
      result: 'warning',
      reason: 'there is no profile "new" yet: not logged in',
      fix: 'run `pd-auth login --profile new`',
    });
    const { tokens: _t, ...loggedOut } = profile(now, now);
    expect(checkCredentials(from(loggedOut), now).reason).toBe('profile "default" is not logged in');
  });

  it('credentials from the environment win over the store, and are ok without a cache', () => {
    const env = readEnv(
      { PIPEDRIVE_CLIENT_ID: 'id', PIPEDRIVE_CLIENT_SECRET: 's', PIPEDRIVE_REFRESH_TOKEN: 'r' },
      'linux',
    );
    const store = {
      readable: true,
      path: '/x/profiles.json',
      data: { version: 3, profiles: { default: profile(now, now) } },
    } as const;

    const source = credentialSource('default', 'default', store, env, undefined);

    expect(source.kind).toBe('environment');
    expect(checkCredentials(source, now)).toMatchObject({
      result: 'ok',
      reason: expect.stringMatching(
        /^credentials from the environment .*; no cached access token: the first use refreshes$/,
      ),
    });
  });

  it.each([
    [
      { PIPEDRIVE_REFRESH_TOKEN: 'r' },
      undefined,
      'PIPEDRIVE_REFRESH_TOKEN is set, but PIPEDRIVE_CLIENT_ID and PIPEDRIVE_CLIENT_SECRET are not',
    ],
    [
      { PIPEDRIVE_CLIENT_ID: 'id', PIPEDRIVE_CLIENT_SECRET: 's', PIPEDRIVE_REFRESH_TOKEN: 'r' },
      '--profile ci',
      'both PIPEDRIVE_REFRESH_TOKEN and --profile ci choose credentials',
    ],
  ])('%j with %s: a failure that says what the other commands would refuse', (vars, named, reason) => {
    const store = { readable: true, path: '/x/profiles.json', data: undefined };

    const outcome = checkCredentials(
      credentialSource('default', 'default', store, readEnv(vars, 'linux'), named),
      now,
    );

    expect(outcome).toMatchObject({ result: 'failure', reason });
  });

  it('is skipped when the store could not be read', () => {
    const source = credentialSource(
      'default',
      'default',
      { readable: false, path: '/x/profiles.json', data: undefined },
      readEnv({}, 'linux'),
      undefined,
    );

    expect(checkCredentials(source, now)).toEqual({
      result: 'skipped',
      reason: 'the store /x/profiles.json could not be read',
      fix: null,
    });
  });
});
