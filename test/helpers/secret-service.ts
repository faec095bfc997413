import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionBus } from './dbus.js';
import { endProcesses, firstLine, onPath, pidsWithEnv, tail, waitFor } from './processes.js';

export interface SecretService {
  /** What a child needs to use this Secret Service and nothing else: give it `{ PATH, ...env }`. */
  env: { DBUS_SESSION_BUS_ADDRESS: string; HOME: string; XDG_DATA_HOME: string; XDG_RUNTIME_DIR: string };
  /** The processes of this harness now running: the bus, the keyring, whatever D-Bus activated. */
  pids(): number[];
  /**
   * Locks the login collection, for good. `prompter: 'none'` (the default) leaves GNOME Keyring's
   * own prompter, which cannot start without a display; `'silent'` installs one that never comes up.
   */
  lock(options?: { prompter?: 'none' | 'silent' }): Promise<void>;
  /** Ends every process of the harness and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'];
const LOGIN = '/org/freedesktop/secrets/collection/login';

/**
 * A real, private Secret Service: GNOME Keyring with an unlocked `login` collection on a session bus
 * of its own, in a temp HOME. Call in beforeAll and `stop()` in afterAll; files can run in parallel.
 *
 * - Nothing of the machine's: the daemons get a fresh environment (PATH and the private HOME,
 *   XDG_DATA_HOME, XDG_RUNTIME_DIR; no DISPLAY), and D-Bus starts what it activates with it too.
 * - Returns once `org.freedesktop.secrets` is owned by the gnome-keyring-daemon it started and the
 *   login collection answers unlocked: a call made earlier would make D-Bus activate a second daemon
 *   with no login collection. Start about 40-50 ms, stop 25-40 ms (medians, Node 26 / 20).
 * - No session bus: `noSessionBus(ss.env)`. The bus socket is not `$XDG_RUNTIME_DIR/bus`, where
 *   `findCredentials` (zbus) looks when DBUS_SESSION_BUS_ADDRESS is unset. With no bus, an Entry
 *   pinned with `{ linux: { store: 'secret-service' } }` throws in its constructor in 0.1 ms
 *   ("... set your DBUS_SESSION_BUS_ADDRESS instead"). Unpinned, @napi-rs/keyring falls back to the
 *   kernel keyring, which no test may touch: with a session keyring setPassword succeeds there;
 *   without one (root here) it writes the key into the shared user-session keyring, then throws
 *   "AccessDenied", leaving the key behind.
 *
 * After `lock()` (Debian 12, GNOME Keyring 42.1, @napi-rs/keyring 2.1.2, Node 20.20 and 26.10):
 * - getPassword, setPassword and deletePassword of a stored entry throw "Couldn't access platform
 *   storage: Secret Service: unlock prompt was dismissed" after 17-20 ms (median of 10; at most
 *   80 ms on a loaded machine): no hang, because gcr-prompter exits at once without a display.
 *   getPassword of an entry never stored returns null, as when unlocked; findCredentials throws
 *   "... IsLocked: Cannot get secret of a locked object".
 * - With `lock({ prompter: 'silent' })` the same calls block for 25 s (GNOME Keyring's D-Bus call
 *   timeout) and then throw the same error; a desktop prompt nobody answers blocks until the user
 *   acts. Nothing in-process ends that wait: AsyncEntry's AbortSignal does not, and the process does
 *   not exit before the call returns (process.exit() and Worker#terminate() included). A bound on a
 *   keyring call has to run it in a child process that it can kill.
 *
 * stop() sends SIGTERM, then SIGKILL, to every process whose environment holds this HOME, removes the
 * directory, and throws if a process survives. Should the test process die without stop(), even by
 * SIGKILL, a watching shell does the same.
 */
export async function startSecretService(timeoutMs = 10_000): Promise<SecretService> {
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length > 0) {
    throw new Error(
      `a private Secret Service needs ${missing.join(', ')} (Debian: gnome-keyring, dbus-daemon)`,
    );
  }
  const home = mkdtempSync(join(tmpdir(), 'pd-auth-keyring-'));
  const marker = `HOME=${home}`;
  const started: ChildProcess[] = [];
  const ours = () => [...started.map((c) => c.pid ?? 0).filter((p) => p > 0), ...pidsWithEnv(marker)];
  const watcher = watchForDeath(home);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      watcher.kill('SIGKILL');
      // Twice: something may have been activated while the first ones were ending.
      const left = [...(await endProcesses(ours())), ...(await endProcesses(pidsWithEnv(marker)))];
      rmSync(home, { recursive: true, force: true });
      if (left.length > 0)
        throw new Error(`Secret Service harness: pids ${left.join(', ')} survived SIGKILL`);
    })();
    return stopping;
  };

  try {
    const base = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: join(home, 'runtime'),
    };
    mkdirSync(base.XDG_DATA_HOME, { mode: 0o700 });
    mkdirSync(base.XDG_RUNTIME_DIR, { mode: 0o700 });
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());

    const busArgs = ['--session', '--nofork', '--print-address=1', `--address=unix:path=${home}/session-bus`];
    const daemon = spawn('dbus-daemon', busArgs, { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(daemon);
    const env = { ...base, DBUS_SESSION_BUS_ADDRESS: await firstLine(daemon, 'dbus-daemon', left()) };
    const bus = sessionBus(env);

    const args = ['--foreground', '--unlock', '--components=secrets'];
    const keyring = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
    started.push(keyring);
    let spawnError: Error | undefined;
    keyring.on('error', (e) => {
      spawnError = e;
    });
    const keyringErr = tail(keyring.stderr);
    keyring.stdin?.end(randomBytes(16).toString('hex')); // the login password, never needed again
    await waitFor(
      'gnome-keyring-daemon to own org.freedesktop.secrets',
      async () => {
        const exit = spawnError?.message ?? keyring.exitCode ?? keyring.signalCode;
        if (exit !== null) throw new Error(`gnome-keyring-daemon ended (${exit}): ${keyringErr()}`);
        const pid = await bus.ownerPid('org.freedesktop.secrets');
        if (pid !== 0 && pid !== keyring.pid) throw new Error(`org.freedesktop.secrets is pid ${pid}'s`);
        return pid !== 0;
      },
      left(),
    );
    if (await bus.isLocked(LOGIN)) throw new Error('gnome-keyring-daemon --unlock left login locked');

    return {
      env,
      pids: () => pidsWithEnv(marker),
      async lock({ prompter = 'none' } = {}) {
        if (prompter === 'silent') {
          // Found before /usr/share's: D-Bus runs it, and it never takes the name.
          const dir = join(base.XDG_DATA_HOME, 'dbus-1', 'services');
          mkdirSync(dir, { recursive: true });
          const service = '[D-BUS Service]\nName=org.gnome.keyring.SystemPrompter\nExec=/bin/sleep 600\n';
          writeFileSync(join(dir, 'org.gnome.keyring.SystemPrompter.service'), service);
          await bus.reloadConfig();
        }
        await bus.lock(LOGIN);
        if (!(await bus.isLocked(LOGIN))) throw new Error('Secret.Service.Lock left login unlocked');
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw new Error(`could not start a private Secret Service: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A shell that waits for EOF on its stdin, a pipe from this process: when this process dies without
 * stop(), whatever killed it (a test runner ends its workers with a signal, which skips exit hooks),
 * the shell SIGKILLs every process whose environment holds HOME=`home` and removes `home`.
 */
function watchForDeath(home: string): ChildProcess {
  const script = [
    'while read -r _; do :; done',
    'for p in $(grep -lsxzF "HOME=$1" /proc/[0-9]*/environ | cut -d/ -f3); do kill -KILL "$p"; done',
    'rm -rf "$1"',
  ].join('\n');
  const watcher = spawn('sh', ['-c', script, 'watch', home], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watcher.unref();
  (watcher.stdin as Socket | null)?.unref();
  return watcher;
}

/** The harness's environment without its session bus: what a machine with no session bus gives. */
export function noSessionBus(env: SecretService['env']): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'DBUS_SESSION_BUS_ADDRESS'));
}
