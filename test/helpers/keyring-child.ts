import { readFileSync } from 'node:fs';
import { isRunning, pidsWithEnv, waitFor } from './processes.js';

/** /proc/<pid>/<file> as text, '' when the process is gone. */
export function procFile(pid: number, file: 'cmdline' | 'environ'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

/**
 * The keyring's helper processes (src/keyring/worker-source.ts) started with the environment of the
 * harness whose HOME is `home`: only once they have exec'd, as a fork still has this process's env.
 */
export function keyringChildren(home: string): number[] {
  return pidsWithEnv(`HOME=${home}`).filter((pid) =>
    procFile(pid, 'cmdline').split('\0').includes('--input-type=commonjs'),
  );
}

/** The one keyring helper of that harness, once it runs. */
export async function keyringChild(home: string): Promise<number> {
  let pids: number[] = [];
  const started = () => {
    pids = keyringChildren(home);
    return pids.length > 0;
  };
  await waitFor('the keyring helper process to start', started, 10_000);
  if (pids.length !== 1) throw new Error(`expected one keyring helper, found pids ${pids.join(', ')}`);
  return pids[0] as number;
}

/** Resolves once `pid` has exited; a SIGKILLed process is gone soon, but not at once. */
export const exited = (pid: number) => waitFor(`pid ${pid} to exit`, () => !isRunning(pid), 10_000);
