import fc from 'fast-check';

/**
 * The settings every property-based test uses, so the figures docs/security.md quotes are these:
 * one fixed seed (every run generates the same cases) and `propertyRuns` cases per property, unless
 * a property asks for a multiple of it. PD_AUTH_FC_SEED and PD_AUTH_FC_RUNS explore further (another
 * seed, more cases) without editing a file; a failure prints the counterexample and its replay path.
 */
export const propertySeed = Number(process.env.PD_AUTH_FC_SEED ?? 42_024);
export const propertyRuns = Number(process.env.PD_AUTH_FC_RUNS ?? 300);

/** fc.assert with the shared seed and `runs` cases; returns how many cases it ran. */
export function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  runs = propertyRuns,
): number {
  fc.assert(property, { seed: propertySeed, numRuns: runs });
  return runs;
}

/** checkProperty for a property whose predicate is async. */
export async function checkAsyncProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  runs = propertyRuns,
): Promise<number> {
  await fc.assert(property, { seed: propertySeed, numRuns: runs });
  return runs;
}

/** Runs `act` and returns what it threw (undefined when it returned). */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (err) {
    return err;
  }
  return undefined;
}
