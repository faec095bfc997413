import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: well over the 128 bits the callback check needs. */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Hashing both sides first gives equal lengths, so neither the
 * content nor the length of the expected state leaks through timing.
 */
export function stateMatches(expected: string, received: string | undefined | null): boolean {
  if (typeof received !== 'string' || received.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}
