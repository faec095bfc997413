import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { PdAuthError, UsageError } from '../errors.js';
import { resolveProfileName } from '../flows/profile-name.js';
import { v1Hint } from '../flows/v1-hint.js';
import type { HttpRequest } from '../net/http-client.js';
import { errorText, parseHeaders, readData } from './api-input.js';
import { parseProfileName, profileOptionHelp } from './shared.js';

export interface ApiOptions {
  profile: string;
  method?: string;
  data?: string;
  headers: string[];
  path: string;
  /** GET every page and print one JSON array of all items. */
  paginate?: boolean;
}

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Pretty JSON on a terminal, the text as it is otherwise; nothing for an empty body. */
function printBody(text: string, deps: Deps): void {
  let out = text;
  if (deps.io.stdoutIsTTY) {
    try {
      out = JSON.stringify(JSON.parse(text), null, 2);
    } catch {}
  }
  if (out !== '') deps.io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
}

/** The error for a non-2xx answer: Pipedrive's message, and a next step where there is one. */
function answerError(method: string, res: { status: number; url: string; body: string }): PdAuthError {
  const why = errorText(res.body) ?? 'no error message';
  const hint =
    res.status === 403
      ? "the app's scopes may not cover this endpoint: add the scope in Developer Hub, then log in again"
      : res.status === 429
        ? 'the rate limit did not clear in time; wait and try again'
        : undefined;
  return new PdAuthError(`${method} ${res.url} answered ${res.status}: ${why}`, hint ? { hint } : {});
}

/** Calls the API as the app and prints the body on stdout (pretty on a terminal). */
export async function runApi(opts: ApiOptions, deps: Deps): Promise<number> {
  const method = (opts.method?.toUpperCase() ??
    (opts.data !== undefined ? 'POST' : 'GET')) as HttpRequest['method'];
  if (!methods.includes(method))
    throw new UsageError(`unsupported method ${opts.method}: use ${methods.join(', ')}`);
  if (opts.paginate && (method !== 'GET' || opts.data !== undefined))
    throw new UsageError('--paginate reads lists: use it with GET and no -d');
  const headers = parseHeaders(opts.headers);
  const hint = v1Hint(opts.path, method);
  if (hint) deps.io.stderr.write(`hint: ${hint}\n`);
  if (opts.paginate) {
    const { fetchAllPages } = await import('../flows/paginate.js');
    const all = await fetchAllPages({ profile: opts.profile, path: opts.path, headers }, deps);
    if (all.kind === 'failed') throw answerError(method, all);
    printBody(JSON.stringify(all.items), deps);
    return 0;
  }
  const body = opts.data === undefined ? undefined : await readData(opts.data, deps);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const { apiRequest } = await import('../flows/api-request.js');
  const res = await apiRequest(
    { profile: opts.profile, method, path: opts.path, headers, ...(body !== undefined ? { body } : {}) },
    deps,
  );
  printBody(res.body, deps);
  if (res.status >= 200 && res.status < 300) return 0;
  throw answerError(method, res);
}

export function registerApi(program: Command, deps: () => Deps): void {
  program
    .command('api')
    .description("call the Pipedrive API as your app: {api_domain}/api/v1/PATH with the profile's token")
    .argument('<path>', 'e.g. users/me, v2/deals, v2/deals/42, v2/deals?limit=500, or /api/v2/...')
    .option('--profile <name>', profileOptionHelp, parseProfileName)
    .option('-X, --method <method>', 'GET (default), or POST when -d is given; PUT, PATCH, DELETE')
    .option('-d, --data <data>', 'request body: JSON text, @file, or - for stdin')
    .option(
      '-H, --header <header>',
      "extra header 'Name: value' (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--paginate', 'GET every page (v2 next_cursor, v1 next_start); print one JSON array of all items')
    .addHelpText(
      'after',
      `
Examples:
  pd-auth api users/me
  pd-auth api v2/deals --paginate
  pd-auth api v2/deals/42 -X PATCH -d '{"title":"x"}'`,
    )
    .action(
      async (
        path: string,
        o: { profile?: string; method?: string; data?: string; header: string[]; paginate?: boolean },
      ) => {
        const d = deps();
        const profile = await resolveProfileName(o.profile, d);
        await runApi(
          {
            profile,
            path,
            headers: o.header,
            ...(o.paginate ? { paginate: true } : {}),
            ...(o.method ? { method: o.method } : {}),
            ...(o.data !== undefined ? { data: o.data } : {}),
          },
          d,
        );
      },
    );
}
