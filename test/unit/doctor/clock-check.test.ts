import { describe, expect, it } from 'vitest';
import { checkClock } from '../../../src/doctor/clock-check.js';

const at = 1_800_000_000_000;
/**
 * An answer `skewMs` off this machine's clock: asked at `at` + half a second, when the server's
 * whole-second Date header said `at` + skewMs (its time taken as the middle of that second).
 */
const answer = (skewMs: number) => ({
  status: 405,
  date: new Date(at + skewMs).toUTCString(),
  sentAt: at + 460,
  receivedAt: at + 540,
});

describe('the clock check', () => {
  it('is ok within a minute', () => {
    expect(checkClock('oauth.test', answer(20_000))).toEqual({
      result: 'ok',
      reason: "within 20s of oauth.test's (its Date header)",
      fix: null,
    });
  });

  it('warns past 60 seconds, saying which way', () => {
    const o = checkClock('oauth.test', answer(-2 * 60_000));

    expect(o.result).toBe('warning');
    expect(o.reason).toBe("this machine's clock is 2m ahead of oauth.test's");
    expect(o.fix).toContain('NTP');
  });

  it('fails past 5 minutes: expiry maths break', () => {
    const o = checkClock('oauth.test', answer(10 * 60_000));

    expect(o.result).toBe('failure');
    expect(o.reason).toBe(
      "this machine's clock is 10m behind oauth.test's: token expiry times will be wrong",
    );
  });

  it('is skipped without an answer, or without a usable Date header', () => {
    expect(checkClock('oauth.test', undefined).result).toBe('skipped');
    expect(checkClock('oauth.test', { ...answer(0), date: 'soon' }).result).toBe('skipped');
  });
});
