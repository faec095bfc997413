import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkNode, satisfies, supportedNode } from '../../../src/doctor/engines.js';

describe('the supported Node range', () => {
  it("matches package.json's engines.node", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };

    expect(supportedNode).toBe(pkg.engines.node);
  });

  it.each([
    ['20.18.0', false],
    ['20.18.1', true],
    ['20.20.2', true],
    ['21.7.3', false],
    ['22.11.9', false],
    ['22.12.0', true],
    ['24.0.0', true],
    ['26.10.0', true],
    ['v22.12.0', true],
    ['23.0.0-nightly20240101', true],
    ['18.20.4', false],
    ['not a version', false],
  ])('%s is supported: %s', (version, expected) => {
    expect(satisfies(version, supportedNode)).toBe(expected);
  });

  it('reads ^0.Y.Z as below the next minor', () => {
    expect([satisfies('0.3.9', '^0.3.1'), satisfies('0.4.0', '^0.3.1')]).toEqual([true, false]);
  });

  it('refuses a range form it cannot read, rather than pass every version', () => {
    expect(() => satisfies('22.12.0', '~22.12')).toThrow('unsupported version range "~22.12"');
  });

  it('fails an unsupported Node, naming the range and what to install', () => {
    expect(checkNode('21.7.3')).toEqual({
      result: 'failure',
      reason: 'Node 21.7.3 is not one pd-auth supports (^20.18.1 || >=22.12)',
      fix: 'install Node 22.12 or later (or 20.18.1 or a later 20.x), e.g. with your version manager',
    });
  });
});
