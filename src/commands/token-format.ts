import type { StoredTokens } from '../oauth/token-set.js';

export type TokenFormat = 'raw' | 'env' | 'header' | 'json';
export const tokenFormats: readonly TokenFormat[] = ['raw', 'env', 'header', 'json'];

/** POSIX single quotes: safe for `eval`, whatever the token holds. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** What `pd-auth token` prints, one format each (README "pd-auth token"). */
export function formatToken(format: TokenFormat, profile: string, t: StoredTokens, now: number): string {
  switch (format) {
    case 'raw':
      return `${t.accessToken}\n`;
    case 'env':
      return `export PIPEDRIVE_ACCESS_TOKEN=${shellQuote(t.accessToken)}\nexport PIPEDRIVE_API_DOMAIN=${shellQuote(t.apiDomain)}\n`;
    case 'header':
      return `Authorization: Bearer ${t.accessToken}\n`;
    case 'json':
      return `${JSON.stringify({
        profile,
        access_token: t.accessToken,
        token_type: 'Bearer',
        api_domain: t.apiDomain,
        expires_at: new Date(t.expiresAt).toISOString(),
        expires_in: Math.max(0, Math.floor((t.expiresAt - now) / 1000)),
        scope: t.scope,
      })}\n`;
  }
}
