/**
 * The bounded fuzz run in CI (issue 10): every target replays its corpus, then runs a fixed number
 * of structure-aware inputs from a fixed seed (deterministic; `pnpm fuzz` runs random seeds for as
 * long as asked). A failure prints the input in hex; once fixed, keep it as
 * `corpus/<target>/<what-it-reproduces>.bin` (e.g. `xxd -r -p`) so every later run replays it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCorpus, toHex } from './corpus';
import { TARGETS, type FuzzTarget } from './targets';

/** Inputs per target (the state-machine targets run a handshake per input). */
const RUNS: Record<string, number> = {
  'client-hello': 3000,
  'record-layer': 2000,
  connection: 400,
  'tls13-state-machine': 150,
  'tls12-state-machine': 150,
  'decode-session': 3000,
};
/** A bound on each target's generated run on a slow machine (it stops early, it does not fail). */
const TIME_LIMIT_MS = 5000;

function runTarget(t: FuzzTarget, numRuns: number, seed: number): void {
  const result = fc.check(
    fc.property(t.arbitrary(), (input) => {
      t.run(input);
    }),
    { numRuns, seed, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  if (result.failed) {
    const input = result.counterexample?.[0] as Uint8Array | undefined;
    const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
    expect.fail(`${t.name}: ${cause}\n  seed ${result.seed}, path ${result.counterexamplePath}\n  input (hex): ${input ? toHex(input) : '?'}`);
  }
}

describe('fuzz targets (bounded run)', () => {
  for (const t of TARGETS) {
    describe(t.name, () => {
      it('replays its corpus', () => {
        for (const { file, bytes } of readCorpus(t.name)) {
          try {
            t.run(bytes);
          } catch (e) {
            expect.fail(`${file}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      });
      it(`holds for ${RUNS[t.name] ?? 200} generated inputs`, { timeout: 120_000 }, () => {
        runTarget(t, RUNS[t.name] ?? 200, 0x15_10 + t.name.length);
      });
    });
  }
  it('covers every target with a run count', () => {
    expect(TARGETS.map((t) => t.name).sort()).toEqual(Object.keys(RUNS).sort());
  });
});
