/**
 * One fuzz target in a worker thread, for `run.mjs` (bundled by esbuild): replay the corpus, then
 * generate inputs until the time is up, in one of two modes:
 *
 * - `guided` (default): coverage-guided. Inputs come from the target's structure-aware generator
 *   and, mostly, from mutating inputs kept in a pool; an input is kept when it covers library code
 *   no earlier input covered (V8 block coverage, see `coverage.ts`) — libFuzzer's loop in plain JS.
 * - `random`: fast-check alone (`fc.check` from a seed), which shrinks what it finds.
 *
 * Before each input it publishes the input and a run counter in shared memory, so the main thread
 * can name the input when this thread hangs or runs out of memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { readCorpus } from './corpus';
import { BlockCoverage } from './coverage';
import { applyEdits, type Edit } from './mutate';
import { SeededRandom } from './seeded-random';
import { TARGETS, type FuzzTarget } from './targets';

interface Job {
  readonly target: string;
  readonly timeMs: number;
  readonly seed: number;
  readonly corpusDir: string;
  readonly shared: SharedArrayBuffer;
  readonly mode: 'guided' | 'random';
  /** Keep at most this many coverage-increasing inputs (sent back to be saved); 0: none. */
  readonly keepInteresting: number;
}

const job = workerData as Job;
const port = parentPort!;
const target = TARGETS.find((t) => t.name === job.target);
if (!target) throw new Error(`no fuzz target ${job.target}`);
const header = new Int32Array(job.shared, 0, 2); // [inputs started, current input length]
const current = new Uint8Array(job.shared, 8);

function mark(input: Uint8Array): void {
  const n = Math.min(input.length, current.length);
  current.set(input.subarray(0, n));
  Atomics.store(header, 1, n);
  Atomics.add(header, 0, 1);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const corpus = readCorpus(target.name, job.corpusDir);
for (const { file, bytes } of corpus) {
  mark(bytes);
  try {
    target.run(bytes);
  } catch (e) {
    port.postMessage({ kind: 'finding', source: 'corpus', file, message: message(e) });
  }
}

const started = Date.now();
if (job.mode === 'random') runRandom(target);
else runGuided(target);

function runRandom(t: FuzzTarget): void {
  const result = fc.check(
    fc.property(t.arbitrary(), (input) => {
      mark(input);
      t.run(input);
    }),
    { numRuns: 2 ** 31 - 1, seed: job.seed, interruptAfterTimeLimit: job.timeMs, markInterruptAsFailure: false },
  );
  if (result.failed) {
    const input = result.counterexample?.[0] as Uint8Array | undefined;
    port.postMessage({ kind: 'finding', source: 'generated', input: input && Array.from(input), message: message(result.errorInstance), seed: result.seed, path: result.counterexamplePath });
  }
  port.postMessage({ kind: 'done', replayed: corpus.length, runs: result.numRuns, ms: Date.now() - started, seed: job.seed });
}

function runGuided(t: FuzzTarget): void {
  const cov = new BlockCoverage(import.meta.url);
  const rng = new SeededRandom(job.seed);
  const arb = t.arbitrary();
  const pool: Uint8Array[] = [];
  const interesting: Uint8Array[] = [];
  const reported = new Set<string>();
  let fresh: Uint8Array[] = [];
  let runs = 0;

  const execute = (input: Uint8Array): void => {
    mark(input);
    runs++;
    try {
      t.run(input);
    } catch (e) {
      const msg = message(e);
      // One report per distinct message (numbers stripped), not one per input.
      const key = msg.replace(/\d+/g, 'N');
      if (!reported.has(key)) {
        reported.add(key);
        port.postMessage({ kind: 'finding', source: 'generated', input: Array.from(input), message: msg, seed: job.seed });
      }
    }
  };
  const keep = (input: Uint8Array, fromPool: boolean): void => {
    if (cov.newBlocks() === 0) return;
    pool.push(input);
    if (fromPool && interesting.length < job.keepInteresting) interesting.push(input);
  };
  const tryInput = (input: Uint8Array, fromPool: boolean): void => {
    execute(input);
    keep(input, fromPool);
  };
  // Taking coverage costs more than a fast target's input: run a batch, and only when the batch
  // reached something new replay its inputs one by one to see which did (new coverage is rare).
  const tryBatch = (batch: { input: Uint8Array; fromPool: boolean }[]): void => {
    for (const b of batch) execute(b.input);
    if (cov.newBlocks(false) === 0) return;
    for (const b of batch) tryInput(b.input, b.fromPool);
  };
  const generated = (): Uint8Array => {
    if (fresh.length === 0) fresh = fc.sample(arb, { numRuns: 64, seed: rng.u32() });
    return fresh.pop()!;
  };
  const edits = (): Edit[] =>
    Array.from({ length: 1 + rng.below(4) }, () => ({ op: rng.below(11), pos: rng.u32(), len: rng.below(64), val: rng.below(0x10000), bytes: rng.random(rng.below(24)) }));

  for (const { bytes } of corpus) tryInput(bytes, false);
  for (let i = 0; i < 128; i++) tryInput(generated(), false);
  const deadline = started + job.timeMs;
  while (Date.now() < deadline) {
    const batch: { input: Uint8Array; fromPool: boolean }[] = [];
    for (let i = 0; i < 16; i++) {
      if (pool.length === 0 || rng.below(4) === 0) batch.push({ input: generated(), fromPool: false });
      else batch.push({ input: applyEdits(pool[rng.below(pool.length)]!, edits(), pool[rng.below(pool.length)]!), fromPool: true });
    }
    tryBatch(batch);
  }
  port.postMessage({ kind: 'interesting', inputs: interesting.map((x) => Array.from(x)) });
  port.postMessage({ kind: 'done', replayed: corpus.length, runs, ms: Date.now() - started, seed: job.seed, blocks: cov.blocks, pool: pool.length });
}
