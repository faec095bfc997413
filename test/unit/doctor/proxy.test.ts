import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../../src/doctor/proxy.js';

const pick = (url: string, env: NodeJS.ProcessEnv) => {
  const p = proxyFor(new URL(url), env);
  return p.kind === 'proxy'
    ? `${p.variable} ${p.shown}`
    : p.kind === 'direct'
      ? p.why
        ? `direct: ${p.why}`
        : 'direct'
      : `invalid ${p.variable}`;
};

describe("the proxy the HTTP client uses (undici's EnvHttpProxyAgent rules)", () => {
  it.each([
    ['https://oauth.pipedrive.com', {}, 'direct'],
    ['https://oauth.pipedrive.com', { HTTPS_PROXY: 'http://p:3128' }, 'HTTPS_PROXY http://p:3128'],
    ['https://oauth.pipedrive.com', { HTTP_PROXY: 'http://p:3128' }, 'HTTP_PROXY http://p:3128'],
    ['http://127.0.0.1:9', { HTTPS_PROXY: 'http://p:3128' }, 'direct'],
    [
      'https://x.test',
      { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:2' },
      'https_proxy http://low:1',
    ],
    // Set but empty, the lower-case one still hides the upper-case one (undici reads `??`).
    ['https://x.test', { https_proxy: '', HTTPS_PROXY: 'http://up:2' }, 'direct'],
    [
      'https://a.pipedrive.com',
      { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.pipedrive.com' },
      'direct: NO_PROXY matches a.pipedrive.com',
    ],
    [
      'https://pipedrive.com',
      { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.pipedrive.com' },
      'direct: NO_PROXY matches pipedrive.com',
    ],
    ['https://x.test', { HTTPS_PROXY: 'http://p:1', no_proxy: '*' }, 'direct: no_proxy matches x.test'],
    ['https://x.test', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'x.test:8443' }, 'HTTPS_PROXY http://p:1'],
    [
      'https://x.test:8443',
      { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'x.test:8443' },
      'direct: NO_PROXY matches x.test',
    ],
    ['https://x.test', { HTTPS_PROXY: 'http://user:pw@p:1' }, 'HTTPS_PROXY http://***@p:1'],
    ['https://x.test', { HTTPS_PROXY: 'proxy.corp:3128' }, 'invalid HTTPS_PROXY'],
    // undici builds both agents first: a bad HTTP_PROXY breaks https requests too.
    ['https://x.test', { HTTP_PROXY: 'not a url', HTTPS_PROXY: 'http://p:1' }, 'invalid HTTP_PROXY'],
  ])('%s with %o: %s', (url, env, expected) => {
    expect(pick(url, env)).toBe(expected);
  });
});
