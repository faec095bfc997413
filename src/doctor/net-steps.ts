import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type Deadline, within } from './deadline.js';

/**
 * The steps below an HTTP request, one at a time, so a failure names its step: name resolution,
 * TCP connect, TLS handshake. Each is bounded by the deadline (and a connect by the connect bound).
 */

/** The addresses `host` resolves to, as the HTTP client will resolve it (the system resolver). */
export async function resolveHost(host: string, deadline: Deadline): Promise<string[]> {
  if (isIP(host)) return [host];
  // getaddrinfo cannot be cancelled: a late answer is ignored.
  const found = await within(lookup(host, { all: true }), deadline.left());
  return found.map((a) => a.address);
}

export async function connectTcp(host: string, port: number, deadline: Deadline): Promise<Socket> {
  const socket = tcpConnect({ host, port, autoSelectFamily: true });
  const connected = new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
  const ms = Math.min(deadline.left(), deadline.timeouts.connectMs);
  return within(connected, ms, () => socket.destroy()).catch((err: unknown) => {
    socket.destroy();
    throw err;
  });
}

/** A TLS handshake over `socket`, verifying the certificate against Node's CAs (NODE_EXTRA_CA_CERTS included). */
export async function handshake(socket: Socket, host: string, deadline: Deadline): Promise<TLSSocket> {
  const tls = tlsConnect({
    socket,
    host,
    servername: isIP(host) ? undefined : host,
    ALPNProtocols: ['http/1.1'],
  });
  const done = new Promise<TLSSocket>((resolve, reject) => {
    tls.once('secureConnect', () => resolve(tls));
    tls.once('error', reject);
  });
  return within(done, deadline.left(), () => tls.destroy()).catch((err: unknown) => {
    tls.destroy();
    throw err;
  });
}
