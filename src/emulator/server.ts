import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { regenerateSecret } from './admin.js';
import { resolveConfig } from './config.js';
import { decide } from './consent-decision.js';
import { createContext } from './context.js';
import type { FaultSpec } from './faults.js';
import { routeRequest } from './router.js';
import type { Emulator, EmulatorOptions } from './types.js';

export { EmulatorOptionError } from './config.js';
export { AuthorizeUrlError } from './consent-decision.js';
export { type FaultSpec, FaultSpecError } from './faults.js';
export type { DenyOptions, EmulatedUser, Emulator, EmulatorOptions, EmulatorStats } from './types.js';

/**
 * Starts an in-memory stand-in for oauth.pipedrive.com and a sliver of the API (users/me, deals;
 * see api.ts) on a loopback port. This module is also the package entry `pd-auth/emulator`
 * (dist/emulator.mjs), so what it exports is public: see docs/emulator.md. Rejects with
 * EmulatorOptionError for a bad option.
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
    approve: (authorizeUrl) => decide(ctx, authorizeUrl, 'allow'),
    deny: (authorizeUrl, denyOptions) => decide(ctx, authorizeUrl, 'deny', denyOptions),
    injectFaults: (faults: FaultSpec[]) => ctx.faults.add(faults),
    clearFaults: () => ctx.faults.clear(),
    expireAccessTokens: () => ctx.store.expireAccessTokens(),
    get stats() {
      return { ...ctx.stats, tokenRequestsByGrant: { ...ctx.stats.tokenRequestsByGrant } };
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
