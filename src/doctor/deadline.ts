import type { HttpTimeouts } from '../net/http-client.js';

/** Thrown by `within` when the step ran out of its time. */
export class StepTimeout extends Error {
  readonly code = 'PD_AUTH_STEP_TIMEOUT';
}

/**
 * Doctor's one deadline (PD_AUTH_HTTP_TIMEOUT, default 30 s), shared by every network step of every
 * check, so doctor as a whole ends within it however many hosts it asks.
 */
export interface Deadline {
  readonly timeouts: HttpTimeouts;
  /** ms left. */
  left(): number;
  /** Aborts when the deadline passes, or with `parent` (Ctrl+C). */
  readonly signal: AbortSignal;
}

export function startDeadline(timeouts: HttpTimeouts, now: () => number, parent: AbortSignal): Deadline {
  const end = now() + timeouts.totalMs;
  return {
    timeouts,
    left: () => Math.max(0, end - now()),
    signal: AbortSignal.any([parent, AbortSignal.timeout(timeouts.totalMs)]),
  };
}

/** `work` bounded by `ms`: rejects with StepTimeout when it runs over; `onLate` cleans up after it. */
export function within<T>(work: Promise<T>, ms: number, onLate: () => void = () => {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate();
      reject(new StepTimeout(`no answer within ${Math.round(ms / 100) / 10}s`));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
