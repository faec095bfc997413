import { formatDuration } from '../ui/format.js';
import { failure, type Outcome, ok, skipped, warning } from './check.js';
import type { HostAnswer } from './host-check.js';

/** Past this, times shown and compared with Pipedrive's are visibly off. */
export const skewWarnMs = 60_000;
/** Past this, expiry maths break: the 5-minute refresh margin no longer covers the difference. */
export const skewFailMs = 5 * 60_000;

const fix =
  'turn on automatic time (NTP): `timedatectl set-ntp true` on Linux, "Set time automatically" on macOS and Windows';

/**
 * This machine's clock against the OAuth host's Date header, taken at the middle of the request:
 * good to about a second, plenty for thresholds of minutes.
 */
export function checkClock(host: string, answer: HostAnswer | undefined): Outcome {
  if (!answer) return skipped(`no answer from ${host} to compare with (see the OAuth host)`);
  const server = answer.date === undefined ? Number.NaN : Date.parse(answer.date);
  if (!Number.isFinite(server)) return skipped(`${host} sent no usable Date header to compare with`);
  // The header has whole seconds: the server's time was somewhere in that second, best taken as its middle.
  const skew = server + 500 - (answer.sentAt + answer.receivedAt) / 2;
  const size = Math.abs(skew);
  const side = skew > 0 ? 'behind' : 'ahead of';
  const said = `this machine's clock is ${formatDuration(size)} ${side} ${host}'s`;
  if (size > skewFailMs) return failure(`${said}: token expiry times will be wrong`, fix);
  if (size > skewWarnMs) return warning(said, fix);
  return ok(`within ${formatDuration(Math.max(size, 1000))} of ${host}'s (its Date header)`);
}
