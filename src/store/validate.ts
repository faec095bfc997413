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

function checkTokens(t: unknown, at: string): void {
  if (!isJsonObject(t)) throw new SchemaError(`${at} should be an object`);
  for (const k of ['accessToken', 'refreshToken', 'tokenType', 'apiDomain']) need(t, k, 'string', at);
  for (const k of ['expiresAt', 'obtainedAt', 'refreshTokenUsedAt']) need(t, k, 'number', at);
  if (!Array.isArray(t.scope) || !t.scope.every((s) => typeof s === 'string')) {
    throw new SchemaError(`${at}.scope should be a list of strings`);
  }
}

function checkProfile(p: unknown, at: string): asserts p is Profile {
  if (!isJsonObject(p)) throw new SchemaError(`${at} should be an object`);
  for (const k of ['clientId', 'redirectUri', 'oauthUrl']) need(p, k, 'string', at);
  need(p, 'clientSecret', 'string', at, true);
  need(p, 'updatedAt', 'number', at);
  if (p.tokens !== undefined) checkTokens(p.tokens, `${at}.tokens`);
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
  for (const [name, p] of Object.entries(data.profiles)) {
    // The names pd-auth itself accepts: nothing that could carry a newline or a terminal escape.
    if (!profileNamePattern.test(name))
      throw new SchemaError(`${JSON.stringify(name)} is not a valid profile name`);
    checkProfile(p, `profiles.${name}`);
  }
  return data as unknown as StoreData;
}
