import { randomBytes } from 'node:crypto';

// Real access tokens start "v1u:AQIBAHj+" (an encrypted blob's fixed header). Reusing those header
// bytes puts a '+' in every token, and the body lengths below (106 and 44 bytes, not multiples of 3)
// force '=' padding, so clients that forget to URL-encode tokens fail every time, not sometimes.
const BLOB_HEADER = Buffer.from([0x01, 0x02, 0x01, 0x00, 0x78, 0xfe]);

/** `v1u:<base64>:<base64>`, shaped like Pipedrive's. */
export function newAccessToken(): string {
  const blob = Buffer.concat([BLOB_HEADER, randomBytes(100)]);
  return `v1u:${blob.toString('base64')}:${randomBytes(44).toString('base64')}`;
}

/** `<n>:<n>:<40 hex>`, like Pipedrive's `1:1:2a5496a8…`. */
export function newRefreshToken(companyId: number, userId: number): string {
  return `${companyId}:${userId}:${randomBytes(20).toString('hex')}`;
}

/** `<digits>.<digits>.<hex>`, like Pipedrive's `123.456.2d73391055…`. */
export function newAuthorizationCode(companyId: number, userId: number): string {
  return `${companyId}.${userId}.${randomBytes(21).toString('hex')}`;
}

export function newClientSecret(): string {
  return randomBytes(20).toString('hex');
}

/** Identifies a consent page between GET /oauth/authorize and the form POST. */
export function newRequestId(): string {
  return randomBytes(18).toString('base64url');
}
