import { CancelledError } from '../errors.js';
import type { IO } from './io.js';

export interface PromptOptions {
  signal?: AbortSignal;
  validate?: (value: string) => true | string;
}

export interface Prompter {
  input(message: string, opts?: PromptOptions): Promise<string>;
  /** Nothing typed is echoed but a `*` per character. */
  password(message: string, opts?: PromptOptions): Promise<string>;
  confirm(message: string, defaultValue: boolean, opts?: PromptOptions): Promise<boolean>;
}

/** @inquirer/prompts bound to our streams (prompts go to stderr; stdout is for data). Loaded on use. */
export function createInquirerPrompter(io: IO): Prompter {
  const context = (signal?: AbortSignal) => ({
    input: io.stdin,
    output: io.stderr,
    ...(signal ? { signal } : {}),
  });
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const name = (err as Error)?.name;
      // ExitPromptError: Ctrl+C inside the prompt; AbortPromptError: our own signal fired.
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') {
        throw new CancelledError();
      }
      throw err;
    }
  };
  return {
    input: (message, opts = {}) =>
      guard(async () => {
        const { input } = await import('@inquirer/prompts');
        return input(
          { message, ...(opts.validate ? { validate: opts.validate } : {}) },
          context(opts.signal),
        );
      }),
    password: (message, opts = {}) =>
      guard(async () => {
        const { password } = await import('@inquirer/prompts');
        return password(
          { message, mask: '*', ...(opts.validate ? { validate: opts.validate } : {}) },
          context(opts.signal),
        );
      }),
    confirm: (message, defaultValue, opts = {}) =>
      guard(async () => {
        const { confirm } = await import('@inquirer/prompts');
        return confirm({ message, default: defaultValue }, context(opts.signal));
      }),
  };
}
