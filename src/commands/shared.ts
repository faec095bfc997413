import { InvalidArgumentError, Option } from 'commander';
import { profileOption, type ValueOption, wholeNumber } from './option-spec.js';

/** A commander parser from a definition's `parse`: a value it refuses is a usage error (exit 2). */
function argParser<T>(def: Pick<ValueOption<T>, 'parse' | 'expected'>) {
  return (value: string): T => {
    const parsed = def.parse(value);
    if (parsed === undefined) throw new InvalidArgumentError(def.expected);
    return parsed;
  };
}

/** A commander Option from a definition (commands/option-spec.ts). */
export function valueOption<T>(def: ValueOption<T>): Option {
  const option = new Option(def.flags, def.description);
  return def.choices ? option.choices(def.choices) : option.argParser(argParser(def));
}

export const parseProfileName = argParser(profileOption);
export const parsePositiveInt = (max: number) => argParser(wholeNumber(max));
export const profileOptionHelp = profileOption.description;
