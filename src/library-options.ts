/**
 * Options of every library call. Apart from library.ts so that the package's type declarations
 * (dist/index.d.ts) do not pull in the CLI's internals.
 */
export interface LibraryOptions {
  /** The profile; else PD_AUTH_PROFILE, else the active one, else "default". */
  profile?: string;
  /** Where the store lives; else PD_AUTH_CONFIG_DIR, else the default (see the README). */
  configDir?: string;
}
