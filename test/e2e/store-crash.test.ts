import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile, StoreData } from '../../src/store/profile.js';
import { openProfileStore } from '../../src/store/profile-store.js';
import { type CliResult, cliEnv, runCli } from '../helpers/cli.js';
import { type EmulatorFixture, startTestEmulator } from '../helpers/emulator.js';
import {
  loggedIn,
  permissions,
  readStore,
  refreshAtEmulator,
  seedLogin,
  storeBytes,
  storePath,
} from '../helpers/fixtures.js';
import { thrownBy } from '../helpers/property.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Crashes and races on the real store. The crash test counts what it saw after every kill and
 * asserts on those counts; its log line (seed, counts, leftovers) is printed before the assertions,
 * so a failing run prints it too. CRASH_SEED=<seed> repeats a run's kill delays (the writers' speed
 * still varies from run to run, so the moment each kill lands can differ).
 *
 * "Two logins into different profiles at the same moment both survive" is covered by
 * test/e2e/concurrency.test.ts ("two parallel logins into different profiles (two apps) both end
 * up in the store"), so it is not repeated here.
 */

const writerScript = fileURLToPath(new URL('../fixtures/store-writer.mjs', import.meta.url));
/** The writer's own description of write `seq`, so the test never keeps a second copy of it. */
const writer = (await import(pathToFileURL(writerScript).href)) as {
  profileFor(seq: number): Profile;
  profileCount: number;
};

/** Every store a sequence of whole writes 1..n can leave: a pure function of n (see the writer). */
function storeAfter(n: number): StoreData {
  const profiles: Record<string, Profile> = {};
  for (let k = 0; k < writer.profileCount; k++) {
    const last = n - ((((n - k) % writer.profileCount) + writer.profileCount) % writer.profileCount);
    if (last >= 1) profiles[`p${k}`] = writer.profileFor(last);
  }
  return { version: 3, profiles };
}

const lastWrite = (data: StoreData) => Math.max(0, ...Object.values(data.profiles).map((p) => p.updatedAt));

const lockPath = (dir: string) => `${storePath(dir)}.lock`;
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('profiles.json.tmp-'));

/** The same data, whatever the key order (JSON leaves out undefined fields, as the store file does). */
function sameData(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The seed for this file's random kill delays: CRASH_SEED, else a new one, printed either way. */
const crashSeed = Number(process.env.CRASH_SEED ?? randomInt(2 ** 31));
console.log(`[store-crash] seed ${crashSeed} (CRASH_SEED=${crashSeed} repeats these kill delays)`);

/** mulberry32: a seeded generator, so a failing run's kill delays can be repeated with CRASH_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const children = new Set<ChildProcess>();
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** Starts the writer and resolves once it printed `ready` (e.g. "writing 12" or "locked"). */
async function startWriter(
  dir: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [writerScript, dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the writer ended (${code ?? signal}) before ${ready}:\n${err}`)),
    );
  });
  return { child, line };
}

async function kill(child: ChildProcess): Promise<NodeJS.Signals | null> {
  child.kill('SIGKILL');
  await exited(child);
  children.delete(child);
  return child.signalCode;
}

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(async () => {
  for (const child of children) await kill(child);
  tmp.remove();
});

describe('SIGKILL in the middle of writes', () => {
  const lanes = 3;
  const triesPerLane = 70;

  /** What one kill left behind, judged against the store before it (writes 1..before). */
  type Outcome =
    | 'whole' // profiles.json holds writes 1..n, n >= before, read back as such
    | 'unreadable' // the store did not read or validate
    | 'lost' // fewer writes than before the kill: a completed write is gone
    | 'torn' // readable, but no sequence of whole writes leaves this store
    | 'not profiles.json' // what was read is not what profiles.json holds
    | 'not private'; // profiles.json is not 0600

  async function judge(
    dir: string,
    before: number,
  ): Promise<{ outcome: Outcome; n: number; detail: string }> {
    // The file as the kill left it, before reading it through the store (which tightens its mode).
    const path = storePath(dir);
    const raw = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const mode = raw === undefined ? undefined : permissions(path);
    let data: StoreData;
    try {
      data = await openProfileStore(dir).read();
    } catch (err) {
      return { outcome: 'unreadable', n: before, detail: String(err) };
    }
    const n = lastWrite(data);
    if (n < before) return { outcome: 'lost', n, detail: `write ${n} after write ${before}` };
    if (!sameData(data, storeAfter(n)))
      return { outcome: 'torn', n, detail: JSON.stringify(data).slice(0, 300) };
    // What was read must be profiles.json itself, never a temp file beside it. (No profiles.json at
    // all only while the very first write never finished.)
    const inFile = (text: string) =>
      thrownBy(() => JSON.parse(text)) === undefined && sameData(JSON.parse(text), data);
    if (raw === undefined ? n > 0 : !inFile(raw))
      return { outcome: 'not profiles.json', n, detail: raw ?? 'no file' };
    if (mode !== undefined && mode !== 0o600) return { outcome: 'not private', n, detail: mode.toString(8) };
    return { outcome: 'whole', n, detail: '' };
  }

  /** Writes `text` as profiles.json, mode 0600 in a 0700 directory. */
  function writeStoreFile(dir: string, text: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(storePath(dir), text, { mode: 0o600 });
  }
  const fileText = (data: StoreData) => `${JSON.stringify(data, null, '\t')}\n`;
  const withProfile = (data: StoreData, name: string, p: Profile): StoreData => ({
    ...data,
    profiles: { ...data.profiles, [name]: p },
  });

  // The crash test's counts can only fail if its judge tells these apart: each is checked here.
  it.each<[string, Outcome, number, () => string]>([
    ['writes 1..7, after write 5', 'whole', 5, () => fileText(storeAfter(7))],
    ['writes 1..7, after write 7 (no write completed in between)', 'whole', 7, () => fileText(storeAfter(7))],
    ['writes 1..3, after write 5', 'lost', 5, () => fileText(storeAfter(3))],
    [
      'write 7 with p1 from write 1 instead of 6',
      'torn',
      5,
      () => fileText(withProfile(storeAfter(7), 'p1', writer.profileFor(1))),
    ],
    [
      'write 7 with p2 missing its tokens',
      'torn',
      5,
      () => fileText(withProfile(storeAfter(7), 'p2', { ...writer.profileFor(7), tokens: undefined })),
    ],
    ['half of the file', 'unreadable', 5, () => fileText(storeAfter(7)).slice(0, 200)],
    ['writes 1..7 in a file others can read (0644)', 'not private', 5, () => fileText(storeAfter(7))],
  ])('the crash test judges %s as %s', async (_, expected, before, text) => {
    const dir = join(tmp.path, 'config');
    writeStoreFile(dir, text());
    if (expected === 'not private') chmodSync(storePath(dir), 0o644);

    expect((await judge(dir, before)).outcome).toBe(expected);
  });

  it(`${lanes * triesPerLane} writer processes killed at a random moment never leave an unreadable or torn store`, async () => {
    const planned = lanes * triesPerLane;
    const outcomes: Record<Outcome, number> = {
      whole: 0,
      unreadable: 0,
      lost: 0,
      torn: 0,
      'not profiles.json': 0,
      'not private': 0,
    };
    const figures = {
      kills: 0,
      notSigkilled: 0,
      resumedElsewhere: 0,
      writes: 0,
      killsBeforeAWriteCompleted: 0,
      killsHoldingTheLock: 0,
      killsWithATempFile: 0,
      leftoverTemps: 0,
    };
    /** Every try that was not 'whole', or was odd, with what is needed to look into it. */
    const problems: string[] = [];
    const t0 = performance.now();

    // Independent stores side by side, each with its own delays from the seed: every kill is still
    // one process dying mid-loop, in less time.
    const lane = async (index: number) => {
      const dir = join(tmp.path, `lane-${index}`);
      const next = random(crashSeed + index);
      mkdirSync(dir, { mode: 0o700 });
      let before = 0; // the store holds writes 1..before
      for (let i = 0; i < triesPerLane; i++) {
        const where = `lane ${index}, try ${i + 1}`;
        const { child, line } = await startWriter(dir, [], /writing (\d+)\n/);
        // The writer continues from the store as it found it.
        if (line !== `writing ${before + 1}\n`) {
          figures.resumedElsewhere += 1;
          problems.push(`${where}: the writer said ${JSON.stringify(line)} after write ${before}`);
        }
        const delay = Math.floor(next() * 51);
        await new Promise((r) => setTimeout(r, delay));
        const signal = await kill(child);
        figures.kills += 1;
        if (signal !== 'SIGKILL') {
          figures.notSigkilled += 1;
          problems.push(`${where}: the writer ended by ${signal ?? child.exitCode}, not SIGKILL`);
        }

        const temps = tempFiles(dir);
        figures.leftoverTemps += temps.length;
        if (temps.length > 0) figures.killsWithATempFile += 1;
        const { outcome, n, detail } = await judge(dir, before);
        outcomes[outcome] += 1;
        if (outcome !== 'whole') {
          problems.push(`${where} (killed ${delay} ms after "writing"): ${outcome} ${detail}`);
          return; // the store is no longer one whole writes leave: later tries would judge nothing
        }
        figures.writes += n - before;
        if (n === before) figures.killsBeforeAWriteCompleted += 1;
        before = n;

        // Clean up between tries only, so the next writer does not wait 5 s for a stale lock.
        if (existsSync(lockPath(dir))) {
          figures.killsHoldingTheLock += 1;
          rmSync(lockPath(dir), { recursive: true, force: true });
        }
        for (const t of temps) rmSync(join(dir, t));
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));

    const judged = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `[store-crash] seed ${crashSeed}: ${figures.kills} SIGKILLs (${lanes} stores × ${triesPerLane}, 0–50 ms after the writer said "writing"); ` +
        `after each, the store read back: whole ${outcomes.whole}/${judged}, torn ${outcomes.torn}, ` +
        `unreadable ${outcomes.unreadable}, lost writes ${outcomes.lost}, not profiles.json ${outcomes['not profiles.json']}, ` +
        `not 0600 ${outcomes['not private']}; ${figures.writes} whole writes in all, ` +
        `${figures.killsHoldingTheLock} kills while the writer held the lock, ` +
        `${figures.killsWithATempFile} between a temp file and its rename (${figures.leftoverTemps} temp files left), ` +
        `${figures.killsBeforeAWriteCompleted} before the writer completed a write; ${seconds} s`,
    );

    const rerun = `(CRASH_SEED=${crashSeed} repeats the delays)`;
    expect(problems, rerun).toEqual([]);
    expect({ ...outcomes, kills: figures.kills, notSigkilled: figures.notSigkilled }, rerun).toEqual({
      whole: planned,
      unreadable: 0,
      lost: 0,
      torn: 0,
      'not profiles.json': 0,
      'not private': 0,
      kills: planned,
      notSigkilled: 0,
    });
    // The kills landed among writes: writes completed between them, kills hit writers holding the
    // lock, and some between writing the temp file and renaming it over profiles.json.
    expect(figures.writes, rerun).toBeGreaterThan(0);
    expect(figures.killsHoldingTheLock, rerun).toBeGreaterThan(0);
    expect(figures.killsWithATempFile, rerun).toBeGreaterThan(0);
  }, 120_000);

  /**
   * Kills writers until one died between writing its temp file and renaming it, with `want` in the
   * temp file (or gives up after 200), removing the lock each time; returns the temp files' names.
   * The delays come from the file's seed, with `salt` so that each test has its own.
   */
  async function crashUntilTempFile(dir: string, salt: number, want = ''): Promise<string[]> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const next = random(crashSeed + salt);
    const found = () => tempFiles(dir).filter((t) => readFileSync(join(dir, t), 'utf8').includes(want));
    let kills = 0;
    while (kills < 200 && found().length === 0) {
      const { child } = await startWriter(dir, [], /writing \d+\n/);
      await new Promise((r) => setTimeout(r, Math.floor(next() * 51)));
      await kill(child);
      kills += 1;
      rmSync(lockPath(dir), { recursive: true, force: true });
    }
    expect(found().length, `no temp file after ${kills} kills (CRASH_SEED=${crashSeed})`).toBeGreaterThan(0);
    return tempFiles(dir);
  }

  it('leftover temp files are never taken for the store: the CLI reads profiles.json', async () => {
    const dir = join(tmp.path, 'config');
    const temps = await crashUntilTempFile(dir, 100);
    const expected = await openProfileStore(dir).read();
    // No profiles.json at all when the very first write died between its temp file and the rename.
    const before = storeBytes(dir);

    const r = await runCli(['profiles', '--names'], cliEnv({ PD_AUTH_CONFIG_DIR: dir }));

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      Object.keys(expected.profiles)
        .sort()
        .map((n) => `${n}\n`)
        .join(''),
    );
    // Reading changed nothing: profiles.json (or its absence) is as it was.
    expect(storeBytes(dir)).toEqual(before);
    if (before !== undefined) expect(readStore(dir)).toEqual(expected);
    // They hold credentials, so at least they are private.
    for (const t of temps) expect(permissions(join(dir, t)), t).toBe(0o600);
  }, 60_000);

  /** What a writer killed before renaming write `seq` into place leaves: the whole store after it. */
  function leaveTempFile(dir: string, seq: number): string {
    const temp = join(dir, 'profiles.json.tmp-4242');
    writeFileSync(temp, `${JSON.stringify(storeAfter(seq), null, '\t')}\n`, { mode: 0o600 });
    return temp;
  }

  // The two shapes the crash above can leave, made by hand so both are always covered.
  it.each([
    ['no profiles.json (the first write died before its rename)', 0],
    ['profiles.json holding write 1, a temp file holding write 2', 1],
  ])('a temp file is not taken for the store: %s', async (_, stored) => {
    const dir = join(tmp.path, 'config');
    mkdirSync(dir, { mode: 0o700 });
    if (stored > 0) await openProfileStore(dir).update('p0', () => writer.profileFor(stored));
    const temp = leaveTempFile(dir, stored + 1);
    const before = storeBytes(dir);

    const r = await runCli(['profiles', '--names'], cliEnv({ PD_AUTH_CONFIG_DIR: dir }));

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(stored > 0 ? 'p0\n' : '');
    expect(storeBytes(dir)).toEqual(before);
    expect(existsSync(temp)).toBe(true);
  });

  it('after a crash, `pd-auth logout` leaves no copy of the removed tokens in a leftover temp file', async () => {
    const dir = join(tmp.path, 'config');
    const temps = await crashUntilTempFile(dir, 200, '"refreshToken"');
    const tokenIn = (text: string) =>
      [...text.matchAll(/"refreshToken": "([^"]+)"/g)].map((m) => m[1] as string);
    const copied = temps.flatMap((t) => tokenIn(readFileSync(join(dir, t), 'utf8')));
    expect(copied.length).toBeGreaterThan(0);
    const env = cliEnv({ PD_AUTH_CONFIG_DIR: dir });

    for (let k = 0; k < writer.profileCount; k++) {
      expect((await runCli(['logout', '--profile', `p${k}`], env)).code).toBe(0);
    }

    const everything = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    // (No profiles.json at all when the crash was in the very first write.)
    expect(tokenIn(storeBytes(dir)?.toString('utf8') ?? '')).toEqual([]);
    // The store is clean; the orphaned temp files of the crashed writers still hold refresh tokens.
    expect(
      copied.filter((token) => everything.includes(token)),
      `left in ${readdirSync(dir).join(', ')}`,
    ).toEqual([]);
  }, 60_000);

  it('a crash in the very first write (no profiles.json yet): `pd-auth logout` removes the temp file holding its tokens', async () => {
    const dir = join(tmp.path, 'config');
    mkdirSync(dir, { mode: 0o700 });
    const temp = leaveTempFile(dir, 1);
    expect(readFileSync(temp, 'utf8')).toContain('"refreshToken"');

    const r = await runCli(['logout', '--profile', 'p1'], cliEnv({ PD_AUTH_CONFIG_DIR: dir }));

    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Profile "p1" has no tokens stored; nothing to do.\n' +
        'Removed a temp file that an interrupted pd-auth had left beside the store (a copy of the store, which can hold tokens).\n',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock left by a SIGKILLed writer does not block the store: the next pd-auth command takes it over', async () => {
    const dir = join(tmp.path, 'config');
    await openProfileStore(dir).update('p1', () => writer.profileFor(1));
    const { child } = await startWriter(dir, ['--hang'], /locked\n/);
    expect(existsSync(lockPath(dir))).toBe(true);
    expect(await kill(child)).toBe('SIGKILL');
    expect(existsSync(lockPath(dir))).toBe(true);

    const t0 = performance.now();
    const r = await runCli(['use', 'p1'], cliEnv({ PD_AUTH_CONFIG_DIR: dir }), undefined, 30_000);
    const waitMs = Math.round(performance.now() - t0);

    expect(r.stderr).toContain('Now using profile "p1"');
    expect(r.code).toBe(0);
    expect(await openProfileStore(dir).read()).toEqual({ ...storeAfter(1), activeProfile: 'p1' });
    expect(existsSync(lockPath(dir))).toBe(false);
    // How long it waited is for the log, not an assertion (the lock is stale 5 s after its last refresh).
    console.log(
      `[store-crash] lock left by a SIGKILLed writer: \`pd-auth use\` took it over after ${waitMs} ms`,
    );
  }, 40_000);
});

describe('20 parallel `use` / `logout` / `refresh` on different profiles', () => {
  type Op = 'use' | 'logout' | 'refresh';
  /** Each profile's two operations, run one after the other; all 20 profiles at once. */
  const plans: Op[][] = [
    ['refresh', 'refresh'],
    ['refresh', 'logout'],
    ['logout', 'refresh'],
    ['use', 'refresh'],
    ['refresh', 'use'],
    ['logout', 'use'],
    ['use', 'logout'],
    ['logout', 'logout'],
  ];
  const count = 20;
  let fx: EmulatorFixture | undefined;
  afterEach(async () => {
    await fx?.emulator.close();
    fx = undefined;
  });

  it('leave a valid store where each profile reflects its own last operation', async () => {
    // Single-use refresh tokens: a lost write would leave a used-up refresh token behind.
    fx = await startTestEmulator({ refreshTokenMode: 'rotate' });
    const configDir = join(tmp.path, 'config');
    const names = Array.from({ length: count }, (_, i) => `p${i}`);
    const seeded: Record<string, Profile> = {};
    for (const name of names) seeded[name] = await seedLogin(fx, configDir, { profile: name });
    const env = cliEnv({ PD_AUTH_CONFIG_DIR: configDir });
    const planOf = (i: number) => plans[i % plans.length] as Op[];
    const args = (op: Op, name: string) => (op === 'use' ? ['use', name] : [op, '--profile', name]);

    const results = await Promise.all(
      names.map(async (name, i) => {
        const out: CliResult[] = [];
        for (const op of planOf(i)) out.push(await runCli(args(op, name), env, undefined, 60_000));
        return out;
      }),
    );

    const data = await openProfileStore(configDir).read(); // valid, or this throws
    expect(Object.keys(data.profiles).sort()).toEqual([...names].sort());
    const used = names.filter((_, i) => planOf(i).includes('use'));
    expect(used).toContain(data.activeProfile);
    for (const [i, name] of names.entries()) {
      const plan = planOf(i);
      const [first, second] = results[i] as CliResult[];
      const seed = seeded[name] as Profile & { tokens: NonNullable<Profile['tokens']> };
      const p = data.profiles[name] as Profile;
      const what = `${name}: ${plan.join(' then ')}`;
      // A refresh after a logout has nothing to refresh with: login needed (4). All else succeeds.
      const loggedOutFirst = plan[0] === 'logout';
      expect([first?.code, second?.code], what).toEqual([0, loggedOutFirst && plan[1] === 'refresh' ? 4 : 0]);
      expect({ ...p, tokens: undefined, user: undefined, company: undefined, updatedAt: 0 }, what).toEqual({
        ...seed,
        tokens: undefined,
        user: undefined,
        company: undefined,
        updatedAt: 0,
      });
      if (plan.includes('logout')) {
        expect(p.tokens, what).toBeUndefined();
        expect(p.user, what).toBeUndefined();
        continue;
      }
      const tokens = loggedIn(configDir, name).tokens;
      expect(p.user, what).toEqual(seed.user);
      expect(tokens.accessToken, what).not.toBe(seed.tokens.accessToken);
      expect(tokens.refreshToken, what).not.toBe(seed.tokens.refreshToken);
    }
    const grants = fx.emulator.stats.refreshGrants;
    // Every stored refresh token is the live one (rotate mode: the last refresh's), and works once more.
    for (const name of names) {
      const p = data.profiles[name] as Profile;
      if (p.tokens?.refreshToken)
        expect((await refreshAtEmulator(fx, p.tokens.refreshToken)).status, name).toBe(200);
    }
    expect(permissions(storePath(configDir))).toBe(0o600);
    expect(readdirSync(configDir)).toEqual(['profiles.json']);
    const refreshes = names.reduce((s, _, i) => s + planOf(i).filter((o) => o === 'refresh').length, 0);
    console.log(
      `[store-crash] ${count} profiles × 2 operations (${count} CLI processes at a time): valid store, ` +
        `each profile as its last operation left it; ${refreshes} refreshes attempted, ${grants} refresh grants`,
    );
  }, 120_000);
});
