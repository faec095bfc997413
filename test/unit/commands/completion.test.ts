import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { openProfileStore } from '../../../src/store/profile-store.js';
import { cliEnv, cliPath } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTestDeps } from '../../helpers/test-deps.js';

const commands = [
  'login',
  'refresh',
  'rotate-secret',
  'token',
  'status',
  'logout',
  'profiles',
  'use',
  'storage',
  'export',
  'exec',
  'api',
  'doctor',
  'completion',
  'emulator',
];

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe('pd-auth completion', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const script = async (shell: string) => {
    const t = makeTestDeps({ configDir: tmp.path });
    const code = await main(['completion', shell], t.deps);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  };

  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    tmp.remove();
  });

  it.each(['bash', 'zsh', 'fish'])('%s: prints a script naming every command', async (shell) => {
    const r = await script(shell);

    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of commands) expect(r.stdout).toMatch(new RegExp(`(^|[ "])${name}([ )"]|$)`, 'm'));
  });

  it('exits 2 for an unknown shell, naming the supported ones', async () => {
    const r = await script('powershell');

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      "error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.",
    );
  });

  it('zsh: loads compinit when needed, then bashcompinit, and registers the same function', async () => {
    const { stdout } = await script('zsh');

    expect(stdout.split('\n').slice(0, 3)).toEqual([
      '# pd-auth completion for zsh: eval "$(pd-auth completion zsh)"',
      '(( $+functions[compdef] )) || { autoload -U compinit && compinit; }',
      'autoload -U +X bashcompinit && bashcompinit',
    ]);
    expect(stdout).toContain('\ncomplete -F _pd_auth pd-auth\n');
  });

  it('fish: every line is a comment or a `complete -c pd-auth` with balanced quotes', async () => {
    const { stdout } = await script('fish');

    for (const line of stdout.trimEnd().split('\n')) {
      expect(line).toMatch(/^(#|complete -c pd-auth )/);
      // fish single quotes: \' and \\ are the only escapes inside them.
      const unescaped = line.replace(/\\[\\']/g, '');
      expect((unescaped.match(/'/g) ?? []).length % 2).toBe(0);
    }
  });

  it.skipIf(!has('zsh'))('zsh: the script parses (zsh -n)', async () => {
    const file = join(tmp.path, 'pd-auth.zsh');
    writeFileSync(file, (await script('zsh')).stdout);

    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
  });

  it.skipIf(!has('fish'))('fish: the script parses (fish -n)', async () => {
    const file = join(tmp.path, 'pd-auth.fish');
    writeFileSync(file, (await script('fish')).stdout);

    expect(spawnSync('fish', ['-n', file]).status).toBe(0);
  });

  describe('bash: _pd_auth fills COMPREPLY (skipped without bash)', () => {
    const bashIt = it.skipIf(!has('bash'));
    let file: string;
    let bin: string;
    let configDir: string;
    /** COMPREPLY for the words typed so far (the last one being completed). */
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, not a template
          'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pd_auth; printf "%s\\n" "${COMPREPLY[@]}"',
          'bash',
          file,
          ...words,
        ],
        {
          encoding: 'utf8',
          env: cliEnv({ PATH: `${bin}:${process.env.PATH}`, PD_AUTH_CONFIG_DIR: configDir }),
        },
      )
        .split('\n')
        .filter(Boolean);

    beforeEach(async () => {
      file = join(tmp.path, 'pd-auth.bash');
      writeFileSync(file, (await script('bash')).stdout);
      // `pd-auth` on PATH, as after `npm install -g`, for the profile names.
      bin = join(tmp.path, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'pd-auth'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`);
      chmodSync(join(bin, 'pd-auth'), 0o755);
      configDir = join(tmp.path, 'config');
      const store = openProfileStore(configDir);
      for (const name of ['default', 'sandbox', 'staging'])
        await store.update(name, () => ({
          clientId: 'id',
          redirectUri: 'http://localhost:8484/callback',
          oauthUrl: 'https://oauth.pipedrive.com',
          updatedAt: 0,
        }));
    });

    bashIt('completes command names', () => {
      expect(complete('pd-auth', 'to')).toEqual(['token']);
      expect(complete('pd-auth', 'lo')).toEqual(['login', 'logout']);
    });

    bashIt("completes a command's options", () => {
      expect(complete('pd-auth', 'token', '--')).toEqual(['--profile', '--format', '--min-valid', '--help']);
      expect(complete('pd-auth', 'status', '--o')).toEqual(['--offline']);
    });

    bashIt('completes --format values', () => {
      expect(complete('pd-auth', 'token', '--format', '')).toEqual(['raw', 'env', 'header', 'json']);
      expect(complete('pd-auth', 'token', '--format', 'h')).toEqual(['header']);
    });

    bashIt('completes profile names from the store', () => {
      expect(complete('pd-auth', 'token', '--profile', 's')).toEqual(['sandbox', 'staging']);
    });
  });
});
