import { type Check, type CheckResult, overall } from './check.js';
import type { DoctorReport } from './run.js';

/** The documented `doctor --json` schema (README "pd-auth doctor"): fields are only ever added. */
export function doctorJson(report: DoctorReport): string {
  const json = {
    schema: 1,
    profile: report.profile,
    store: report.store,
    live: report.live,
    result: overall(report.checks),
    checks: report.checks.map((c) => ({
      id: c.id,
      title: c.title,
      result: c.result,
      reason: c.reason,
      fix: c.fix,
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export interface Style {
  /** Colour the terminal understands: Unicode marks, coloured; else ASCII words. */
  color: boolean;
  paint: Record<CheckResult, (s: string) => string>;
}

const marks: Record<CheckResult, [unicode: string, ascii: string]> = {
  ok: ['✓', 'ok'],
  warning: ['!', 'warn'],
  failure: ['✗', 'FAIL'],
  skipped: ['-', 'skip'],
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line a check, `fix:` indented under warnings and failures, and a summary line. */
export function doctorText(report: DoctorReport, style: Style): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const line = (c: Check) => {
    const [unicode, ascii] = marks[c.result];
    const mark = style.color ? style.paint[c.result](unicode) : ascii.padEnd(4);
    const fix =
      c.fix && (c.result === 'warning' || c.result === 'failure')
        ? `\n${' '.repeat(style.color ? 4 : 7)}fix: ${c.fix}`
        : '';
    return `${mark} ${c.title.padEnd(width)}  ${c.reason}${fix}`;
  };
  const count = (r: CheckResult) => report.checks.filter((c) => c.result === r).length;
  const summary = [
    `${count('ok')} ok`,
    plural(count('warning'), 'warning', 'warnings'),
    plural(count('failure'), 'failure', 'failures'),
    `${count('skipped')} skipped`,
  ].join(', ');
  const verdict =
    overall(report.checks) === 'failure'
      ? 'something a login or a refresh needs is broken'
      : 'nothing is broken';
  return [
    `pd-auth doctor: profile "${report.profile}"`,
    ...report.checks.map(line),
    `${summary}: ${verdict}`,
    '',
  ].join('\n');
}
