import type { Writable } from 'node:stream';
import { formatDuration } from './format.js';

export interface StatusLine {
  stop(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * "Waiting for the browser… 4m 59s left": a spinner redrawn in place on a terminal, one plain line
 * otherwise (logs and CI should not fill up with redraws).
 */
export function startStatusLine(
  out: Writable,
  isTTY: boolean,
  text: string,
  deadline: number,
  now: () => number,
): StatusLine {
  const line = () => `${text} ${formatDuration(deadline - now())} left (Ctrl+C to cancel)`;
  if (!isTTY) {
    out.write(`${line()}\n`);
    return { stop() {} };
  }
  let i = 0;
  const draw = () => out.write(`\r\x1b[2K${frames[i++ % frames.length]} ${line()}`);
  draw();
  const timer = setInterval(draw, 120);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      out.write('\r\x1b[2K');
    },
  };
}
