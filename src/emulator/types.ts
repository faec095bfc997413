import type { FaultSpec } from './faults.js';

/** The Pipedrive user (and company) that the emulator pretends has authorized the app. */
export interface EmulatedUser {
  id: number;
  name: string;
  email: string;
  company_id: number;
  company_name: string;
  company_domain: string;
}

export interface DenyOptions {
  /** Default 'user_denied', as Pipedrive's docs say; its SDK READMEs show 'access_denied'. */
  error?: 'user_denied' | 'access_denied';
}

export interface EmulatorOptions {
  /** Must be a loopback address; default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** The one registered callback URL; Pipedrive allows exactly one per app. */
  redirectUri?: string;
  /** Seconds; default 3600. */
  accessTokenTtl?: number;
  /** Seconds; default 300 (Pipedrive's codes live 5 minutes). */
  codeTtl?: number;
  /** Redirect from /oauth/authorize with a code at once instead of showing the consent page. */
  autoApprove?: boolean;
  /** 'reuse' (default, as Pipedrive documents) or 'rotate' (single-use refresh tokens). */
  refreshTokenMode?: 'reuse' | 'rotate';
  /** Clock in ms; default Date.now. */
  now?: () => number;
  user?: Partial<EmulatedUser>;
}

/**
 * Counters for assertions in tests. `codeGrants` and `refreshGrants` count successful grants,
 * `tokenRequests` every POST /oauth/token, `tokenRequestsByGrant` those per grant_type whether they
 * succeeded or not (a refresh refused for a stale secret included), `revokes` every revoke
 * answered 200 and `usersMe` every users/me request (authorized or not); none of these counts a
 * request a fault answered.
 * `apiRequests` counts every request to /api/... or /v1/users/me, authorized or not, faulted or
 * not, so retries are visible; `faultsServed` every request an injected fault answered or dropped.
 */
export interface EmulatorStats {
  tokenRequests: number;
  tokenRequestsByGrant: { authorization_code: number; refresh_token: number };
  refreshGrants: number;
  codeGrants: number;
  revokes: number;
  usersMe: number;
  apiRequests: number;
  faultsServed: number;
}

export interface Emulator {
  /** Base URL without a trailing slash, e.g. 'http://127.0.0.1:41234'. */
  readonly url: string;
  /** A snapshot: read it again after regenerateSecret(). */
  readonly app: { clientId: string; clientSecret: string; redirectUri: string };
  /** New random secret; the old one stops working at once; issued tokens stay valid. */
  regenerateSecret(): string;
  setAutoApprove(on: boolean): void;
  /**
   * The person clicks "Allow and install" on the consent page of `authorizeUrl`: returns the
   * callback URL with `code` and `state`, to request from the app's callback route. Throws
   * AuthorizeUrlError where /oauth/authorize would answer 400 (wrong client_id or redirect_uri)
   * or for a URL that is not this emulator's /oauth/authorize.
   */
  approve(authorizeUrl: string | URL): string;
  /** Like approve(), for "Cancel": the callback URL with `error=user_denied` (or options.error) and `state`. */
  deny(authorizeUrl: string | URL, options?: DenyOptions): string;
  /** Appends faults (see FaultSpec); throws FaultSpecError and adds none if one is invalid. */
  injectFaults(faults: FaultSpec[]): void;
  clearFaults(): void;
  /** Every access token issued so far gets 401 from the API; refresh tokens keep working. */
  expireAccessTokens(): void;
  /** A snapshot of the counters (a copy: read it again to see later requests). */
  readonly stats: EmulatorStats;
  /** Closes the server and destroys every open socket, idle keep-alive ones included. */
  close(): Promise<void>;
}
