import type { EmulatorConfig } from './config.js';
import { DealStore } from './deals.js';
import { FaultQueue } from './faults.js';
import { GrantStore } from './grant-store.js';
import type { EmulatorStats } from './types.js';

/** The mutable state of one emulator instance, shared by every request handler. */
export interface EmulatorContext {
  readonly config: EmulatorConfig;
  /** clientSecret changes when the secret is regenerated; the rest is fixed. */
  readonly app: { clientId: string; clientSecret: string; redirectUri: string };
  readonly store: GrantStore;
  readonly stats: EmulatorStats;
  readonly deals: DealStore;
  readonly faults: FaultQueue;
  /** The current rate-limit window (ms) and the authorized API requests in it. */
  readonly rateWindow: { start: number; count: number };
  autoApprove: boolean;
  /** Known only once the server listens; also the api_domain handed out with tokens. */
  baseUrl: string;
}

/** The app's name as Developer Hub and the consent page show it. */
export const APP_NAME = 'pd-auth test app';

/** Every app gets `base`; the extra scope makes the comma-separated form visible to clients. */
export const GRANTED_SCOPES = ['base', 'deals:full'] as const;

export function createContext(config: EmulatorConfig): EmulatorContext {
  return {
    config,
    app: { clientId: config.clientId, clientSecret: config.clientSecret, redirectUri: config.redirectUri },
    store: new GrantStore(config),
    stats: {
      tokenRequests: 0,
      tokenRequestsByGrant: { authorization_code: 0, refresh_token: 0 },
      refreshGrants: 0,
      codeGrants: 0,
      revokes: 0,
      usersMe: 0,
      apiRequests: 0,
      faultsServed: 0,
    },
    deals: new DealStore(config),
    faults: new FaultQueue(),
    rateWindow: { start: 0, count: 0 },
    autoApprove: config.autoApprove,
    baseUrl: '',
  };
}
