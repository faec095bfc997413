import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBrowser } from '../../../src/doctor/browser-check.js';
import { readEnv } from '../../../src/env.js';
import { parseRedirectUri } from '../../../src/oauth/redirect-uri.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('the browser check', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.remove());
  const target = parseRedirectUri('http://localhost:9001/callback');
  /** A PATH holding only an executable `xdg-open`, when `opener` is true. */
  const path = (opener: boolean) => {
    if (opener) {
      writeFileSync(join(tmp.path, 'xdg-open'), '#!/bin/sh\n');
      chmodSync(join(tmp.path, 'xdg-open'), 0o755);
    }
    return { PATH: tmp.path };
  };
  const check = (vars: NodeJS.ProcessEnv, processEnv: NodeJS.ProcessEnv = path(false)) =>
    checkBrowser(readEnv(vars, 'linux'), processEnv, target);

  it('over SSH suggests --no-browser and the ssh -L line for the callback port', () => {
    const o = check({ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22', DISPLAY: ':0' });

    expect(o.result).toBe('warning');
    expect(o.fix).toContain('--no-browser');
    expect(o.fix).toContain('ssh -L 9001:localhost:9001 <this host>');
  });

  it('is ok with BROWSER=none (the login prints the URL)', () => {
    expect(check({ BROWSER: 'none' }).result).toBe('ok');
  });

  it("is ok when BROWSER's first word is found, split as the opener splits it", () => {
    const o = check({ BROWSER: `"${process.execPath}" --new-window` }, { PATH: '' });

    expect(o).toEqual({ result: 'ok', reason: `BROWSER: ${process.execPath}`, fix: null });
  });

  it('warns when BROWSER names a command that is not on PATH', () => {
    const o = check({ BROWSER: 'firefox-nightly --private' });

    expect(o.result).toBe('warning');
    expect(o.reason).toBe('BROWSER names "firefox-nightly", which is not found on PATH');
  });

  it('warns with no display on Linux', () => {
    expect(check({}, path(true)).reason).toContain('no display');
  });

  it("is ok with a display and the system's opener on PATH", () => {
    const o = check({ DISPLAY: ':0' }, path(true));

    expect(o).toEqual({
      result: 'ok',
      reason: `the system's opener: ${join(tmp.path, 'xdg-open')}`,
      fix: null,
    });
  });

  it('warns with a display but no opener on PATH', () => {
    expect(check({ WAYLAND_DISPLAY: 'wayland-0' }).reason).toBe(
      'xdg-open is not found on PATH: a login may open no browser',
    );
  });
});
