import { describe, expect, it } from 'vitest';
import { readOptions } from '../../../src/commands/option-spec.js';
import { tokenOptions } from '../../../src/commands/token-options.js';

/** The fast `pd-auth token` path reads its argv with the definitions commander registers. */
describe('readOptions(tokenOptions)', () => {
  it.each([
    [[], {}],
    [['--format', 'json'], { format: 'json' }],
    [['--format=env', '--profile=sandbox'], { format: 'env', profile: 'sandbox' }],
    [['--profile', 'a', '--profile', 'b'], { profile: 'b' }],
    [['--min-valid', '600'], { minValid: 600 }],
  ])('takes %j', (args, expected) => {
    expect(readOptions(tokenOptions, args)).toEqual(expected);
  });

  it.each([
    [['--verbose']],
    [['--help']],
    [['extra']],
    [['--format', 'xml']],
    [['--format']],
    [['--profile', 'bad name']],
    [['--profile', '-x']],
    [['--profile=']],
    [['--min-valid', '0']],
    [['--min-valid', '86401']],
    [['--min-valid', '1e3']],
    [['--', 'x']],
    [['-p', 'x']],
  ])('leaves %j to the full CLI', (args) => {
    expect(readOptions(tokenOptions, args)).toBeUndefined();
  });
});
