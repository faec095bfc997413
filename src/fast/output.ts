import { writeSync } from 'node:fs';
import { readEnv } from '../env.js';
import { defaultProfile, profileNameBeforeStore } from '../flows/profile-name.js';
import type { StoreData } from '../store/profile.js';
import { openProfileStore } from '../store/profile-store.js';

/**
 * Writes `text` to fd 1 or 2 straight through the file descriptor: no stream objects, which cost
 * more to set up than a fast path takes. A non-blocking pipe that is full gets the stream instead.
 */
export async function writeAll(fd: 1 | 2, text: string): Promise<void> {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    const stream = fd === 1 ? process.stdout : process.stderr;
    await new Promise<void>((resolve) => stream.write(buf.subarray(off), () => resolve()));
  }
}

/** For warnings printed on a fast path, before anything else: a sync write to stderr. */
export function warnNow(message: string): void {
  const buf = Buffer.from(`warning: ${message}\n`);
  try {
    for (let off = 0; off < buf.length; ) off += writeSync(2, buf, off);
  } catch {
    // stderr closed or full: a warning is not worth failing for.
  }
}

/**
 * The environment, when a fast path may run: not with PD_AUTH_DEBUG (the full CLI prints the debug
 * lines) nor with an unusable PD_AUTH_HTTP_TIMEOUT (the full CLI warns about it on every command).
 */
export function fastEnv(env: NodeJS.ProcessEnv) {
  const e = readEnv(env);
  return e.debug || e.httpTimeoutSeconds === 'invalid' ? undefined : e;
}

/**
 * Where the store-reading fast paths (`token`, `status --offline`) start: the environment (see
 * fastEnv), the store as the full CLI reads it (with its warnings: a tightened mode is not
 * tightened, nor said, twice), and the profile to report: --profile, else PD_AUTH_PROFILE, else the
 * active one (none with `all`). Undefined whenever the full CLI has something to say instead: debug
 * output, a bad PD_AUTH_HTTP_TIMEOUT or PD_AUTH_PROFILE, or a store it cannot read.
 */
export async function readStoreForFastPath(
  env: NodeJS.ProcessEnv,
  profileOption: string | undefined,
  all = false,
) {
  const e = fastEnv(env);
  if (!e) return undefined;
  let named: string | undefined;
  try {
    named = all ? undefined : profileNameBeforeStore(profileOption, e.profile);
  } catch {
    return undefined;
  }
  const store = openProfileStore(e.configDir, undefined, warnNow);
  let data: StoreData;
  try {
    data = await store.read();
  } catch {
    return undefined;
  }
  const name = all ? undefined : (named ?? data.activeProfile ?? defaultProfile);
  return { env: e, path: store.path, data, name };
}
