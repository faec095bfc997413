import { failure, type Outcome, ok } from './check.js';

/**
 * package.json's `engines.node`, here so the CLI need not read package.json at run time; kept in
 * step by test/unit/doctor/engines.test.ts.
 */
export const supportedNode = '^20.18.1 || >=22.12';

type Version = [number, number, number];

/** "20.18.1", "v22.12", "23.0.0-nightly…" → [major, minor, patch]; a prerelease tag is ignored. */
function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Whether `version` is in `range`: alternatives joined by `||`, each `^X.Y.Z` or `>=X.Y[.Z]`, the
 * forms pd-auth's engines field uses (no semver dependency for one line). Any other form throws, so
 * an engines change this cannot read fails its unit test instead of passing every version.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.split('||').some((part) => {
    const m = /^(\^|>=)\s*(\S+)$/.exec(part.trim());
    const base = m ? parseVersion(m[2] ?? '') : undefined;
    if (!m || !base) throw new Error(`unsupported version range ${JSON.stringify(part.trim())}`);
    if (m[1] === '>=') return compare(v, base) >= 0;
    // ^X.Y.Z: at least X.Y.Z, below the next major (below the next minor for 0.Y.Z).
    const ceiling: Version = base[0] > 0 ? [base[0] + 1, 0, 0] : [0, base[1] + 1, 0];
    return compare(v, base) >= 0 && compare(v, ceiling) < 0;
  });
}

export function checkNode(version: string, range = supportedNode): Outcome {
  if (satisfies(version, range)) return ok(`Node ${version}, within ${range}`);
  return failure(
    `Node ${version} is not one pd-auth supports (${range})`,
    'install Node 22.12 or later (or 20.18.1 or a later 20.x), e.g. with your version manager',
  );
}
