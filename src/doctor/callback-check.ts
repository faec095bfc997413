import { createServer } from 'node:net';
import { PdAuthError } from '../errors.js';
import { defaultRedirectUri, parseRedirectUri, type RedirectTarget } from '../oauth/redirect-uri.js';
import { failure, type Outcome, ok, warning } from './check.js';
import { describeHolders, portHolders } from './port-holder.js';

type Bind = 'free' | 'in-use' | 'denied' | 'no-family' | { other: string };

/** Binds and at once releases `host`:`port` as the login's listener would (exclusive, no reuse). */
function tryBind(host: string, port: number): Promise<Bind> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve('in-use');
      else if (e.code === 'EACCES' || e.code === 'EPERM') resolve('denied');
      // A machine without IPv6 cannot bind ::1; the login then listens on 127.0.0.1 alone.
      else if (host === '::1' && (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT'))
        resolve('no-family');
      else resolve({ other: e.code ?? e.message });
    });
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve('free')));
  });
}

export interface CallbackFinding {
  outcome: Outcome;
  /** The parsed callback URL, for the browser check's `ssh -L` line; undefined when it is invalid. */
  target: RedirectTarget | undefined;
}

/** The callback URL the login will listen on: a loopback http URL whose port is free on each address. */
export async function checkCallback(
  redirectUri: string | undefined,
  platform: NodeJS.Platform,
): Promise<CallbackFinding> {
  const uri = redirectUri ?? defaultRedirectUri;
  let target: RedirectTarget;
  try {
    target = parseRedirectUri(uri);
  } catch (err) {
    const why = err instanceof PdAuthError ? err.message : String(err);
    return {
      target: undefined,
      outcome: failure(
        `the stored callback URL ${uri} is unusable: ${why}`,
        'log in again with --redirect-uri and the URL registered in Developer Hub',
      ),
    };
  }
  const plan = target.listen;
  if (!plan) {
    return {
      target,
      outcome: warning(
        `${uri} is not a loopback http:// URL, so pd-auth cannot listen for it`,
        'log in with --no-browser and paste the redirected URL, or register a loopback URL such as http://localhost:8484/callback',
      ),
    };
  }
  const results = await Promise.all(plan.hosts.map(async (h) => [h, await tryBind(h, plan.port)] as const));
  const busy = results.filter(([, r]) => r === 'in-use').map(([h]) => h);
  const moveOn = `register another callback URL in Developer Hub and log in with --redirect-uri http://localhost:PORT${plan.path}`;
  if (busy.length > 0) {
    // /proc is Linux's; elsewhere the system's own tools say who it is (lsof, netstat -ano).
    const who = describeHolders(platform === 'linux' ? portHolders(plan.port) : []);
    const tool = platform === 'win32' ? `netstat -ano | findstr :${plan.port}` : `lsof -i :${plan.port}`;
    return {
      target,
      outcome: failure(
        `port ${plan.port} is in use on ${busy.join(' and ')} (${who}): a login could not listen for ${uri}`,
        `stop that program (${tool}), or ${moveOn}`,
      ),
    };
  }
  if (results.some(([, r]) => r === 'denied')) {
    return {
      target,
      outcome: failure(
        `pd-auth may not listen on port ${plan.port} (a port below 1024 needs privileges; on Windows it may be reserved: netsh interface ipv4 show excludedportrange protocol=tcp)`,
        `${moveOn}, with a PORT from 1024 to 49151`,
      ),
    };
  }
  const other = results.find(([, r]) => typeof r === 'object');
  if (other) {
    const code = (other[1] as { other: string }).other;
    return {
      target,
      outcome: failure(`cannot listen on ${other[0]} port ${plan.port}: ${code}`, moveOn),
    };
  }
  const on = results.filter(([, r]) => r === 'free').map(([h]) => h);
  if (on.length === 0)
    return {
      target,
      outcome: failure(`${uri} is on ::1, and this machine has no IPv6`, moveOn),
    };
  return {
    target,
    outcome: ok(
      `${uri}: port ${plan.port} is free on ${on.join(' and ')} (register exactly this URL in Developer Hub)`,
    ),
  };
}
