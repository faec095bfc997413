import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';

/** The body of -d: the text itself, `@file`'s contents, or stdin for `-`. */
export async function readData(data: string, deps: Deps): Promise<string> {
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

export function parseHeaders(list: string[]): Record<string, string> {
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
export function errorText(body: string): string | undefined {
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
