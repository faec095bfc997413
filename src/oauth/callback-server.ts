// Over 150 lines, as one file on purpose: the request handler and the listener's lifecycle share the
// login's state (the first callback, the result page, the grace before closing), which would otherwise
// have to travel between files.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type CallbackOutcome, interpretCallback } from './callback-params.js';
import type { ListenPlan } from './redirect-uri.js';

/** What the browser is shown once the login is over; filled in by the caller, never holds a token. */
export interface ResultPage {
  ok: boolean;
  title: string;
  lines: string[];
}

export interface CallbackServerOptions {
  plan: ListenPlan;
  state: string;
  /** Slow or idle clients are cut off after these (defaults: 10 s for headers, 15 s per request). */
  timeouts?: { headersMs: number; requestMs: number };
  /** How long close() waits for the browser to fetch the result page after the callback (500 ms). */
  resultGraceMs?: number;
  /** Renders every page; injected so protocol code stays free of UI (design.md). */
  render(tone: 'success' | 'error' | 'info', title: string, lines: string[]): string;
}

export interface CallbackServer {
  /** The first callback with the right state: a code, or a denial. Later ones are refused. */
  readonly outcome: Promise<Exclude<CallbackOutcome, { kind: 'invalid' }>>;
  /** Answer the browser's result page (it waits for this after the 303). */
  finish(page: ResultPage): void;
  /**
   * Stop listening and destroy every socket, keep-alive ones too, once the browser has had its result
   * page (or, after a callback, resultGraceMs has passed without it fetching the page).
   */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port} (${code})`);
    this.name = 'PortInUseError';
  }
}

const securityHeaders = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
};

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Binds loopback only (pipedrive-oauth.md §6: fixed port), on every host of the plan. */
export async function startCallbackServer(opts: CallbackServerOptions): Promise<CallbackServer> {
  const { plan, state, render } = opts;
  const resultPath = `${plan.path.replace(/\/+$/, '')}/result`;
  const allowedHosts = new Set(
    ['localhost', '127.0.0.1', '[::1]', ...plan.hosts].map((h) => `${h}:${plan.port}`),
  );
  if (plan.port === 80) for (const h of ['localhost', '127.0.0.1', '[::1]']) allowedHosts.add(h);

  let settle!: (o: Exclude<CallbackOutcome, { kind: 'invalid' }>) => void;
  const outcome = new Promise<Exclude<CallbackOutcome, { kind: 'invalid' }>>((resolve) => {
    settle = resolve;
  });
  let received = false;
  let finishPage: (p: ResultPage) => void = () => {};
  const finalPage = new Promise<ResultPage>((resolve) => {
    finishPage = resolve;
  });
  let resultSent: () => void = () => {};
  const resultPageSent = new Promise<void>((resolve) => {
    resultSent = resolve;
  });

  const send = (res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders, 'content-type': 'text/html; charset=utf-8', ...extra });
    res.end(html);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const bad = () =>
      send(res, 400, render('error', 'Bad request', ['This address only answers the pd-auth login.']));
    // Exactly one Host, naming a loopback address: a DNS-rebound hostile page sends another one.
    const hosts = req.headersDistinct.host ?? [];
    if (hosts.length !== 1 || !allowedHosts.has((hosts[0] ?? '').toLowerCase())) return bad();
    // Origin-form targets only ("/path?query"): an absolute-form or "//authority" target would name
    // another host than the Host header checked above (RFC 9112 §3.2).
    const target = req.url ?? '';
    if (!target.startsWith('/') || target.startsWith('//')) return bad();
    let url: URL;
    try {
      url = new URL(target, 'http://localhost');
    } catch {
      return bad();
    }
    if (url.pathname !== plan.path && url.pathname !== resultPath) {
      return send(
        res,
        404,
        render('error', 'Not found', ['Nothing here. pd-auth waits for the login callback.']),
      );
    }
    if (req.method !== 'GET') {
      return send(res, 405, render('error', 'Method not allowed', ['Only GET is accepted.']), {
        allow: 'GET',
      });
    }
    if (url.pathname === resultPath) {
      if (!received) return send(res, 404, render('error', 'Not found', ['No login has finished here yet.']));
      const timer = setTimeout(
        () =>
          finishPage({ ok: false, title: 'Still working', lines: ['Check the terminal for the result.'] }),
        30_000,
      );
      void finalPage.then((p) => {
        clearTimeout(timer);
        res.once('finish', resultSent);
        res.once('close', resultSent);
        send(res, p.ok ? 200 : 400, render(p.ok ? 'success' : 'error', p.title, p.lines));
      });
      return;
    }
    if (received) {
      return send(
        res,
        409,
        render('error', 'Already used', ['This login has already received its callback.']),
      );
    }
    const result = interpretCallback(url.searchParams, state);
    if (result.kind === 'invalid') {
      return send(
        res,
        400,
        render('error', 'Invalid callback', [`${result.reason}.`, 'pd-auth keeps waiting for the real one.']),
      );
    }
    received = true;
    settle(result);
    // 303 to the result page, so the code leaves the address bar and a reload cannot resend it.
    res.writeHead(303, { ...securityHeaders, location: resultPath, 'content-length': '0' });
    res.end();
  };

  const servers: Server[] = [];
  const closeAll = () => Promise.all(servers.map(closeServer)).then(() => undefined);
  const bind = async (host: string) => {
    // Node checks the timeouts below only every connectionsCheckingInterval (30 s by default).
    const server = createServer({ maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1_000 }, handle);
    // Slow or idle clients cannot hold the listener open.
    server.headersTimeout = opts.timeouts?.headersMs ?? 10_000;
    server.requestTimeout = opts.timeouts?.requestMs ?? 15_000;
    server.keepAliveTimeout = 1_000;
    server.maxConnections = 64;
    try {
      await listen(server, host, plan.port);
      servers.push(server);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // A machine without IPv6 cannot bind ::1; the IPv4 listener is enough then.
      if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') && plan.hosts.length > 1)
        return;
      await closeAll();
      throw new PortInUseError(host, plan.port, code);
    }
  };
  for (const host of plan.hosts) await bind(host);

  return {
    outcome,
    finish: (page) => finishPage(page),
    close: async () => {
      // A result page still waiting is answered (a no-op once finish() has been called), and the
      // browser, which asks for it right after the 303, gets it before the sockets go: close waits
      // until one has been sent, for at most resultGraceMs, and not at all when no callback came.
      finishPage({ ok: false, title: 'Login did not finish', lines: ['Check the terminal for the result.'] });
      if (received) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          resultPageSent,
          new Promise<void>((r) => {
            timer = setTimeout(r, opts.resultGraceMs ?? 500);
          }),
        ]);
        clearTimeout(timer);
      }
      await closeAll();
    },
  };
}
