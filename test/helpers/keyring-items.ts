import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SecretService } from './secret-service.js';

export interface KeyringItem {
  account: string;
  secret: string;
}

/**
 * What `secret-tool search --all service pd-auth` finds in a private Secret Service: the entries
 * pd-auth wrote, as another program reads them (attribute `username` is the account).
 */
export async function keyringItems(ss: SecretService): Promise<KeyringItem[]> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...ss.env };
  const { stdout, stderr } = await promisify(execFile)(
    'secret-tool',
    ['search', '--all', 'service', 'pd-auth'],
    {
      env,
    },
  );
  // secret-tool prints each item's label and secret on stdout and its attributes on stderr, in the
  // same order.
  const secrets = [...stdout.matchAll(/^secret = (.*)$/gm)].map((m) => m[1] ?? '');
  const accounts = [...stderr.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1] ?? '');
  if (secrets.length !== accounts.length)
    throw new Error(`secret-tool: ${secrets.length} secrets, ${accounts.length} accounts`);
  const items: KeyringItem[] = accounts.map((account, i) => ({ account, secret: secrets[i] ?? '' }));
  return items.sort((a, b) => a.account.localeCompare(b.account));
}

/** Every file under `dir` whose bytes contain one of `secrets`: none may, for a keyring profile. */
export function filesHolding(dir: string, secrets: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const text = readFileSync(path, 'latin1');
        if (secrets.some((s) => s !== '' && text.includes(s))) found.push(path);
      }
    }
  };
  walk(dir);
  return found;
}
