import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../src/net/http-client.js';
import { BadResponseError, NetworkError, OAuthError } from '../../../src/oauth/oauth-error.js';
import { basicAuth, createTokenClient, type TokenClient } from '../../../src/oauth/token-client.js';
import { type EmulatorFixture, startTestEmulator } from '../../helpers/emulator.js';
import { freePort } from '../../helpers/ports.js';

const creds = { clientId: 'my-client-id', clientSecret: 'my:secret+/=' };

interface Recorded {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Recorder {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

const cannedTokens = {
  access_token: 'v1u:AQIBAHj+abc/def=:xyz+/==',
  token_type: 'Bearer',
  expires_in: 3599,
  refresh_token: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
  scope: 'base,deals:full',
  api_domain: 'https://user-company.pipedrive.com',
};

let fixture: EmulatorFixture | undefined;
let recorder: Recorder | undefined;

afterEach(async () => {
  await fixture?.emulator.close();
  await recorder?.close();
  fixture = undefined;
  recorder = undefined;
});

/** A stand-in token endpoint that answers one canned response and records what it was sent. */
async function startRecorder(status = 200, body = JSON.stringify(cannedTokens), type = 'application/json') {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  recorder = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return recorder;
}

async function startEmulatorFixture(): Promise<EmulatorFixture> {
  fixture = await startTestEmulator({ autoApprove: true });
  return fixture;
}

/** Asks the emulator (auto-approving) for a code, as the browser would after "Allow and install". */
async function getCode(f: EmulatorFixture): Promise<string> {
  const query = new URLSearchParams({
    client_id: f.emulator.app.clientId,
    redirect_uri: f.redirectUri,
    state: 'test-state',
  });
  const res = await fetch(`${f.emulator.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`the emulator gave no code (HTTP ${res.status})`);
  return code;
}

function emulatorClient(f: EmulatorFixture, secret = f.emulator.app.clientSecret): TokenClient {
  return createTokenClient(createHttpClient(), f.emulator.url, {
    clientId: f.emulator.app.clientId,
    clientSecret: secret,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('basicAuth', () => {
  it('is Basic base64(client_id:client_secret)', () => {
    expect(basicAuth(creds)).toBe(`Basic ${Buffer.from('my-client-id:my:secret+/=').toString('base64')}`);
  });
});

describe('token client requests (recorded)', () => {
  it('exchanges a code with a POST to /oauth/token', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.exchangeCode('c0de', 'http://localhost:8484/callback');

    expect(rec.requests).toHaveLength(1);
    expect(rec.requests[0]?.method).toBe('POST');
    expect(rec.requests[0]?.path).toBe('/oauth/token');
  });

  it('authenticates with HTTP Basic base64(client_id:client_secret)', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.exchangeCode('c0de', 'http://localhost:8484/callback');

    const expected = `Basic ${Buffer.from('my-client-id:my:secret+/=', 'utf8').toString('base64')}`;
    expect(rec.requests[0]?.headers.authorization).toBe(expected);
  });

  it('sends a form content type and asks for JSON', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.exchangeCode('c0de', 'http://localhost:8484/callback');

    expect(rec.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(rec.requests[0]?.headers.accept).toBe('application/json');
  });

  it('sends grant_type, code and redirect_uri form-encoded, with + / = : escaped', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.exchangeCode('123.456.a+b/c=d:e', 'http://localhost:8484/callback');

    expect(rec.requests[0]?.body).toBe(
      'grant_type=authorization_code&code=123.456.a%2Bb%2Fc%3Dd%3Ae' +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A8484%2Fcallback',
    );
  });

  it('keeps the client credentials out of the body', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.exchangeCode('c0de', 'http://localhost:8484/callback');

    expect(rec.requests[0]?.body).not.toContain('client_secret');
    expect(rec.requests[0]?.body).not.toContain('client_id');
  });

  it('refreshes with grant_type=refresh_token and the escaped refresh token only', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.refresh('1:1:ab+/=');

    expect(rec.requests[0]?.path).toBe('/oauth/token');
    expect(rec.requests[0]?.body).toBe('grant_type=refresh_token&refresh_token=1%3A1%3Aab%2B%2F%3D');
  });

  it('revokes with a POST to /oauth/revoke carrying the token and its type hint', async () => {
    const rec = await startRecorder(200, '{}');
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    await client.revoke('v1u:AQ+/=:x', 'access_token');

    expect(rec.requests[0]?.method).toBe('POST');
    expect(rec.requests[0]?.path).toBe('/oauth/revoke');
    expect(rec.requests[0]?.headers.authorization).toBe(basicAuth(creds));
    expect(rec.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(rec.requests[0]?.body).toBe('token=v1u%3AAQ%2B%2F%3D%3Ax&token_type_hint=access_token');
  });

  it('drops trailing slashes of the OAuth URL', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), `${rec.url}//`, creds);

    await client.refresh('r');

    expect(rec.requests[0]?.path).toBe('/oauth/token');
  });

  it('returns the parsed token response', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    const res = await client.exchangeCode('c0de', 'http://localhost:8484/callback');

    expect(res).toEqual({
      accessToken: 'v1u:AQIBAHj+abc/def=:xyz+/==',
      refreshToken: '1:1:2a5496a8bdd0f829dcb09dc8ba82b188f0ea4481',
      tokenType: 'Bearer',
      expiresIn: 3599,
      scope: ['base', 'deals:full'],
      apiDomain: 'https://user-company.pipedrive.com',
    });
  });

  it('turns a 502 with an HTML body into a BadResponseError', async () => {
    const rec = await startRecorder(502, '<html>Bad Gateway</html>', 'text/html');
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    const err = await rejection(client.refresh('r'));

    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as Error).message).toBe(
      `unexpected answer from ${rec.url}/oauth/token (HTTP 502): the error body is not JSON; it begins: «Bad Gateway»`,
    );
  });

  it('turns a 200 with a non-JSON body into a BadResponseError', async () => {
    const rec = await startRecorder(200, 'OK', 'text/plain');
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    const err = await rejection(client.refresh('r'));

    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as Error).message).toBe(
      `unexpected answer from ${rec.url}/oauth/token (HTTP 200): the body is not JSON`,
    );
  });

  it('turns a 200 with an empty body into a BadResponseError', async () => {
    const rec = await startRecorder(200, '');
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    const err = await rejection(client.refresh('r'));

    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as Error).message).toContain('(HTTP 200): empty body');
  });

  it('reads an RFC 6749 error_description when there is no message', async () => {
    const rec = await startRecorder(
      400,
      JSON.stringify({ error: 'invalid_scope', error_description: 'nope' }),
    );
    const client = createTokenClient(createHttpClient(), rec.url, creds);

    const err = await rejection(client.refresh('r'));

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_scope', serverMessage: 'nope' });
  });

  it('turns a refused connection into a NetworkError', async () => {
    const port = await freePort();
    const client = createTokenClient(createHttpClient(), `http://127.0.0.1:${port}`, creds);

    const err = await rejection(client.refresh('r'));

    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toBe(
      `could not reach http://127.0.0.1:${port}/oauth/token: the connection was refused`,
    );
  });

  it('rethrows the abort, not a NetworkError, when the signal is aborted', async () => {
    const rec = await startRecorder();
    const client = createTokenClient(createHttpClient(), rec.url, creds);
    const controller = new AbortController();
    controller.abort();

    const err = await rejection(client.refresh('r', controller.signal));

    expect(err).not.toBeInstanceOf(NetworkError);
    expect((err as Error).name).toBe('AbortError');
  });
});

describe('token client against the emulator', () => {
  it('exchanges a real code for tokens', async () => {
    const f = await startEmulatorFixture();
    const code = await getCode(f);

    const res = await emulatorClient(f).exchangeCode(code, f.redirectUri);

    expect(res).toEqual({
      accessToken: expect.stringMatching(/^v1u:/),
      refreshToken: expect.stringMatching(/^\d+:\d+:[0-9a-f]{40}$/),
      tokenType: 'Bearer',
      expiresIn: 3600,
      scope: ['base', 'deals:full'],
      apiDomain: f.emulator.url,
    });
    expect(f.emulator.stats.codeGrants).toBe(1);
  });

  it('refreshes with the refresh token it got', async () => {
    const f = await startEmulatorFixture();
    const client = emulatorClient(f);
    const first = await client.exchangeCode(await getCode(f), f.redirectUri);

    const second = await client.refresh(first.refreshToken ?? '');

    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).toBe(first.refreshToken);
    expect(f.emulator.stats.refreshGrants).toBe(1);
  });

  it('revokes a refresh token, after which it no longer refreshes', async () => {
    const f = await startEmulatorFixture();
    const client = emulatorClient(f);
    const tokens = await client.exchangeCode(await getCode(f), f.redirectUri);

    await client.revoke(tokens.refreshToken ?? '', 'refresh_token');

    expect(f.emulator.stats.revokes).toBe(1);
    expect(await rejection(client.refresh(tokens.refreshToken ?? ''))).toMatchObject({
      code: 'invalid_grant',
    });
  });

  it('resolves a revoke of an unknown token (RFC 7009)', async () => {
    const f = await startEmulatorFixture();

    await expect(emulatorClient(f).revoke('never-issued', 'access_token')).resolves.toBeUndefined();
  });

  it('reports a wrong client secret as OAuthError invalid_client with status 400', async () => {
    const f = await startEmulatorFixture();
    const code = await getCode(f);

    const err = await rejection(emulatorClient(f, 'wrong-secret').exchangeCode(code, f.redirectUri));

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid_client',
      serverMessage: 'Invalid client: client is invalid',
      message: `${f.emulator.url}/oauth/token answered 400 invalid_client: Invalid client: client is invalid`,
    });
  });

  it('reports a wrong client secret on refresh as invalid_client too', async () => {
    const f = await startEmulatorFixture();
    const tokens = await emulatorClient(f).exchangeCode(await getCode(f), f.redirectUri);

    const err = await rejection(emulatorClient(f, 'wrong-secret').refresh(tokens.refreshToken ?? ''));

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_client' });
  });

  it('reports a reused code as OAuthError invalid_grant with status 400', async () => {
    const f = await startEmulatorFixture();
    const client = emulatorClient(f);
    const code = await getCode(f);
    await client.exchangeCode(code, f.redirectUri);

    const err = await rejection(client.exchangeCode(code, f.redirectUri));

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid_grant',
      serverMessage: 'Invalid grant: authorization_code is invalid',
    });
  });

  it('reports an unknown refresh token as OAuthError invalid_grant with status 400', async () => {
    const f = await startEmulatorFixture();

    const err = await rejection(
      emulatorClient(f).refresh('2002:1001:0000000000000000000000000000000000000000'),
    );

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid_grant',
      serverMessage: 'Invalid grant: refresh_token is invalid',
    });
  });

  it('reports a redirect URI mismatch as OAuthError invalid_request with status 400', async () => {
    const f = await startEmulatorFixture();
    const code = await getCode(f);

    const err = await rejection(emulatorClient(f).exchangeCode(code, 'http://localhost:1/other'));

    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid_request',
      serverMessage: 'Invalid request: redirect_uri is invalid',
    });
  });
});
