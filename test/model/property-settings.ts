/**
 * Seed and number of runs of a property suite: fixed counts so that CI takes a known time, and a
 * seed printed with every run so that a failure can be replayed. LEDGER_PROPERTY_SEED and
 * LEDGER_PROPERTY_RUNS override them (a failing case prints its seed and path; fast-check shrinks
 * it to a small reproduction first).
 */
export function propertySettings(
  name: string,
  defaultRuns: number,
): { seed: number; numRuns: number; endOnFailure: boolean; path?: string } {
  const seed =
    process.env.LEDGER_PROPERTY_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.LEDGER_PROPERTY_SEED);
  const numRuns = process.env.LEDGER_PROPERTY_RUNS === undefined ? defaultRuns : Number(process.env.LEDGER_PROPERTY_RUNS);
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) {
    throw new Error('LEDGER_PROPERTY_SEED and LEDGER_PROPERTY_RUNS are integers');
  }
  process.stdout.write(
    `${name}: ${numRuns} cases, seed ${seed} (LEDGER_PROPERTY_SEED=${seed} LEDGER_PROPERTY_RUNS=${numRuns} to replay)\n`,
  );
  // LEDGER_PROPERTY_SHRINK=0: report the first failing case as it is (shrinking a slow property takes minutes).
  // LEDGER_PROPERTY_PATH: replay only the case of that path (fast-check's "path" of a failure).
  const path = process.env.LEDGER_PROPERTY_PATH;
  return { seed, numRuns, endOnFailure: process.env.LEDGER_PROPERTY_SHRINK === '0', ...(path === undefined ? {} : { path }) };
}
