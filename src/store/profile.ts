import type { StoredTokens } from '../oauth/token-set.js';

/** 1: the first layout; 2: tokens.obtainedAt (when the access token was issued). See migrate.ts. */
export const storeVersion = 2;

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
}

export interface StoreData {
  version: typeof storeVersion;
  /** Set by `pd-auth use`; PD_AUTH_PROFILE and --profile win over it. */
  activeProfile?: string;
  profiles: Record<string, Profile>;
}

export const profileNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function emptyStore(): StoreData {
  return { version: storeVersion, profiles: {} };
}
