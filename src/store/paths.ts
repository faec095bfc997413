import { homedir } from 'node:os';
import { join } from 'node:path';

export const storeFileName = 'profiles.json';

/**
 * Where the store lives unless PD_AUTH_CONFIG_DIR says otherwise (XDG on Linux). An empty variable
 * counts as unset, as everywhere else: an empty APPDATA must not put the store in `./pd-auth`.
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'pd-auth');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Preferences', 'pd-auth');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'pd-auth');
}

export const storePath = (configDir: string) => join(configDir, storeFileName);
