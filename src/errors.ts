/** Exit codes, one meaning each (design.md "Conventions"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  loginNeeded: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on: `message` says what failed, `hint` what to do next.
 * Anything else that reaches `main` is reported as a bug.
 */
export class PdAuthError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PdAuthError';
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

/** Bad flags, or input that is missing while nothing can be asked. */
export class UsageError extends PdAuthError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, ...(hint === undefined ? {} : { hint }) });
    this.name = 'UsageError';
  }
}

/** Ctrl+C, or an aborted signal. */
export class CancelledError extends PdAuthError {
  constructor(message = 'Interrupted; nothing was saved.') {
    super(message, { exitCode: ExitCode.interrupted });
    this.name = 'CancelledError';
  }
}

/**
 * " --profile NAME" for a hint's command, or "" when NAME is `implicit`, the profile that command
 * picks by itself (PD_AUTH_PROFILE, else the one `pd-auth use` made active, else "default").
 */
export const profileFlag = (name: string, implicit: string) =>
  name === implicit ? '' : ` --profile ${name}`;

/** Not logged in, or the refresh token was rejected. `implicit`: see profileFlag (default "default"). */
export class LoginNeededError extends PdAuthError {
  constructor(message: string, profile: string, opts: { implicit?: string; cause?: unknown } = {}) {
    super(message, {
      exitCode: ExitCode.loginNeeded,
      hint: `run \`pd-auth login${profileFlag(profile, opts.implicit ?? 'default')}\``,
      cause: opts.cause,
    });
    this.name = 'LoginNeededError';
  }
}
