export interface TimeoutSettings {
  /** The deadline of a command's whole conversation with the server, retries included. */
  totalMs: number;
  /** One connection attempt, so that a retry can still fit in the deadline. */
  connectMs: number;
}

/** The code of the error a request gets when the deadline (TimeoutSettings.totalMs) ran out. */
export const deadlineCode = 'PD_AUTH_DEADLINE';

/** The error code of an undici/Node error, looking through `cause` chains. */
export function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** A plain-words reason for a failed request, and what to do about it. */
function describe(
  code: string | undefined,
  t: TimeoutSettings,
  fallback: string,
): { reason: string; hint: string } {
  const network = 'check your connection; behind a proxy set HTTPS_PROXY (and NO_PROXY)';
  const timeoutHint =
    'check your network, or your proxy (HTTPS_PROXY, NO_PROXY); to wait longer, set PD_AUTH_HTTP_TIMEOUT (seconds)';
  if (code && tlsCodes.has(code)) {
    return {
      reason: `the TLS certificate could not be verified (${code})`,
      // Never suggest turning verification off (NODE_TLS_REJECT_UNAUTHORIZED): point at the CA instead.
      hint: 'if a corporate proxy or TLS inspection is in the way, set NODE_EXTRA_CA_CERTS to its CA certificate file (PEM)',
    };
  }
  switch (code) {
    case deadlineCode:
      return { reason: `no complete answer within ${secs(t.totalMs)}, retries included`, hint: timeoutHint };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: `connecting timed out after ${secs(t.connectMs)}`, hint: timeoutHint };
    case 'ECONNREFUSED':
      return { reason: 'the connection was refused', hint: network };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: 'the host name could not be resolved', hint: network };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return { reason: 'the connection was closed before an answer came', hint: network };
    default:
      return { reason: code ?? fallback, hint: network };
  }
}

/** The request never got a (complete) HTTP answer: DNS, refused, reset, timeout, TLS. */
export class NetworkError extends Error {
  readonly code: string | undefined;
  readonly hint: string;

  constructor(url: string, cause: unknown, timeouts: TimeoutSettings = { totalMs: 0, connectMs: 0 }) {
    const code = errorCode(cause);
    const { reason, hint } = describe(code, timeouts, cause instanceof Error ? cause.message : String(cause));
    const message =
      code === deadlineCode
        ? `${new URL(url).host} did not answer in time (${url}: ${reason})`
        : `could not reach ${url}: ${reason}`;
    super(message, { cause });
    this.name = 'NetworkError';
    this.code = code;
    this.hint = hint;
  }
}
