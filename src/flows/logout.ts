import type { Deps } from '../deps.js';
import { PdAuthError } from '../errors.js';
import { createTokenClient } from '../oauth/token-client.js';
import { type Storage, storageOf } from '../store/profile.js';
import { explainTokenError } from './explain.js';
import { implicitProfile } from './profile-name.js';

export interface LogoutOptions {
  profile: string;
  revoke: boolean;
  yes: boolean;
}

export type LogoutResult = 'removed' | 'nothing-stored' | 'kept';

export interface LogoutOutcome {
  result: LogoutResult;
  revoked: boolean;
  /** Temp files a killed pd-auth had left beside the store (copies of it, tokens included), removed. */
  leftovers: number;
  /** Where the profile's secrets were: with 'keyring', its refresh token entry was removed too. */
  storage: Storage;
  /** False when the keyring entry could not be removed (a warning said so). */
  keyringCleared?: boolean;
}

/**
 * Forgets the profile's tokens (its app credentials stay, for the next login). Always succeeds
 * locally; only `--revoke` talks to Pipedrive, and a revoke that fails keeps the tokens so it can be
 * tried again. Revoking the refresh token uninstalls the app for that user (pipedrive-oauth.md §4).
 */
export async function logout(opts: LogoutOptions, deps: Deps): Promise<LogoutOutcome> {
  const { profile: name } = opts;
  const profile = await deps.store.getProfile(name);
  // Nothing to remove from the store; a crashed write may still have left a copy of tokens beside it.
  if (!profile?.tokens) {
    const leftovers = await deps.store.removeLeftovers();
    return {
      result: 'nothing-stored',
      revoked: false,
      leftovers,
      storage: profile ? storageOf(profile) : 'file',
    };
  }
  const storage = storageOf(profile);
  let revoked = false;
  if (opts.revoke) {
    if (deps.io.isInteractive && !opts.yes) {
      const company = profile.company ? ` from ${profile.company.name}` : '';
      const ok = await deps.prompter.confirm(
        `Revoking uninstalls the app${company} for ${profile.user?.name ?? 'this user'}. Continue?`,
        false,
        { signal: deps.signal },
      );
      if (!ok) return { result: 'kept', revoked: false, leftovers: 0, storage };
    }
    const loaded = await deps.store.loadSecrets(name);
    if (!loaded?.clientSecret || !loaded.tokens?.refreshToken) {
      throw new PdAuthError(
        `profile "${name}" has no client secret, so its tokens cannot be revoked; nothing was removed`,
        {
          hint: 'run `pd-auth rotate-secret` first, or log out without --revoke',
        },
      );
    }
    deps.log.redact(loaded.clientSecret);
    deps.log.redact(loaded.tokens.refreshToken);
    const client = createTokenClient(deps.http, deps.env.oauthUrl ?? profile.oauthUrl, {
      clientId: profile.clientId,
      clientSecret: loaded.clientSecret,
    });
    try {
      await client.revoke(loaded.tokens.refreshToken, 'refresh_token', deps.signal);
      revoked = true;
    } catch (err) {
      const explained = explainTokenError(err, 'refresh', {
        profile: name,
        implicit: await implicitProfile(deps),
      });
      throw new PdAuthError(`could not revoke the tokens: ${explained.message}; nothing was removed`, {
        hint: explained instanceof PdAuthError ? explained.hint : 'try again, or log out without --revoke',
        cause: err,
      });
    }
  }
  const { leftInKeyring } = await deps.store.update(name, (cur) => {
    if (!cur) return cur;
    const { tokens: _t, user: _u, company: _c, ...rest } = cur;
    return { ...rest, updatedAt: deps.now() };
  });
  // The write above removed any leftover temp files (see profile-store.ts), and then the refresh
  // token's keyring entry (a warning says so if the keyring could not be reached).
  return { result: 'removed', revoked, leftovers: 0, storage, keyringCleared: leftInKeyring.length === 0 };
}
