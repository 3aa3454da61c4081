/** fast-check run parameters: a seed that is printed so any failure can be replayed. */
export interface FcParams {
  readonly seed: number;
  readonly numRuns?: number;
}

let printedSeed: number | undefined;

/**
 * Seed and run count for `fc.assert`: `FC_SEED` replays a run, `FC_RUNS`
 * overrides the run count (else `defaultRuns`, else fast-check's default).
 * The seed is printed once per test file (jest gives each file its own
 * module registry), so a failure in CI can be replayed locally.
 */
export function fcParams(defaultRuns?: number): FcParams {
  const seed = printedSeed ?? envInt('FC_SEED') ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  if (printedSeed === undefined) {
    printedSeed = seed;
    process.stdout.write(`fast-check seed=${seed} (replay with FC_SEED=${seed})\n`);
  }
  const numRuns = envInt('FC_RUNS') ?? defaultRuns;
  return numRuns === undefined ? { seed } : { seed, numRuns };
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}
