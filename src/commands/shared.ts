import { InvalidArgumentError } from 'commander';
import { profileNamePattern } from '../store/profile.js';

export function parseProfileName(value: string): string {
  if (!profileNamePattern.test(value)) {
    throw new InvalidArgumentError(
      'use letters, digits, ".", "_" or "-" (up to 64), starting with a letter or digit.',
    );
  }
  return value;
}

export function parsePositiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`);
    }
    return n;
  };
}

export const profileOptionHelp = 'which profile to use';
