import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/ui/terminal.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('isTerminal', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const fds: number[] = [];
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    for (const fd of fds.splice(0)) closeSync(fd);
    tmp.remove();
  });

  it('is false for a file', () => {
    const file = join(tmp.path, 'f');
    writeFileSync(file, 'x');
    fds.push(openSync(file, 'r'));

    expect(isTerminal(fds[0] ?? -1)).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('is false for /dev/null, a character device', () => {
    fds.push(openSync('/dev/null', 'w'));

    expect(isTerminal(fds[0] ?? -1)).toBe(false);
  });

  it('is false for a descriptor that is not open', () => {
    expect(isTerminal(987_654)).toBe(false);
  });
});
