import { run } from './processes.js';

/**
 * The few D-Bus calls the Secret Service harness makes, through `dbus-send` (Debian's dbus-bin, which
 * dbus-daemon depends on) on the session bus that `env` names. Each answers within 3 s or throws.
 */
export function sessionBus(env: Record<string, string>) {
  const call = (dest: string, path: string, method: string, ...args: string[]) =>
    run(
      'dbus-send',
      ['--session', '--print-reply', '--reply-timeout=3000', `--dest=${dest}`, path, method, ...args],
      env,
    );
  const driver = (method: string, ...args: string[]) =>
    call('org.freedesktop.DBus', '/org/freedesktop/DBus', `org.freedesktop.DBus.${method}`, ...args);

  return {
    /** The pid of the process that owns `name`, or 0 when nobody does. Asks the bus, so never activates. */
    async ownerPid(name: string): Promise<number> {
      try {
        const reply = await driver('GetConnectionUnixProcessID', `string:${name}`);
        return Number(/uint32 (\d+)/.exec(reply)?.[1] ?? 0);
      } catch (err) {
        if (/NameHasNoOwner/.test((err as Error).message)) return 0;
        throw err;
      }
    },
    /** Makes the bus read its configuration and service files again. */
    async reloadConfig(): Promise<void> {
      await driver('ReloadConfig');
    },
    /** The Locked property of a Secret Service collection. */
    async isLocked(collection: string): Promise<boolean> {
      const reply = await call(
        'org.freedesktop.secrets',
        collection,
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      );
      return /boolean true/.test(reply);
    },
    /** Secret.Service.Lock on one collection (locking needs no prompt). */
    async lock(collection: string): Promise<void> {
      await call(
        'org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        `array:objpath:${collection}`,
      );
    },
  };
}
