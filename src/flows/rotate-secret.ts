import type { Deps } from '../deps.js';
import { LoginNeededError, PdAuthError, profileFlag } from '../errors.js';
import type { Profile } from '../store/profile.js';
import { resolveClientSecret } from './credentials.js';
import { implicitProfile } from './profile-name.js';
import { requestRefresh, withSecrets } from './refresh.js';

export interface RotateOptions {
  profile: string;
  clientSecretStdin?: boolean;
  verify: boolean;
}

export interface RotateResult {
  saved: Profile;
  verified: boolean;
}

/**
 * Pipedrive kills the old secret at once but keeps user tokens (pipedrive-oauth.md §11), so a real
 * refresh with the new secret proves it. Only then are the secret and the new tokens written, in
 * one write; any failure leaves the stored secret and tokens exactly as they were.
 */
export async function rotateSecret(opts: RotateOptions, deps: Deps): Promise<RotateResult> {
  const name = opts.profile;
  const profile = await deps.store.getProfile(name);
  const implicit = await implicitProfile(deps);
  if (!profile) throw new LoginNeededError(`there is no profile "${name}" to update`, name, { implicit });
  const secret = await resolveClientSecret(opts, undefined, deps, 'New client secret (input hidden):');
  deps.log.redact(secret);
  if (!opts.verify) {
    let saved: Profile = profile;
    await deps.store.update(name, (current) => {
      saved = { ...(current ?? profile), clientSecret: secret, updatedAt: deps.now() };
      return saved;
    });
    return { saved, verified: false };
  }
  if (!profile.tokens) {
    throw new PdAuthError(
      `profile "${name}" has no refresh token to check the new secret with; nothing was changed`,
      {
        hint: `pass --no-verify to save the secret unchecked, or run \`pd-auth login${profileFlag(name, implicit)}\``,
      },
    );
  }
  // Verify and save under the store lock, with the refresh token current at that moment.
  const saved = await deps.store.transaction(async (tx) => {
    const data = await tx.read();
    const current = await withSecrets(tx.loadSecrets(name), name, implicit);
    deps.log.redact(current.tokens.refreshToken);
    let tokens: Awaited<ReturnType<typeof requestRefresh>>;
    try {
      tokens = await requestRefresh(current, secret, 'verify-secret', name, deps);
    } catch (err) {
      if (err instanceof LoginNeededError) {
        throw new LoginNeededError(
          `cannot check the new secret: Pipedrive rejected the stored refresh token; nothing was changed (${err.message})`,
          name,
          { implicit, cause: err },
        );
      }
      throw err;
    }
    const next: Profile = { ...current, clientSecret: secret, tokens, updatedAt: deps.now() };
    await tx.write({ ...data, profiles: { ...data.profiles, [name]: next } });
    return next;
  });
  return { saved, verified: true };
}
