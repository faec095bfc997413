import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { apiUrl, rateLimitDelayMs } from '../../../src/flows/api-request.js';

const domain = 'https://acme.pipedrive.com';

describe('apiUrl', () => {
  it.each([
    ['deals', '/api/v1/deals'],
    ['users/me', '/api/v1/users/me'],
    ['/deals', '/api/v1/deals'],
    ['deals/42?include_fields=x', '/api/v1/deals/42?include_fields=x'],
    ['v1/deals', '/api/v1/deals'],
    ['v2/deals', '/api/v2/deals'],
    ['/v2/deals?limit=1', '/api/v2/deals?limit=1'],
    ['/api/v1/deals', '/api/v1/deals'],
    ['api/v2/deals', '/api/v2/deals'],
    ['persons/search?term=a:b', '/api/v1/persons/search?term=a:b'],
  ])('%s → {api_domain}%s', (path, expected) => {
    expect(apiUrl(domain, path)).toBe(`${domain}${expected}`);
  });

  it('drops trailing slashes of the api_domain', () => {
    expect(apiUrl(`${domain}//`, 'deals')).toBe(`${domain}/api/v1/deals`);
  });

  it.each([
    'https://evil.example/api/v1/deals',
    'HTTP://evil.example/x',
    '//evil.example/api/v1/deals',
    'javascript:alert(1)',
  ])('refuses %s (a URL could send the token elsewhere) with a UsageError', (path) => {
    expect(() => apiUrl(domain, path)).toThrow(UsageError);
    expect(() => apiUrl(domain, path)).toThrow(`give a path such as deals or v2/deals, not a URL: ${path}`);
  });
});

describe('rateLimitDelayMs', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('uses Retry-After in seconds', () => {
    expect(rateLimitDelayMs({ 'retry-after': '2' }, 0, now)).toBe(2000);
  });

  it('uses Retry-After as an HTTP date, relative to now', () => {
    const at = new Date(now + 5000).toUTCString();

    expect(rateLimitDelayMs({ 'retry-after': at }, 0, now)).toBe(5000);
  });

  it('never returns a negative wait for a Retry-After in the past', () => {
    expect(rateLimitDelayMs({ 'retry-after': new Date(now - 5000).toUTCString() }, 0, now)).toBe(0);
    expect(rateLimitDelayMs({ 'retry-after': '-3' }, 0, now)).toBe(0);
  });

  it('prefers Retry-After over x-ratelimit-reset', () => {
    expect(rateLimitDelayMs({ 'retry-after': '1', 'x-ratelimit-reset': '9' }, 0, now)).toBe(1000);
  });

  it('uses the first of repeated Retry-After headers', () => {
    expect(rateLimitDelayMs({ 'retry-after': ['3', '7'] }, 0, now)).toBe(3000);
  });

  it("falls back to Pipedrive's x-ratelimit-reset (seconds left in the window)", () => {
    expect(rateLimitDelayMs({ 'x-ratelimit-reset': '2' }, 0, now)).toBe(2000);
  });

  it('falls back to x-ratelimit-reset when Retry-After is unreadable', () => {
    expect(rateLimitDelayMs({ 'retry-after': 'soon', 'x-ratelimit-reset': '4' }, 0, now)).toBe(4000);
  });

  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
  ])('backs off exponentially without headers: attempt %i → %i ms', (attempt, ms) => {
    expect(rateLimitDelayMs({}, attempt, now)).toBe(ms);
  });
});
