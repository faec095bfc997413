import { defaultConfigDir } from './store/paths.js';

/** Every setting pd-auth reads from the environment, read once (design.md "The Deps seam"). */
export interface Env {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** PIPEDRIVE_REFRESH_TOKEN: with the client id and secret, credentials from the environment (CI). */
  refreshToken: string | undefined;
  oauthUrl: string | undefined;
  /** PD_AUTH_PROFILE: the profile for this shell, between --profile and `pd-auth use`. */
  profile: string | undefined;
  configDir: string;
  /** PD_AUTH_HTTP_TIMEOUT: the deadline, in seconds, of a command's whole conversation with the server; 'invalid' when unusable. */
  httpTimeoutSeconds: number | 'invalid' | undefined;
  debug: boolean;
  browser: string | undefined;
  sshConnection: string | undefined;
  ci: boolean;
  hasDisplay: boolean;
  platform: NodeJS.Platform;
  /** PD_AUTH_STORAGE: where a login keeps the secrets; 'invalid' when it is neither. */
  storage: 'keyring' | 'file' | 'invalid' | undefined;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
const truthy = (v: string | undefined) =>
  v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

function seconds(v: string | undefined): number | 'invalid' | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 && n <= 3600 ? n : 'invalid';
}

function storageSetting(v: string | undefined): Env['storage'] {
  if (v === undefined) return undefined;
  const lower = v.trim().toLowerCase();
  return lower === 'keyring' || lower === 'file' ? lower : 'invalid';
}

export function readEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Env {
  return {
    clientId: nonEmpty(env.PIPEDRIVE_CLIENT_ID),
    clientSecret: nonEmpty(env.PIPEDRIVE_CLIENT_SECRET),
    refreshToken: nonEmpty(env.PIPEDRIVE_REFRESH_TOKEN),
    oauthUrl: nonEmpty(env.PD_AUTH_OAUTH_URL),
    profile: nonEmpty(env.PD_AUTH_PROFILE),
    configDir: nonEmpty(env.PD_AUTH_CONFIG_DIR) ?? defaultConfigDir(env, platform),
    httpTimeoutSeconds: seconds(env.PD_AUTH_HTTP_TIMEOUT),
    debug: truthy(env.PD_AUTH_DEBUG),
    browser: nonEmpty(env.BROWSER),
    sshConnection: nonEmpty(env.SSH_CONNECTION),
    ci: truthy(env.CI),
    hasDisplay: platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.MIR_SOCKET),
    platform,
    storage: storageSetting(nonEmpty(env.PD_AUTH_STORAGE)),
  };
}
