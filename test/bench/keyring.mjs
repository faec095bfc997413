// @ts-check
/**
 * A private, unlocked GNOME Keyring on a session bus of its own, for the bench's keyring rows (the
 * tests have a fuller harness in test/helpers/secret-service.ts; the bench stays plain JavaScript).
 * Undefined when the tools are missing (Debian: dbus-daemon, gnome-keyring).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const onPath = (/** @type {string} */ tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/**
 * @param {string} dir an empty directory of the bench's own: the keyring's HOME
 * @returns {Promise<{ env: Record<string, string>, stop(): void } | undefined>}
 */
export async function startPrivateKeyring(dir) {
  if (!['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'].every(onPath)) return undefined;
  const base = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: join(dir, 'runtime'),
  };
  mkdirSync(base.XDG_DATA_HOME, { recursive: true, mode: 0o700 });
  mkdirSync(base.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  const busArgs = ['--session', '--nofork', '--print-address=1', `--address=unix:path=${dir}/bus`];
  const bus = spawn('dbus-daemon', busArgs, { env: base, stdio: ['ignore', 'pipe', 'ignore'] });
  /** @type {string} */
  const address = await new Promise((resolve, reject) => {
    bus.stdout.once('data', (/** @type {Buffer} */ c) => resolve(c.toString().trim()));
    bus.once('exit', () => reject(new Error('dbus-daemon exited')));
  });
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  const args = ['--foreground', '--unlock', '--components=secrets'];
  const keyring = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
  keyring.stdin.end(randomBytes(16).toString('hex'));
  const stop = () => {
    keyring.kill('SIGKILL');
    bus.kill('SIGKILL');
  };
  // A call before the daemon owns the name would make D-Bus start a second one with no login keyring.
  const ask = ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus'];
  for (let i = 0; i < 250; i++) {
    const owned = spawnSync(
      'dbus-send',
      [...ask, 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (owned.stdout.includes('boolean true')) return { env, stop };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop();
  throw new Error('gnome-keyring-daemon did not take org.freedesktop.secrets within 5 s');
}
