import { isJsonObject, type JsonObject } from '../json.js';
import { storeVersion } from './profile.js';

/** Each step turns a store of version N into version N + 1; anything it does not know it leaves alone. */
const steps: Record<number, (data: JsonObject) => JsonObject> = {
  // 1 → 2: tokens.obtainedAt, which version 1 did not keep apart from the refresh token's last use
  // (both were set at the same moment, so that value is exact).
  1: (data) => {
    // fromEntries, not assignment: a profile keyed "__proto__" stays an entry of its own.
    const profiles = Object.fromEntries(
      Object.entries(isJsonObject(data.profiles) ? data.profiles : {}).map(([name, p]) => {
        const tokens = isJsonObject(p) && isJsonObject(p.tokens) ? p.tokens : undefined;
        const next =
          isJsonObject(p) && tokens && tokens.obtainedAt === undefined
            ? { ...p, tokens: { ...tokens, obtainedAt: tokens.refreshTokenUsedAt } }
            : p;
        return [name, next];
      }),
    );
    return { ...data, version: 2, profiles };
  },
  // 2 → 3: nothing moves; version 3 may hold keyring profiles, which an older pd-auth must refuse.
  2: (data) => ({ ...data, version: 3 }),
};

/**
 * Brings a parsed store written by an older pd-auth up to the current version, in memory. It is
 * written back in the new version with the next change; validation comes after, as for any file.
 */
export function migrateStore(data: unknown): unknown {
  if (!isJsonObject(data) || typeof data.version !== 'number') return data;
  let out = data;
  while (typeof out.version === 'number' && out.version < storeVersion) {
    const step = steps[out.version];
    if (!step) break;
    out = step(out);
  }
  return out;
}
