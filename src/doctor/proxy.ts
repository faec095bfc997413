/**
 * Which proxy the product's HTTP client uses for a URL: undici's EnvHttpProxyAgent rules (undici 7,
 * lib/dispatcher/env-http-proxy-agent.js), restated here because undici does not expose its choice.
 * The lower-case variable wins when it is set at all (even empty); https falls back to the http
 * proxy; NO_PROXY is `*`, or host names and suffixes with an optional `:port`.
 */
export type ProxyChoice =
  /** `why` is set when a proxy variable is set but NO_PROXY exempts the host. */
  | { kind: 'direct'; why?: string }
  | { kind: 'proxy'; url: URL; variable: string; shown: string }
  | { kind: 'invalid'; variable: string };

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The proxy URL without its user name and password, which may be a secret. */
export function showProxy(url: URL): string {
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}`;
}

function bypassed(target: URL, noProxy: string): boolean {
  const entries = noProxy.split(/[,\s]/).filter(Boolean);
  if (entries.length === 0) return false;
  if (noProxy === '*') return true;
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || defaultPorts[target.protocol] || 0;
  return entries.some((entry) => {
    const m = /^(.+):(\d+)$/.exec(entry);
    const name = (m ? (m[1] ?? '') : entry).replace(/^\*?\./, '').toLowerCase();
    if (m && Number.parseInt(m[2] ?? '', 10) !== port) return false;
    return host === name || host.endsWith(`.${name}`);
  });
}

const parseProxy = (value: string): URL | undefined => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
};

export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  const pick = (lower: string, upper: string) =>
    env[lower] !== undefined
      ? { variable: lower, value: env[lower] }
      : { variable: upper, value: env[upper] };
  const http = pick('http_proxy', 'HTTP_PROXY');
  const https = pick('https_proxy', 'HTTPS_PROXY');
  const noProxy = pick('no_proxy', 'NO_PROXY');
  // undici builds both proxy agents up front: a bad value in either fails every request, wherever to.
  const bad = [http, https].find((v) => v.value && !parseProxy(v.value));
  if (bad) return { kind: 'invalid', variable: bad.variable };
  const chosen = target.protocol === 'https:' && https.value ? https : http.value ? http : undefined;
  const url = chosen?.value ? parseProxy(chosen.value) : undefined;
  if (!chosen || !url) return { kind: 'direct' };
  if (bypassed(target, noProxy.value ?? ''))
    return { kind: 'direct', why: `${noProxy.variable} matches ${target.hostname}` };
  return { kind: 'proxy', url, variable: chosen.variable, shown: showProxy(url) };
}
