import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: well over the 128 bits the callback check needs. */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares in constant time. The length is no secret (a state is always 43 characters, and it
 * travels in the authorize URL), so a different length fails at once.
 */
export function stateMatches(expected: string, received: string | undefined | null): boolean {
  if (typeof received !== 'string' || received.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
