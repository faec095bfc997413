import { formatExpiry } from '../../src/ui/format.js';

/**
 * When a spawned run could have read its clock: from just before it started to just after it ended.
 * A relative time it printed ("in 59m 3s") is checked against this window, never against another
 * run or a later `Date.now()`, so a slow or busy machine cannot make it fail.
 */
export interface RunWindow {
  startedAt: number;
  endedAt: number;
}

/** Runs `act` and returns its result with the window it ran in. */
export async function timed<T>(act: () => Promise<T>): Promise<T & RunWindow> {
  const startedAt = Date.now();
  const result = await act();
  return { ...result, startedAt, endedAt: Date.now() };
}

/**
 * Every text formatExpiry gives for the moment `at` on a clock read somewhere in the window (every
 * half second, finer than the whole seconds it prints): what a run printed must be one of them.
 */
export function expiryTexts(at: number, w: RunWindow): string[] {
  const texts = new Set<string>();
  for (let now = w.startedAt; ; now = Math.min(now + 500, w.endedAt)) {
    texts.add(formatExpiry(at, now));
    if (now >= w.endedAt) break;
  }
  return [...texts];
}
