import type { Deps } from '../deps.js';
import { CancelledError } from '../errors.js';
import { activeFromStore, defaultProfile, profileNameBeforeStore } from '../flows/profile-name.js';
import { timeoutsFromSeconds } from '../net/http-client.js';
import { defaultOAuthUrl } from '../oauth/authorize-url.js';
import { checkBrowser } from './browser-check.js';
import { checkCallback } from './callback-check.js';
import { type Check, type CheckId, failure, type Outcome, skipped, titles } from './check.js';
import { checkClock } from './clock-check.js';
import { apiDomainOf, checkCredentials, checkLive, credentialSource } from './credentials.js';
import { startDeadline } from './deadline.js';
import { checkNode } from './engines.js';
import { checkHost } from './host-check.js';
import { checkStorage } from './storage-check.js';
import { checkStore } from './store-check.js';

export interface DoctorOptions {
  /** --profile; else PD_AUTH_PROFILE, the store's active profile, "default". */
  profile: string | undefined;
  /** --live: one real refresh. */
  live: boolean;
}

/** What doctor needs of the process beyond Deps: the running Node and the raw environment (PATH, proxies). */
export interface DoctorSystem {
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
}

export interface DoctorReport {
  profile: string;
  store: string;
  live: boolean;
  checks: Check[];
}

const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host : url);

/** A check that threw is a bug in it: reported as its failure, so the other checks still show. */
async function guard(work: Promise<Outcome> | Outcome, deps: Deps): Promise<Outcome> {
  try {
    return await work;
  } catch (err) {
    deps.log.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
    const message = err instanceof Error ? err.message : String(err);
    return failure(
      `the check itself failed: ${message}`,
      'this is a bug in pd-auth; please report it with the output of doctor --verbose',
    );
  }
}

/**
 * Every check, the independent ones at the same time, so doctor takes about as long as its slowest
 * check: the network ones share one deadline (PD_AUTH_HTTP_TIMEOUT), the keyring has its own bound.
 * Without --live nothing is written: the store is read directly, never through the store module.
 */
export async function runDoctorChecks(
  opts: DoctorOptions,
  deps: Deps,
  system: DoctorSystem,
): Promise<DoctorReport> {
  const { env } = deps;
  const store = checkStore(env.configDir, env.platform);
  const data = store.data;
  const name = profileNameBeforeStore(opts.profile, env.profile) ?? data?.activeProfile ?? defaultProfile;
  const implicit = data ? activeFromStore(env.profile, data) : (env.profile ?? defaultProfile);
  const profile = data?.profiles[name];
  const named =
    opts.profile !== undefined
      ? `--profile ${opts.profile}`
      : env.profile
        ? `PD_AUTH_PROFILE=${env.profile}`
        : undefined;
  const source = credentialSource(name, implicit, { ...store, data }, env, named);
  const seconds = env.httpTimeoutSeconds === 'invalid' ? undefined : env.httpTimeoutSeconds;
  const deadline = startDeadline(timeoutsFromSeconds(seconds), deps.now, deps.signal);
  const net = { http: deps.http, processEnv: system.env, deadline, now: deps.now };
  const oauthUrl = env.oauthUrl ?? profile?.oauthUrl ?? defaultOAuthUrl;
  const apiDomain = apiDomainOf(source);
  const oauthHost = checkHost(oauthUrl, '/oauth/token', net);
  const callback = checkCallback(profile?.redirectUri, env.platform);
  const results: Record<CheckId, Promise<Outcome> | Outcome> = {
    node: checkNode(system.nodeVersion),
    store: store.outcome,
    storage:
      source.kind === 'environment'
        ? skipped('credentials from the environment: no secret is stored')
        : checkStorage(name, profile, data?.storeId, deps),
    callback: callback.then((c) => c.outcome),
    browser: callback.then((c) => checkBrowser(env, system.env, c.target)),
    'oauth-host': oauthHost.then((h) => h.outcome),
    'api-host': apiDomain
      ? checkHost(apiDomain, '/api/v1/users/me', net).then((h) => h.outcome)
      : skipped('no api_domain yet: the first login brings it'),
    clock: oauthHost.then((h) => checkClock(hostOf(oauthUrl), h.answer)),
    credentials: checkCredentials(source, deps.now()),
    live: checkLive(source, opts.live, deps),
  };
  const ids = Object.keys(results) as CheckId[];
  const outcomes = await Promise.all(ids.map((id) => guard(results[id], deps)));
  if (deps.signal.aborted) throw new CancelledError('Interrupted.');
  const checks = ids.map((id, i) => ({ id, title: titles[id], ...(outcomes[i] as Outcome) }));
  return { profile: name, store: store.path, live: opts.live, checks };
}
