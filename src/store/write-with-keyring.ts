import { PdAuthError } from '../errors.js';
import type { Keyring, KeyringOp } from '../keyring/keyring.js';
import { checkMoves, fileDocument, type KnownSecrets, planKeyring } from './keyring-secrets.js';
import { type StoreData, storageOf } from './profile.js';

export interface WriteParts {
  read(): Promise<StoreData>;
  writeFile(data: StoreData): Promise<void>;
  keyring(): Keyring;
  known: KnownSecrets;
  newStoreId(): string;
  warn(message: string): void;
}

/**
 * One store write, in the order that keeps every secret readable from where the file points, even
 * when the process is killed between two steps: new keyring values first (and read back when a
 * profile moves in), then the file, then (for a profile that moved out, once the file reads back
 * right) the removal of entries nothing points to any more.
 */
/** What a write could not finish: keyring entries nothing points to any more that could not be removed. */
export interface WriteOutcome {
  leftInKeyring: string[];
}

export async function writeWithKeyring(data: StoreData, parts: WriteParts): Promise<WriteOutcome> {
  const previous = await parts.read();
  checkMoves(previous, data, parts.known);
  const usesKeyring = Object.values(data.profiles).some((p) => storageOf(p) === 'keyring');
  const next = usesKeyring && !data.storeId ? { ...data, storeId: parts.newStoreId() } : data;
  const plan = planKeyring(previous, next, parts.known);
  if (plan.before.length > 0 || plan.verify.length > 0) {
    const reads: KeyringOp[] = plan.verify.map((v) => ({ op: 'get', account: v.account }));
    const results = await parts.keyring().run([...plan.before, ...reads]);
    const back = results.slice(plan.before.length);
    if (plan.verify.some((v, i) => back[i] !== v.expected)) {
      throw new PdAuthError(
        `the OS keyring (${parts.keyring().backend}) did not give back what pd-auth wrote; the store file was not changed`,
      );
    }
    for (const [name, field, value] of plan.written) {
      parts.known.set(name, { ...parts.known.get(name), [field]: value });
    }
  }
  await parts.writeFile(fileDocument(next));
  const movedOut = Object.keys(next.profiles).filter((name) => {
    const was = previous.profiles[name];
    return (
      was &&
      storageOf(was) === 'keyring' &&
      next.profiles[name] !== undefined &&
      storageOf(next.profiles[name]) === 'file'
    );
  });
  if (movedOut.length > 0) await checkFileCopy(parts, next, movedOut);
  if (plan.after.length === 0) return { leftInKeyring: [] };
  try {
    await parts.keyring().run(plan.after);
    return { leftInKeyring: [] };
  } catch (err) {
    const accounts = plan.after.map((o) => o.account).join(', ');
    parts.warn(
      `the store no longer uses the OS keyring entries ${accounts} (service pd-auth), but they could not be removed: ${(err as Error).message}; remove them with your keyring's tool${process.platform === 'linux' ? ' (secret-tool clear service pd-auth username ENTRY)' : ''}`,
    );
    return { leftInKeyring: plan.after.map((o) => o.account) };
  }
}

/** The secrets of profiles that left the keyring, read back from the file before their entries go. */
async function checkFileCopy(parts: WriteParts, wanted: StoreData, names: string[]): Promise<void> {
  const written = await parts.read();
  for (const name of names) {
    const a = written.profiles[name];
    const b = wanted.profiles[name];
    if (a?.clientSecret !== b?.clientSecret || a?.tokens?.refreshToken !== b?.tokens?.refreshToken) {
      throw new PdAuthError(
        `profile "${name}": the store file does not read back the secrets just written; they stay in the OS keyring`,
      );
    }
  }
}
