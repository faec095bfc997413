import { parseArgs } from 'node:util';
import { profileNamePattern } from '../store/profile.js';

/**
 * An option that takes a value, as data: commander registers it (shared.ts `valueOption`), and the
 * `token` fast path reads argv with the same definitions through node:util's parseArgs, so the two
 * cannot drift apart. Free of commander, which the fast path must not load.
 */
export interface ValueOption<T> {
  /** `--name <value>`: the long name and the value's placeholder, as commander spells them. */
  flags: string;
  description: string;
  /** The value, or undefined when it is not acceptable (`expected` then says what is). */
  parse(value: string): T | undefined;
  expected: string;
  /** A fixed set of values: commander lists them in help and errors. */
  choices?: readonly string[];
}

export const profileOption: ValueOption<string> = {
  flags: '--profile <name>',
  description: 'which profile to use',
  parse: (v) => (profileNamePattern.test(v) ? v : undefined),
  expected: 'use letters, digits, ".", "_" or "-" (up to 64), starting with a letter or digit.',
};

export const storageOption: ValueOption<'keyring' | 'file'> = {
  flags: '--storage <where>',
  description:
    'where the client secret and refresh token go: keyring (the OS keyring) or file (the 0600 store); default: the keyring when it answers, else the file (PD_AUTH_STORAGE)',
  ...oneOf(['keyring', 'file'] as const),
};

export function wholeNumber(max: number, min = 1): Pick<ValueOption<number>, 'parse' | 'expected'> {
  return {
    parse: (v) => {
      const n = Number(v);
      return /^\d+$/.test(v.trim()) && Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    },
    expected: `expected a whole number from ${min} to ${max}.`,
  };
}

export function oneOf<T extends string>(
  choices: readonly T[],
): Pick<ValueOption<T>, 'parse' | 'expected' | 'choices'> {
  return {
    choices,
    parse: (v) => choices.find((c) => c === v),
    expected: `use one of ${choices.join(', ')}.`,
  };
}

const longName = (o: ValueOption<unknown>) => /^--([a-z][a-z0-9-]*)/.exec(o.flags)?.[1] ?? o.flags;

type Values<O> = { [K in keyof O]?: O[K] extends ValueOption<infer T> ? T : never };

/**
 * argv (after the command's name) when it holds only these options, each well-formed; undefined for
 * anything else (an unknown option, a positional, a bad value), which commander then reports.
 */
export function readOptions<O extends Record<string, ValueOption<unknown>>>(
  defs: O,
  args: string[],
): Values<O> | undefined {
  // No options at all (the usual `pd-auth token`): nothing to read, and parseArgs' first call costs
  // a third of a millisecond, a tenth of what the fast path may take.
  if (args.length === 0) return {};
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    const options = Object.fromEntries(
      Object.values(defs).map((o) => [longName(o), { type: 'string' as const }]),
    );
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch {
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) {
    const raw = values[longName(def)];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? def.parse(raw) : undefined;
    if (value === undefined) return undefined;
    out[key] = value;
  }
  return out as Values<O>;
}
