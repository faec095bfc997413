/** A check's verdict; `skipped` when it could not run or was not asked for (and never fails doctor). */
export type CheckResult = 'ok' | 'warning' | 'failure' | 'skipped';

/** What one check found: one line of reason, and for a warning or a failure what to do. */
export interface Outcome {
  result: CheckResult;
  /** One line, never a secret or a token. */
  reason: string;
  /** null for ok and skipped. */
  fix: string | null;
}

/**
 * The ids of the --json schema, in report order. Documented in README ("pd-auth doctor"): an id is
 * never renamed or reused; new checks are only ever added.
 */
export const checkIds = [
  'node',
  'store',
  'storage',
  'callback',
  'browser',
  'oauth-host',
  'api-host',
  'clock',
  'credentials',
  'live',
] as const;
export type CheckId = (typeof checkIds)[number];

export interface Check extends Outcome {
  id: CheckId;
  title: string;
}

export const titles: Record<CheckId, string> = {
  node: 'Node.js',
  store: 'Store',
  storage: 'Secret storage',
  callback: 'Callback URL',
  browser: 'Browser',
  'oauth-host': 'OAuth host',
  'api-host': 'API host',
  clock: 'Clock',
  credentials: 'Credentials',
  live: 'Live refresh',
};

export const ok = (reason: string): Outcome => ({ result: 'ok', reason, fix: null });
export const skipped = (reason: string): Outcome => ({ result: 'skipped', reason, fix: null });
export const warning = (reason: string, fix: string): Outcome => ({ result: 'warning', reason, fix });
export const failure = (reason: string, fix: string): Outcome => ({ result: 'failure', reason, fix });

/** The worst result: failure over warning over ok; skipped checks do not count. */
export function overall(checks: readonly Outcome[]): 'ok' | 'warning' | 'failure' {
  if (checks.some((c) => c.result === 'failure')) return 'failure';
  return checks.some((c) => c.result === 'warning') ? 'warning' : 'ok';
}
