import type { EmulatorConfig } from './config.js';
import { newAccessToken, newAuthorizationCode, newRefreshToken, newRequestId } from './token-format.js';

/** Refresh tokens die after 60 days without use; each use restarts the window. */
const REFRESH_IDLE_MS = 60 * 24 * 60 * 60 * 1000;
/** How long a consent page stays answerable. */
const PENDING_TTL_MS = 10 * 60 * 1000;
/** Caps every map so a loop hitting the emulator cannot exhaust memory; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

export interface PendingAuthorization {
  redirectUri: string;
  state: string | undefined;
  expiresAt: number;
}

export interface CodeRecord {
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

/** One installation (user × company × app): a refresh token and the access tokens issued from it. */
interface Grant {
  refreshToken: string;
  refreshExpiresAt: number;
  accessTokens: Set<string>;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
}

export type RefreshResult = IssuedTokens | 'invalid' | 'expired';

export class GrantStore {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly grants = new Map<string, Grant>();
  private readonly access = new Map<string, { grant: Grant; expiresAt: number }>();

  constructor(private readonly config: EmulatorConfig) {}

  addPending(redirectUri: string, state: string | undefined): string {
    const id = newRequestId();
    capped(this.pending).set(id, { redirectUri, state, expiresAt: this.config.now() + PENDING_TTL_MS });
    return id;
  }

  /** Single use: a consent form can be answered once. */
  takePending(id: string): PendingAuthorization | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending && pending.expiresAt > this.config.now() ? pending : undefined;
  }

  issueCode(clientId: string, redirectUri: string): string {
    const { user, codeTtl, now } = this.config;
    const code = newAuthorizationCode(user.company_id, user.id);
    capped(this.codes).set(code, { clientId, redirectUri, expiresAt: now() + codeTtl * 1000 });
    return code;
  }

  findCode(code: string): CodeRecord | undefined {
    return this.codes.get(code);
  }

  consumeCode(code: string): void {
    this.codes.delete(code);
  }

  createGrant(): IssuedTokens {
    const { user } = this.config;
    const grant: Grant = {
      refreshToken: newRefreshToken(user.company_id, user.id),
      refreshExpiresAt: this.config.now() + REFRESH_IDLE_MS,
      accessTokens: new Set(),
    };
    capped(this.grants).set(grant.refreshToken, grant);
    return { accessToken: this.issueAccess(grant), refreshToken: grant.refreshToken };
  }

  refresh(refreshToken: string): RefreshResult {
    const grant = this.grants.get(refreshToken);
    if (!grant) return 'invalid';
    const now = this.config.now();
    if (grant.refreshExpiresAt <= now) return 'expired';
    if (this.config.refreshTokenMode === 'rotate') {
      this.grants.delete(refreshToken);
      grant.refreshToken = newRefreshToken(this.config.user.company_id, this.config.user.id);
      this.grants.set(grant.refreshToken, grant);
    }
    grant.refreshExpiresAt = now + REFRESH_IDLE_MS;
    // Earlier access tokens stay valid until their own expiry (Pipedrive leaves this unspecified).
    return { accessToken: this.issueAccess(grant), refreshToken: grant.refreshToken };
  }

  isAccessTokenValid(token: string): boolean {
    const record = this.access.get(token);
    return record !== undefined && record.expiresAt > this.config.now();
  }

  /** Every access token issued so far stops working, as if its hour had passed; refresh still works. */
  expireAccessTokens(): void {
    for (const record of this.access.values()) record.expiresAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * RFC 7009: the token types never share a value, so the hint cannot change the outcome.
   * Revoking a refresh token uninstalls the app for the user: every access token of it dies too.
   */
  revoke(token: string): void {
    const grant = this.grants.get(token);
    if (grant) {
      this.grants.delete(token);
      for (const accessToken of grant.accessTokens) this.access.delete(accessToken);
      grant.accessTokens.clear();
      return;
    }
    this.forgetAccess(token);
  }

  private issueAccess(grant: Grant): string {
    const now = this.config.now();
    // Forget this grant's expired tokens so a client refreshing in a loop does not grow the maps.
    for (const old of grant.accessTokens) {
      if (!this.isAccessTokenValid(old)) this.forgetAccess(old);
    }
    if (this.access.size >= MAX_ENTRIES) this.forgetAccess(this.access.keys().next().value ?? '');
    const token = newAccessToken();
    this.access.set(token, { grant, expiresAt: now + this.config.accessTokenTtl * 1000 });
    grant.accessTokens.add(token);
    return token;
  }

  private forgetAccess(token: string): void {
    this.access.get(token)?.grant.accessTokens.delete(token);
    this.access.delete(token);
  }
}

function capped<V>(map: Map<string, V>): Map<string, V> {
  const oldest = map.keys().next();
  if (map.size >= MAX_ENTRIES && !oldest.done) map.delete(oldest.value);
  return map;
}
