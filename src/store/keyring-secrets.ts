import { randomBytes } from 'node:crypto';
import { LoginNeededError, PdAuthError } from '../errors.js';
import { type Keyring, KeyringError, type KeyringOp } from '../keyring/keyring.js';
import { type Profile, type StoreData, storageOf } from './profile.js';

/**
 * A keyring profile's two secrets, one keyring entry each (service "pd-auth"), named by the store's
 * random id and the profile: `<storeId>/<profile>/client-secret` and `.../refresh-token`. Each is
 * replaced in one step, and logout can drop the refresh token without reading anything.
 */
export function keyringAccounts(storeId: string, profile: string) {
  return {
    clientSecret: `${storeId}/${profile}/client-secret`,
    refreshToken: `${storeId}/${profile}/refresh-token`,
  };
}

export const newStoreId = () => randomBytes(8).toString('hex');

/** What this process last read from or wrote to the keyring, per profile: unchanged secrets are not written again. */
export type KnownSecrets = Map<string, { clientSecret?: string; refreshToken?: string }>;

/** The profile with its secrets from the keyring (one batch); a file profile as it is. */
export async function loadSecrets(
  keyringOf: () => Keyring,
  data: StoreData,
  name: string,
  known: KnownSecrets,
): Promise<Profile | undefined> {
  const p = data.profiles[name];
  if (!p || storageOf(p) !== 'keyring' || !data.storeId) return p;
  const keyring = keyringOf();
  const a = keyringAccounts(data.storeId, name);
  const [clientSecret, refreshToken] = await keyring
    .run([
      { op: 'get', account: a.clientSecret },
      { op: 'get', account: a.refreshToken },
    ])
    .catch((err: unknown) => {
      throw inKeyringError(err, name);
    });
  const cs = typeof clientSecret === 'string' ? clientSecret : undefined;
  const rt = typeof refreshToken === 'string' ? refreshToken : undefined;
  known.set(name, { clientSecret: cs, refreshToken: rt });
  if (p.tokens && rt === undefined) {
    throw new LoginNeededError(
      `the OS keyring (${keyring.backend}) has no refresh token for profile "${name}" (entry ${a.refreshToken}); was it removed outside pd-auth?`,
      name,
    );
  }
  return {
    ...p,
    ...(cs === undefined ? {} : { clientSecret: cs }),
    ...(p.tokens && rt !== undefined ? { tokens: { ...p.tokens, refreshToken: rt } } : {}),
  };
}

/** A keyring failure for a profile whose secrets are there: what it means, and the ways out. */
function inKeyringError(err: unknown, name: string): unknown {
  if (!(err instanceof KeyringError)) return err;
  return new KeyringError(
    err.kind,
    `${err.message}; profile "${name}" keeps its client secret and refresh token there, and nothing was changed`,
    err.completed,
    err,
    "unlock the keyring, or run this where it is reachable (over SSH or in a container there is often no session bus); a still-valid access token prints without it (`pd-auth token`). To keep this profile's secrets in the 0600 store file instead, run `pd-auth storage file` where the keyring answers",
  );
}

/** A store document as the file holds it: no secret of a keyring profile. */
export function fileDocument(data: StoreData): StoreData {
  const profiles = Object.fromEntries(
    Object.entries(data.profiles).map(([name, p]) => {
      if (storageOf(p) !== 'keyring') return [name, p];
      const { clientSecret: _c, tokens, ...rest } = p;
      if (!tokens) return [name, rest];
      const { refreshToken: _r, ...kept } = tokens;
      return [name, { ...rest, tokens: kept }];
    }),
  );
  return { ...data, profiles };
}

export interface KeyringPlan {
  /** Before the file is written: the new secrets (a failure leaves the file as it was). */
  before: KeyringOp[];
  /** Values read back after `before`, to prove a copy before the file stops pointing at the old one. */
  verify: Array<{ account: string; expected: string }>;
  /** After the file is written: entries nothing points to any more. */
  after: KeyringOp[];
  /** What the keyring holds once `before` succeeded. */
  written: Array<[name: string, field: 'clientSecret' | 'refreshToken', value: string]>;
}

/**
 * The keyring operations that make the keyring hold what `next` says, given the file's `previous`
 * document. A secret absent from a keyring profile in `next` was not loaded: its entry stays.
 */
export function planKeyring(previous: StoreData, next: StoreData, known: KnownSecrets): KeyringPlan {
  const plan: KeyringPlan = { before: [], verify: [], after: [], written: [] };
  const names = new Set([...Object.keys(previous.profiles), ...Object.keys(next.profiles)]);
  for (const name of names) {
    const was = previous.profiles[name];
    const now = next.profiles[name];
    const wasInKeyring = was !== undefined && storageOf(was) === 'keyring';
    const isInKeyring = now !== undefined && storageOf(now) === 'keyring';
    if (isInKeyring && next.storeId) {
      const a = keyringAccounts(next.storeId, name);
      const k = known.get(name) ?? {};
      const moving = !wasInKeyring;
      for (const [field, account, value, seen] of [
        ['clientSecret', a.clientSecret, now.clientSecret, k.clientSecret],
        ['refreshToken', a.refreshToken, now.tokens?.refreshToken, k.refreshToken],
      ] as const) {
        if (value !== undefined && value !== seen) {
          plan.before.push({ op: 'set', account, secret: value });
          plan.written.push([name, field, value]);
        }
        if (value !== undefined && moving) plan.verify.push({ account, expected: value });
      }
      if (moving && now.tokens === undefined) plan.before.push({ op: 'delete', account: a.refreshToken });
      if (wasInKeyring && was.tokens && !now.tokens)
        plan.after.push({ op: 'delete', account: a.refreshToken });
    }
    if (wasInKeyring && !isInKeyring && previous.storeId) {
      const a = keyringAccounts(previous.storeId, name);
      plan.after.push({ op: 'delete', account: a.clientSecret }, { op: 'delete', account: a.refreshToken });
    }
  }
  return plan;
}

/**
 * A profile that changes storage must carry its secrets: loaded from the keyring (known) when it
 * leaves it, kept from the file when it goes in. Anything else would lose them (a bug, not user input).
 */
export function checkMoves(previous: StoreData, next: StoreData, known: KnownSecrets): void {
  for (const [name, now] of Object.entries(next.profiles)) {
    const was = previous.profiles[name];
    if (!was || storageOf(was) === storageOf(now)) continue;
    const leaving = storageOf(was) === 'keyring';
    // 'unknown': the keyring's copy was not loaded, so a secret missing here may be one being lost.
    const source = leaving ? (known.has(name) ? known.get(name)?.clientSecret : 'unknown') : was.clientSecret;
    const lost =
      (now.clientSecret === undefined && source !== undefined) ||
      (now.tokens !== undefined && now.tokens.refreshToken === undefined);
    if (lost) throw new PdAuthError(`profile "${name}" cannot change storage without its secrets loaded`);
  }
}
