import type { StoredTokens } from '../oauth/token-set.js';

/**
 * 1: the first layout; 2: tokens.obtainedAt (when the access token was issued); 3: profiles whose
 * secrets are in the OS keyring (storage, storeId). See migrate.ts.
 */
export const storeVersion = 3;

/**
 * Where a profile's long-lived secrets, the client secret and the refresh token, live: the OS
 * keyring, or the 0600 store file. The access token (valid for an hour) is always in the file.
 */
export type Storage = 'keyring' | 'file';

export interface UserInfo {
  id: number;
  name: string;
  email: string;
}

export interface CompanyInfo {
  id: number;
  name: string;
  domain: string;
}

/** One app + one authorized user, side by side with others (sandbox and production). */
export interface Profile {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  /** The OAuth host that issued the tokens (the emulator or Pipedrive). */
  oauthUrl: string;
  tokens?: StoredTokens;
  user?: UserInfo;
  company?: CompanyInfo;
  updatedAt: number;
  /**
   * Absent in stores written before the keyring: 'file'. A keyring profile's file entry holds no
   * clientSecret and no tokens.refreshToken; the store loads them when a command needs them.
   */
  storage?: Storage;
  /** Why the secrets are in the file though nobody chose it: what the keyring said at login. */
  storageFallback?: string;
}

export const storageOf = (p: Profile): Storage => p.storage ?? 'file';

/**
 * The access token obtained with credentials from the environment (CI), so that many calls in one
 * job refresh once. Keyed by a hash of the credentials: no secret from the environment is stored.
 */
export interface EnvCacheEntry {
  tokens: StoredTokens;
  /** A refresh token Pipedrive answered with instead of the environment's (rotation), for later calls. */
  rotatedRefreshToken?: string;
  updatedAt: number;
}

export interface StoreData {
  version: typeof storeVersion;
  /** Names this store's keyring entries, so that two stores (the demo, tests, PD_AUTH_CONFIG_DIR) never share one. */
  storeId?: string;
  /** Set by `pd-auth use`; PD_AUTH_PROFILE and --profile win over it. */
  activeProfile?: string;
  profiles: Record<string, Profile>;
  envCache?: Record<string, EnvCacheEntry>;
}

export const profileNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function emptyStore(): StoreData {
  return { version: storeVersion, profiles: {} };
}
