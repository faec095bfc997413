import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError, UsageError } from '../errors.js';
import { resolveProfileName } from '../flows/profile-name.js';
import type { HttpRequest } from '../net/http-client.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export interface ApiOptions {
  profile: string;
  method?: string;
  data?: string;
  headers: string[];
  path: string;
}

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

async function readData(data: string, deps: Deps): Promise<string> {
  if (data === '-') {
    let text = '';
    for await (const chunk of deps.io.stdin)
      text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    return text;
  }
  if (data.startsWith('@')) {
    const { readFile } = await import('node:fs/promises');
    try {
      return await readFile(data.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${data.slice(1)}: ${(err as Error).message}`);
    }
  }
  return data;
}

function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    const name = h.slice(0, i).trim().toLowerCase();
    if (i <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw new UsageError(`bad header ${JSON.stringify(h)}: use 'Name: value'`);
    if (name === 'authorization') throw new UsageError('pd-auth sets the Authorization header itself');
    out[name] = h.slice(i + 1).trim();
  }
  return out;
}

/** Pipedrive's `{success:false, error, error_info}` as one line; the status text otherwise. */
function errorText(body: string): string | undefined {
  try {
    const o = JSON.parse(body) as { error?: unknown; error_info?: unknown; message?: unknown };
    const parts = [o.error, o.message, o.error_info].filter(
      (v): v is string => typeof v === 'string' && v !== '',
    );
    return parts.length ? [...new Set(parts)].join(': ') : undefined;
  } catch {
    return undefined;
  }
}

/** Calls the API as the app and prints the body on stdout (pretty on a terminal). */
export async function runApi(opts: ApiOptions, deps: Deps): Promise<number> {
  const method = (opts.method?.toUpperCase() ??
    (opts.data !== undefined ? 'POST' : 'GET')) as HttpRequest['method'];
  if (!methods.includes(method))
    throw new UsageError(`unsupported method ${opts.method}: use ${methods.join(', ')}`);
  const headers = parseHeaders(opts.headers);
  const body = opts.data === undefined ? undefined : await readData(opts.data, deps);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const { apiRequest } = await import('../flows/api-request.js');
  const res = await apiRequest(
    { profile: opts.profile, method, path: opts.path, headers, ...(body !== undefined ? { body } : {}) },
    deps,
  );
  let out = res.body;
  if (deps.io.stdoutIsTTY) {
    try {
      out = JSON.stringify(JSON.parse(res.body), null, 2);
    } catch {}
  }
  if (out !== '') deps.io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  if (res.status >= 200 && res.status < 300) return 0;
  const why = errorText(res.body) ?? 'no error message';
  const hint =
    res.status === 403
      ? "the app's scopes may not cover this endpoint: add the scope in Developer Hub, then log in again"
      : res.status === 429
        ? 'the rate limit did not clear in time; wait and try again'
        : undefined;
  throw new PdAuthError(`${method} ${res.url} answered ${res.status}: ${why}`, hint ? { hint } : {});
}

export function registerApi(program: Command, deps: () => Deps): void {
  program
    .command('api')
    .description("call the Pipedrive API as your app: {api_domain}/api/v1/PATH with the profile's token")
    .argument('<path>', 'e.g. users/me, deals/42, v2/deals, or /api/v1/...')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('-X, --method <method>', 'GET (default), or POST when -d is given; PUT, PATCH, DELETE')
    .option('-d, --data <data>', 'request body: JSON text, @file, or - for stdin')
    .option(
      '-H, --header <header>',
      "extra header 'Name: value' (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .action(
      async (path: string, o: { profile?: string; method?: string; data?: string; header: string[] }) => {
        const d = deps();
        const profile = await resolveProfileName(o.profile, d);
        await runApi(
          {
            profile,
            path,
            headers: o.header,
            ...(o.method ? { method: o.method } : {}),
            ...(o.data !== undefined ? { data: o.data } : {}),
          },
          d,
        );
      },
    );
}
