import type { Writable } from 'node:stream';

export interface Logger {
  /** Only with --verbose or PD_AUTH_DEBUG; every known secret is masked first. */
  debug(message: string): void;
  /** Register a value that must never appear in debug output. */
  redact(secret: string | undefined): void;
  readonly verbose: boolean;
}

export function createLogger(stderr: Writable, isVerbose: () => boolean): Logger {
  const secrets = new Set<string>();
  const scrub = (text: string) => {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
    return out;
  };
  return {
    debug(message) {
      if (isVerbose()) stderr.write(`[debug] ${scrub(message)}\n`);
    },
    redact(secret) {
      // Very short values would mask ordinary words; real secrets are long.
      if (secret && secret.length >= 6) secrets.add(secret);
    },
    get verbose() {
      return isVerbose();
    },
  };
}
