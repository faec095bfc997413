import { oneOf, profileOption, type ValueOption, wholeNumber } from './option-spec.js';
import { type TokenFormat, tokenFormats } from './token-format.js';

/** `pd-auth token`'s options: registered by commands/token.ts, read by the fast path (src/fast-token.ts). */
export const tokenOptions = {
  profile: profileOption,
  format: {
    flags: '--format <format>',
    description: 'raw (just the token), env (export lines), header, or json',
    ...oneOf<TokenFormat>(tokenFormats),
  } satisfies ValueOption<TokenFormat>,
  minValid: {
    flags: '--min-valid <seconds>',
    description: 'refresh when the token expires within this time (default 300)',
    ...wholeNumber(86_400),
  } satisfies ValueOption<number>,
};
