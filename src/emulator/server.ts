import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { regenerateSecret } from './admin.js';
import { resolveConfig } from './config.js';
import { createContext } from './context.js';
import type { FaultSpec } from './faults.js';
import { routeRequest } from './router.js';

export { type FaultSpec, FaultSpecError } from './faults.js';

/** The Pipedrive user (and company) that the emulator pretends has authorized the app. */
export interface EmulatedUser {
  id: number;
  name: string;
  email: string;
  company_id: number;
  company_name: string;
  company_domain: string;
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
 * `tokenRequests` every POST /oauth/token, `revokes` every revoke answered 200 and `usersMe`
 * every users/me request (authorized or not); none of these counts a request a fault answered.
 * `apiRequests` counts every request to /api/... or /v1/users/me, authorized or not, faulted or
 * not, so retries are visible; `faultsServed` every request an injected fault answered or dropped.
 */
export interface EmulatorStats {
  tokenRequests: number;
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
  /** Appends faults (see FaultSpec); throws FaultSpecError and adds none if one is invalid. */
  injectFaults(faults: FaultSpec[]): void;
  clearFaults(): void;
  /** Every access token issued so far gets 401 from the API; refresh tokens keep working. */
  expireAccessTokens(): void;
  /** A snapshot of the counters. */
  readonly stats: EmulatorStats;
  /** Closes the server and destroys every open socket, idle keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * Starts an in-memory stand-in for oauth.pipedrive.com and a sliver of the API (users/me, deals;
 * see api.ts) on a loopback port.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveConfig(options);
  const ctx = createContext(config);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void routeRequest(ctx, req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, config.port, config.host);
  const { address, port } = server.address() as AddressInfo;
  ctx.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  return {
    url: ctx.baseUrl,
    get app() {
      return { ...ctx.app };
    },
    regenerateSecret: () => regenerateSecret(ctx),
    setAutoApprove(on: boolean) {
      ctx.autoApprove = on;
    },
    injectFaults: (faults: FaultSpec[]) => ctx.faults.add(faults),
    clearFaults: () => ctx.faults.clear(),
    expireAccessTokens: () => ctx.store.expireAccessTokens(),
    get stats() {
      return { ...ctx.stats };
    },
    close: () => closeServer(server, sockets),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    // server.close() alone would wait for in-flight requests and keep-alive sockets to time out.
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  });
}
