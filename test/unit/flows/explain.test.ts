import { describe, expect, it } from 'vitest';
import { ExitCode, LoginNeededError, PdAuthError, UsageError } from '../../../src/errors.js';
import { explainTokenError } from '../../../src/flows/explain.js';
import { BadResponseError, NetworkError, OAuthError } from '../../../src/oauth/oauth-error.js';

const tokenUrl = 'https://oauth.pipedrive.com/oauth/token';
const redirectUri = 'http://localhost:8484/callback';

const oauth = (status: number, code: string, message?: string) =>
  new OAuthError(status, code, message, tokenUrl);
const badClient = oauth(401, 'invalid_client', 'Invalid client: client is invalid');
const badGrant = oauth(400, 'invalid_grant', 'Invalid grant: refresh_token is invalid');
const redirectMismatch = oauth(400, 'invalid_request', 'Invalid request: redirect_uri is invalid');

function explained(
  err: unknown,
  call: 'exchange' | 'refresh' | 'verify-secret',
  profile = 'default',
  implicit = 'default',
) {
  const out = explainTokenError(err, call, { profile, implicit, redirectUri });
  if (!(out instanceof PdAuthError)) throw new Error(`expected a PdAuthError, got ${String(out)}`);
  return out;
}

describe('explainTokenError: invalid_grant', () => {
  it('on refresh asks for a new login: LoginNeededError, exit code 4', () => {
    const err = explained(badGrant, 'refresh');

    expect(err).toBeInstanceOf(LoginNeededError);
    expect(err.exitCode).toBe(ExitCode.loginNeeded);
    expect(err.exitCode).toBe(4);
    expect(err.hint).toBe('run `pd-auth login`');
  });

  it("on refresh quotes Pipedrive's message", () => {
    expect(explained(badGrant, 'refresh').message).toBe(
      'Pipedrive rejected the refresh token (revoked, unused for 60 days, or the app was uninstalled)' +
        ' (Pipedrive said: Invalid grant: refresh_token is invalid)',
    );
  });

  it('on refresh names a non-default profile in the hint', () => {
    expect(explained(badGrant, 'refresh', 'sandbox').hint).toBe('run `pd-auth login --profile sandbox`');
  });
  it('names the profile in the hint whenever the command would not pick it by itself', () => {
    expect(explained(badGrant, 'refresh', 'default', 'sandbox').hint).toBe(
      'run `pd-auth login --profile default`',
    );
    expect(explained(badGrant, 'refresh', 'sandbox', 'sandbox').hint).toBe('run `pd-auth login`');
    expect(explained(badClient, 'refresh', 'default', 'ci').hint).toContain(
      '`pd-auth rotate-secret --profile default`',
    );
  });

  it('keeps the OAuthError as the cause', () => {
    expect(explained(badGrant, 'refresh').cause).toBe(badGrant);
  });

  it('on exchange says the code expired or was used, exit code 1', () => {
    const err = explained(
      oauth(400, 'invalid_grant', 'Invalid grant: authorization_code is invalid'),
      'exchange',
    );

    expect(err).not.toBeInstanceOf(LoginNeededError);
    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toBe(
      'the authorization code expired or was already used (Pipedrive said: Invalid grant: authorization_code is invalid)',
    );
    expect(err.hint).toBe('run `pd-auth login` again and finish within 5 minutes');
  });

  it('on exchange names a non-default profile in the hint', () => {
    expect(explained(oauth(400, 'invalid_grant'), 'exchange', 'prod').hint).toBe(
      'run `pd-auth login --profile prod` again and finish within 5 minutes',
    );
  });
});

describe('explainTokenError: invalid_client', () => {
  it('on refresh points to pd-auth rotate-secret', () => {
    const err = explained(badClient, 'refresh');

    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toBe(
      'Pipedrive rejected the stored client secret (Pipedrive said: Invalid client: client is invalid)',
    );
    expect(err.hint).toBe(
      'if you regenerated the client secret in Developer Hub, run `pd-auth rotate-secret`',
    );
  });

  it('on refresh names a non-default profile in the rotate-secret hint', () => {
    expect(explained(badClient, 'refresh', 'sandbox').hint).toContain(
      '`pd-auth rotate-secret --profile sandbox`',
    );
  });

  it('means the same with status 400 as with 401', () => {
    expect(explained(oauth(400, 'invalid_client'), 'refresh').hint).toContain('pd-auth rotate-secret');
  });

  it('on exchange blames the client id or client secret', () => {
    const err = explained(badClient, 'exchange');

    expect(err.message).toBe(
      'Pipedrive rejected the client id or client secret (Pipedrive said: Invalid client: client is invalid)',
    );
    expect(err.hint).toBe("copy both again from Developer Hub, your app, 'OAuth & access scopes'");
    expect(err.exitCode).toBe(ExitCode.failure);
  });

  it('while verifying a new secret says nothing was changed', () => {
    const err = explained(badClient, 'verify-secret');

    expect(err.message).toBe(
      'Pipedrive rejected the new client secret (Pipedrive said: Invalid client: client is invalid); nothing was changed',
    );
    expect(err.hint).toBe("copy the current secret from Developer Hub, your app, 'OAuth & access scopes'");
  });

  it('leaves out the quote when Pipedrive gave no message', () => {
    expect(explained(oauth(401, 'invalid_client'), 'exchange').message).toBe(
      'Pipedrive rejected the client id or client secret',
    );
  });
});

describe('explainTokenError: invalid_request', () => {
  it('with redirect_uri in the message says the callback URL does not match Developer Hub', () => {
    const err = explained(redirectMismatch, 'exchange');

    expect(err.message).toBe(
      'the callback URL http://localhost:8484/callback does not match the one registered in Developer Hub' +
        ' (Pipedrive said: Invalid request: redirect_uri is invalid)',
    );
    expect(err.hint).toBe(
      'register exactly this URL as the OAuth callback URL, or pass the registered one with --redirect-uri',
    );
  });

  it('without a known redirect URI still reads as one sentence', () => {
    const err = explainTokenError(redirectMismatch, 'exchange', { profile: 'default', implicit: 'default' });

    expect((err as PdAuthError).message).toBe(
      'the callback URL does not match the one registered in Developer Hub' +
        ' (Pipedrive said: Invalid request: redirect_uri is invalid)',
    );
  });

  it('for another reason says Pipedrive refused the request', () => {
    const err = explained(
      oauth(400, 'invalid_request', 'Invalid request: content must be application/x-www-form-urlencoded'),
      'exchange',
    );

    expect(err.message).toBe(
      'Pipedrive refused the request (Pipedrive said: Invalid request: content must be application/x-www-form-urlencoded)',
    );
    expect(err.hint).toBeUndefined();
  });
});

describe('explainTokenError: other answers', () => {
  it('a 5xx hints to try again', () => {
    const err = explained(oauth(503, ''), 'refresh');

    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toBe(`Pipedrive's token endpoint failed: ${tokenUrl} answered 503`);
    expect(err.hint).toBe('Pipedrive may be having trouble; try again in a minute');
  });

  it('a 5xx whose body is not JSON (a gateway page) also hints to try again', () => {
    const err = explained(new BadResponseError(tokenUrl, 502, 'the error body is not JSON'), 'refresh');

    expect(err.hint ?? '(no hint)').toContain('try again');
  });

  it('an unknown 4xx code has no hint', () => {
    const err = explained(oauth(400, 'unsupported_grant_type', 'Unsupported grant type'), 'exchange');

    expect(err.message).toBe(
      `Pipedrive's token endpoint failed: ${tokenUrl} answered 400 unsupported_grant_type: Unsupported grant type`,
    );
    expect(err.hint).toBeUndefined();
  });

  it('a network failure hints at the connection and HTTPS_PROXY', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const network = new NetworkError(tokenUrl, cause);

    const err = explained(network, 'refresh');

    expect(err.constructor).toBe(PdAuthError);
    expect(err.exitCode).toBe(ExitCode.failure);
    expect(err.message).toBe(`could not reach ${tokenUrl}: the connection was refused`);
    expect(err.hint).toBe('check your connection; behind a proxy set HTTPS_PROXY (and NO_PROXY)');
    expect(err.cause).toBe(network);
  });

  it('an unreadable 200 answer keeps its message, without a hint', () => {
    const bad = new BadResponseError(tokenUrl, 200, 'no access_token');

    const err = explained(bad, 'exchange');

    expect(err.message).toBe(`unexpected answer from ${tokenUrl} (HTTP 200): no access_token`);
    expect(err.hint).toBeUndefined();
    expect(err.cause).toBe(bad);
  });

  it('passes a PdAuthError through unchanged', () => {
    const usage = new UsageError('bad flag');

    expect(explainTokenError(usage, 'refresh', { profile: 'default', implicit: 'default' })).toBe(usage);
  });

  it('passes an unexpected error through unchanged, so it is reported as a bug', () => {
    const bug = new TypeError('x is undefined');

    expect(explainTokenError(bug, 'exchange', { profile: 'default', implicit: 'default' })).toBe(bug);
  });
});
