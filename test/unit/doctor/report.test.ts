import { describe, expect, it } from 'vitest';
import { checkIds, titles } from '../../../src/doctor/check.js';
import { doctorJson, doctorText } from '../../../src/doctor/report.js';
import type { DoctorReport } from '../../../src/doctor/run.js';

const report: DoctorReport = {
  profile: 'default',
  store: '/home/you/.config/pd-auth/profiles.json',
  live: false,
  checks: [
    {
      id: 'node',
      title: titles.node,
      result: 'ok',
      reason: 'Node 22.12.0, within ^20.18.1 || >=22.12',
      fix: null,
    },
    {
      id: 'store',
      title: titles.store,
      result: 'warning',
      reason: 'profiles.json is mode 0644',
      fix: 'chmod 600 profiles.json',
    },
    {
      id: 'callback',
      title: titles.callback,
      result: 'failure',
      reason: 'port 8484 is in use',
      fix: 'stop that program',
    },
    { id: 'live', title: titles.live, result: 'skipped', reason: 'not tried', fix: null },
  ],
};
const paint = {
  ok: (s: string) => `<g>${s}</g>`,
  warning: (s: string) => `<y>${s}</y>`,
  failure: (s: string) => `<r>${s}</r>`,
  skipped: (s: string) => `<d>${s}</d>`,
};

describe("doctor's report", () => {
  it('without colour: ASCII marks, a fix line under warnings and failures, and a summary', () => {
    expect(doctorText(report, { color: false, paint })).toMatchInlineSnapshot(`
      "pd-auth doctor: profile "default"
      ok   Node.js       Node 22.12.0, within ^20.18.1 || >=22.12
      warn Store         profiles.json is mode 0644
             fix: chmod 600 profiles.json
      FAIL Callback URL  port 8484 is in use
             fix: stop that program
      skip Live refresh  not tried
      1 ok, 1 warning, 1 failure, 1 skipped: something a login or a refresh needs is broken
      "
    `);
  });

  it('with colour: the marks ✓ ! ✗ -, painted', () => {
    const text = doctorText(report, { color: true, paint });

    expect(
      text
        .split('\n')
        .slice(1, 7)
        .map((l) => l.slice(0, 13)),
    ).toEqual([
      '<g>✓</g> Node',
      '<y>!</y> Stor',
      '    fix: chmo',
      '<r>✗</r> Call',
      '    fix: stop',
      '<d>-</d> Live',
    ]);
  });

  it('--json: the documented schema, in check order, with the worst result', () => {
    const json = JSON.parse(doctorJson(report));

    expect(Object.keys(json)).toEqual(['schema', 'profile', 'store', 'live', 'result', 'checks']);
    expect(json).toMatchObject({ schema: 1, profile: 'default', live: false, result: 'failure' });
    expect(json.checks[1]).toEqual({
      id: 'store',
      title: 'Store',
      result: 'warning',
      reason: 'profiles.json is mode 0644',
      fix: 'chmod 600 profiles.json',
    });
  });

  it('has a title for every check id', () => {
    expect(checkIds.filter((id) => !titles[id])).toEqual([]);
  });
});
