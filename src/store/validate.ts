import { isJsonObject, type JsonObject } from '../json.js';
import { type Profile, profileNamePattern, type StoreData, storeVersion } from './profile.js';

/** Thrown with a path to the first bad field; the caller names the file. */
export class SchemaError extends Error {}

function need(o: JsonObject, key: string, type: 'string' | 'number', at: string, optional = false): void {
  const v = o[key];
  if (v === undefined && optional) return;
  if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) {
    throw new SchemaError(`${at}.${key} should be a ${type}`);
  }
}

function checkTokens(t: unknown, at: string, inKeyring: boolean): void {
  if (!isJsonObject(t)) throw new SchemaError(`${at} should be an object`);
  for (const k of ['accessToken', 'tokenType', 'apiDomain']) need(t, k, 'string', at);
  if (inKeyring && t.refreshToken !== undefined)
    throw new SchemaError(`${at}.refreshToken should be in the OS keyring, not in the file`);
  if (!inKeyring) need(t, 'refreshToken', 'string', at);
  for (const k of ['expiresAt', 'obtainedAt', 'refreshTokenUsedAt']) need(t, k, 'number', at);
  if (!Array.isArray(t.scope) || !t.scope.every((s) => typeof s === 'string')) {
    throw new SchemaError(`${at}.scope should be a list of strings`);
  }
}

function checkProfile(p: unknown, at: string): asserts p is Profile {
  if (!isJsonObject(p)) throw new SchemaError(`${at} should be an object`);
  for (const k of ['clientId', 'redirectUri', 'oauthUrl']) need(p, k, 'string', at);
  if (p.storage !== undefined && p.storage !== 'keyring' && p.storage !== 'file')
    throw new SchemaError(`${at}.storage should be "keyring" or "file"`);
  need(p, 'storageFallback', 'string', at, true);
  const inKeyring = p.storage === 'keyring';
  if (inKeyring && p.clientSecret !== undefined)
    throw new SchemaError(`${at}.clientSecret should be in the OS keyring, not in the file`);
  need(p, 'clientSecret', 'string', at, true);
  need(p, 'updatedAt', 'number', at);
  if (p.tokens !== undefined) checkTokens(p.tokens, `${at}.tokens`, inKeyring);
  if (p.user !== undefined) {
    if (!isJsonObject(p.user)) throw new SchemaError(`${at}.user should be an object`);
    need(p.user, 'id', 'number', `${at}.user`);
    need(p.user, 'name', 'string', `${at}.user`);
    need(p.user, 'email', 'string', `${at}.user`);
  }
  if (p.company !== undefined) {
    if (!isJsonObject(p.company)) throw new SchemaError(`${at}.company should be an object`);
    need(p.company, 'id', 'number', `${at}.company`);
    need(p.company, 'name', 'string', `${at}.company`);
    need(p.company, 'domain', 'string', `${at}.company`);
  }
}

/** Checks the parsed store file field by field (no schema library: it would load on every call). */
export function validateStore(data: unknown): StoreData {
  if (!isJsonObject(data)) throw new SchemaError('the file should hold a JSON object');
  if (data.version !== storeVersion) {
    const newer = typeof data.version === 'number' && data.version > storeVersion;
    throw new SchemaError(
      newer
        ? `it was written by a newer pd-auth (store version ${data.version}; this one knows up to ${storeVersion}): upgrade pd-auth`
        : `version ${JSON.stringify(data.version)} is not one this pd-auth knows (${storeVersion})`,
    );
  }
  if (!isJsonObject(data.profiles)) throw new SchemaError('profiles should be an object');
  need(data, 'activeProfile', 'string', 'the file', true);
  if (
    data.storeId !== undefined &&
    (typeof data.storeId !== 'string' || !/^[0-9a-f]{16}$/.test(data.storeId))
  )
    throw new SchemaError('storeId should be 16 hexadecimal digits');
  if (data.envCache !== undefined) {
    if (!isJsonObject(data.envCache)) throw new SchemaError('envCache should be an object');
    for (const [key, e] of Object.entries(data.envCache)) {
      const at = `envCache.${key}`;
      if (!/^[0-9a-f]{32}$/.test(key)) throw new SchemaError(`${JSON.stringify(key)} is not an envCache key`);
      if (!isJsonObject(e)) throw new SchemaError(`${at} should be an object`);
      checkTokens(e.tokens, `${at}.tokens`, true);
      need(e, 'rotatedRefreshToken', 'string', at, true);
      need(e, 'updatedAt', 'number', at);
    }
  }
  for (const [name, p] of Object.entries(data.profiles)) {
    // The names pd-auth itself accepts: nothing that could carry a newline or a terminal escape.
    if (!profileNamePattern.test(name))
      throw new SchemaError(`${JSON.stringify(name)} is not a valid profile name`);
    checkProfile(p, `profiles.${name}`);
    if (p.storage === 'keyring' && data.storeId === undefined)
      throw new SchemaError(`profiles.${name} is in the OS keyring, but the file has no storeId`);
  }
  return data as unknown as StoreData;
}
