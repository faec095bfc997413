import { describe, expect, it } from 'vitest';
import { parseTokenArgv } from '../../src/fast/token.js';

describe('parseTokenArgv (the fast `pd-auth token` path)', () => {
  it.each([
    [['token'], { format: 'raw' }],
    [['token', '--format', 'json'], { format: 'json' }],
    [['token', '--format=env', '--profile=sandbox'], { format: 'env', profile: 'sandbox' }],
    [['token', '--profile', 'a', '--profile', 'b'], { format: 'raw', profile: 'b' }],
    [['token', '--min-valid', '600'], { format: 'raw', minValidSeconds: 600 }],
  ])('takes %j', (argv, expected) => {
    expect(parseTokenArgv(argv)).toEqual(expected);
  });

  it.each([
    [['status']],
    [['--verbose', 'token']],
    [['token', '--verbose']],
    [['token', '--help']],
    [['token', 'extra']],
    [['token', '--format', 'xml']],
    [['token', '--format']],
    [['token', '--profile', 'bad name']],
    [['token', '--profile', '-x']],
    [['token', '--min-valid', '0']],
    [['token', '--min-valid', ' 5']],
    [['token', '--min-valid', '86401']],
    [['token', '--', 'x']],
  ])('leaves %j to the full CLI', (argv) => {
    expect(parseTokenArgv(argv)).toBeUndefined();
  });
});
