import { describe, expect, it } from 'vitest';
import { parseStatusArgv } from '../../src/fast/status.js';
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

describe('parseStatusArgv (the fast `pd-auth status --offline` path)', () => {
  it.each([
    [['status', '--offline'], { all: false, json: false }],
    [['status', '--offline', '--json'], { all: false, json: true }],
    [['status', '--all', '--offline'], { all: true, json: false }],
    [['status', '--json', '--all', '--offline'], { all: true, json: true }],
    [['status', '--offline', '--offline'], { all: false, json: false }],
    [['status', '--offline', '--profile', 'sandbox'], { all: false, json: false, profile: 'sandbox' }],
    [['status', '--profile=sandbox', '--offline'], { all: false, json: false, profile: 'sandbox' }],
    [['status', '--offline', '--profile', 'a', '--profile', 'b'], { all: false, json: false, profile: 'b' }],
  ])('takes %j', (argv, expected) => {
    expect(parseStatusArgv(argv)).toEqual(expected);
  });

  it.each([
    // A live check, or another command.
    [['status']],
    [['status', '--json']],
    [['status', '--all']],
    [['token', '--offline']],
    [['--offline', 'status']],
    // Anything commander would treat otherwise, or report.
    [['--verbose', 'status', '--offline']],
    [['status', '--offline', '--verbose']],
    [['status', '--offline', '--help']],
    [['status', '--offline', '-h']],
    [['status', '--offline', 'extra']],
    [['status', '--offline', '--', 'x']],
    [['status', '--offline=yes']],
    [['status', '--offline', '--json=true']],
    [['status', '--off']],
    [['status', '--offline', '--profile']],
    [['status', '--offline', '--profile', '-x']],
    [['status', '--offline', '--profile', '--json']],
    [['status', '--offline', '--profile', 'bad name']],
    [['status', '--offline', '--profile=']],
    [['status', '--offline', `--profile=${'a'.repeat(65)}`]],
    // --all with --profile is a usage error, in either order.
    [['status', '--offline', '--all', '--profile', 'x']],
    [['status', '--offline', '--profile=x', '--all']],
  ])('leaves %j to the full CLI', (argv) => {
    expect(parseStatusArgv(argv)).toBeUndefined();
  });
});
