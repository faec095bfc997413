import type { HttpClient } from '../net/http-client.js';
import { deadlineCode, errorCode, NetworkError } from '../net/network-error.js';
import { failure, type Outcome, ok, warning } from './check.js';
import { type Deadline, StepTimeout } from './deadline.js';
import { connectTcp, handshake, resolveHost } from './net-steps.js';
import { type ProxyChoice, proxyFor } from './proxy.js';

export interface HostAnswer {
  status: number;
  /** The server's Date header, for the clock check. */
  date: string | undefined;
  sentAt: number;
  receivedAt: number;
}

export interface HostFinding {
  outcome: Outcome;
  answer?: HostAnswer;
}

export interface NetContext {
  http: HttpClient;
  /** The process environment: the proxy variables (HTTPS_PROXY, NO_PROXY, ...) are read from it. */
  processEnv: NodeJS.ProcessEnv;
  deadline: Deadline;
  now(): number;
}

const slowFix = 'check your network or proxy; to wait longer, set PD_AUTH_HTTP_TIMEOUT (seconds)';

/** A failed step in plain words: the product's own wording (network-error.ts), or the deadline. */
function stepError(url: string, err: unknown): { reason: string; fix: string } {
  if (err instanceof StepTimeout) return { reason: err.message, fix: slowFix };
  // undici reports a proxy's refusal of CONNECT only in its message.
  const refused = /Proxy response \((\d+)\)/.exec(String((err as Error)?.cause ?? ''))?.[1];
  if (refused === '407')
    return {
      reason: 'the proxy wants credentials (HTTP 407)',
      fix: 'put them in the proxy URL: http://USER:PASSWORD@HOST:PORT',
    };
  if (refused)
    return {
      reason: `the proxy refused the tunnel (HTTP ${refused})`,
      fix: "ask the proxy's owner to allow this host",
    };
  const e = err instanceof NetworkError ? err : new NetworkError(url, err);
  const code = errorCode(err);
  const reason = e.message.replace(/^could not reach \S+: /, '');
  return { reason: code && !reason.includes(code) ? `${reason} (${code})` : reason, fix: e.hint };
}

const route = (p: ProxyChoice) => {
  if (p.kind === 'proxy') return `through the proxy ${p.shown} (${p.variable})`;
  return p.kind === 'direct' && p.why ? `no proxy (${p.why})` : 'no proxy';
};

/**
 * Whether `base` can be reached the way pd-auth's requests reach it: directly (name, connect, TLS,
 * then HTTP) or through the proxy the environment names (the proxy's name and connect, then HTTP
 * through it). Any HTTP answer proves the way; `path` is one that needs no credentials.
 */
export async function checkHost(base: string, path: string, ctx: NetContext): Promise<HostFinding> {
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol))
    return { outcome: failure(`${base} is not an http(s) URL`, 'check PD_AUTH_OAUTH_URL, or log in again') };
  const target = new URL(base);
  const proxy = proxyFor(target, ctx.processEnv);
  if (proxy.kind === 'invalid') {
    return {
      outcome: failure(
        `${proxy.variable} is not an http:// or https:// URL, so every request pd-auth makes fails`,
        `set ${proxy.variable} to the proxy's URL, such as http://proxy.example:3128, or unset it`,
      ),
    };
  }
  const hop = proxy.kind === 'proxy' ? proxy.url : target;
  const host = hop.hostname.replace(/^\[|\]$/g, '');
  const port = Number(hop.port) || (hop.protocol === 'https:' ? 443 : 80);
  const steps: string[] = [];
  const fail = (what: string, err: unknown): HostFinding => {
    const e = stepError(base, err);
    if (proxy.kind !== 'proxy') return { outcome: failure(`${target.origin}: ${what}: ${e.reason}`, e.fix) };
    return {
      outcome: failure(
        `the proxy ${proxy.shown} (${proxy.variable}) is not reachable: ${what}: ${e.reason}`,
        `check the proxy's address in ${proxy.variable}, or unset it (NO_PROXY=${target.hostname} skips it for this host)`,
      ),
    };
  };
  const name = proxy.kind === 'proxy' ? `the proxy's name ${host}` : `the name ${host}`;
  try {
    const addresses = await resolveHost(host, ctx.deadline);
    const resolved = `resolved to ${addresses.slice(0, 2).join(', ')}`;
    steps.push(proxy.kind === 'proxy' ? `the proxy's name ${resolved}` : resolved);
  } catch (err) {
    return fail(`${name} could not be resolved`, err);
  }
  let socket: Awaited<ReturnType<typeof connectTcp>>;
  try {
    socket = await connectTcp(host, port, ctx.deadline);
    steps.push('connected');
  } catch (err) {
    return fail(`connecting to ${host} port ${port} failed`, err);
  }
  if (proxy.kind !== 'proxy' && target.protocol === 'https:') {
    try {
      (await handshake(socket, host, ctx.deadline)).destroy();
      steps.push('certificate verified');
    } catch (err) {
      return fail('the TLS handshake failed', err);
    }
  } else socket.destroy();
  const sentAt = ctx.now();
  try {
    const res = await ctx.http.request({
      method: 'GET',
      url: `${target.origin}${path}`,
      signal: ctx.deadline.signal,
    });
    const receivedAt = ctx.now();
    const date = [res.headers.date].flat()[0];
    const answer = { status: res.status, date, sentAt, receivedAt };
    const how = `${steps.join(', ')}, ${route(proxy)}`;
    if (res.status >= 500)
      return {
        answer,
        outcome: warning(
          `${target.origin} answered HTTP ${res.status}: ${how}`,
          'the server is having trouble; try again in a minute',
        ),
      };
    return { answer, outcome: ok(`${target.origin} answers (HTTP ${res.status}): ${how}`) };
  } catch (err) {
    // Doctor's deadline and the client's own (the same length) race: either means no answer in time.
    const timedOut = ctx.deadline.signal.aborted || errorCode(err) === deadlineCode;
    const e = timedOut
      ? { reason: `no HTTP answer within ${ctx.deadline.timeouts.totalMs / 1000}s`, fix: slowFix }
      : stepError(base, err);
    const via = proxy.kind === 'proxy' ? ` ${route(proxy)}` : '';
    return { outcome: failure(`${target.origin}${via}: ${steps.join(', ')}, but ${e.reason}`, e.fix) };
  }
}
