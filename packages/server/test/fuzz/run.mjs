#!/usr/bin/env node
/**
 * `pnpm fuzz`: runs every fuzz target (or the ones named) for a while each, with fresh random
 * seeds, after replaying its corpus. Coverage-guided by default (V8 block coverage through
 * `node:inspector`, see `coverage.ts`); `--random` runs fast-check alone, which shrinks what it
 * finds. Each target runs in a worker thread with a memory cap and a
 * watchdog: an exception that breaks the invariant, an input that runs longer than `--hang`
 * seconds, or one that exhausts the heap is a finding, kept under `corpus/<target>/` (unless
 * `--no-save`) so that the vitest run replays it from then on. Exit code 1 when anything was found.
 *
 *   pnpm fuzz [--time SECONDS] [--target NAME[,NAME…]] [--seed N] [--random] [--hang SECONDS]
 *             [--memory MB] [--no-save] [--keep-interesting N]
 *   FUZZ_TIME=SECONDS pnpm fuzz
 *
 * Defaults: 60 s per target (`FUZZ_TIME`), random seeds, 10 s hang limit, 1024 MB heap per target.
 * `--keep-interesting N` also keeps up to N mutated inputs per target that reached new code
 * (`cov-*.bin`), to grow the corpus the CI run replays.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = join(here, 'corpus');
const TARGETS = ['client-hello', 'record-layer', 'connection', 'tls13-state-machine', 'tls12-state-machine', 'decode-session'];
/** Largest input the watchdog can name after a hang (bigger ones are kept truncated). */
const MAX_TRACKED_INPUT = 1 << 20;

const { values } = parseArgs({
  options: {
    time: { type: 'string' },
    target: { type: 'string' },
    seed: { type: 'string' },
    hang: { type: 'string', default: '10' },
    memory: { type: 'string', default: '1024' },
    'no-save': { type: 'boolean', default: false },
    random: { type: 'boolean', default: false },
    'keep-interesting': { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('pnpm fuzz [--time SECONDS] [--target NAME[,NAME…]] [--seed N] [--random] [--hang SECONDS] [--memory MB] [--no-save] [--keep-interesting N]\ntargets: ' + TARGETS.join(', '));
  process.exit(0);
}
const seconds = Number(values.time ?? process.env.FUZZ_TIME ?? 60);
const hangSeconds = Number(values.hang);
const memoryMb = Number(values.memory);
const keepInteresting = Number(values['keep-interesting']);
if (!Number.isInteger(keepInteresting) || keepInteresting < 0) throw new RangeError('--keep-interesting must be a non-negative integer');
const mode = values.random ? 'random' : 'guided';
for (const [name, v] of [['--time', seconds], ['--hang', hangSeconds], ['--memory', memoryMb]]) {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
}
const chosen = values.target ? values.target.split(',').map((s) => s.trim()) : TARGETS;
for (const t of chosen) if (!TARGETS.includes(t)) throw new RangeError(`unknown target ${t}; targets: ${TARGETS.join(', ')}`);

// The targets import the workspace packages' TypeScript sources (the `development` condition):
// bundle them once into a plain ES module the workers can load.
const bundleDir = join(tmpdir(), `puretls-fuzz-${process.pid}`);
mkdirSync(bundleDir, { recursive: true });
const bundle = join(bundleDir, 'worker.mjs');
await build({
  entryPoints: [join(here, 'worker.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['development'],
  outfile: bundle,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

function save(target, prefix, bytes) {
  if (values['no-save']) return '(not saved: --no-save)';
  const dir = join(corpusDir, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${prefix}-${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, bytes);
  return file;
}

function runTarget(target, seed) {
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(8 + MAX_TRACKED_INPUT);
    const header = new Int32Array(shared, 0, 2);
    const current = () => new Uint8Array(shared, 8, Atomics.load(header, 1)).slice();
    const findings = [];
    let summary;
    const worker = new Worker(bundle, {
      workerData: { target, timeMs: seconds * 1000, seed, corpusDir, shared, mode, keepInteresting },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    let lastCount = -1;
    let lastChange = Date.now();
    const watchdog = setInterval(() => {
      const n = Atomics.load(header, 0);
      if (n !== lastCount) {
        lastCount = n;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > hangSeconds * 1000) {
        const input = current();
        findings.push({ kind: 'hang', message: `one input ran for more than ${hangSeconds} s`, file: save(target, 'hang', input) });
        clearInterval(watchdog);
        void worker.terminate();
      }
    }, 500);
    worker.on('message', (m) => {
      if (m.kind === 'finding') {
        const file = m.input ? save(target, 'crash', Uint8Array.from(m.input)) : m.file;
        findings.push({ kind: m.source === 'corpus' ? 'corpus input fails' : 'crash', message: m.message, file, seed: m.seed, path: m.path });
      } else if (m.kind === 'interesting') {
        for (const x of m.inputs) save(target, 'cov', Uint8Array.from(x));
      } else if (m.kind === 'done') summary = m;
    });
    worker.on('error', (e) => {
      const input = current();
      const oom = e?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      findings.push({ kind: oom ? 'out of memory' : 'worker error', message: String(e?.message ?? e), file: save(target, oom ? 'oom' : 'crash', input) });
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve({ target, seed, summary, findings });
    });
  });
}

const baseSeed = values.seed !== undefined ? Number(values.seed) : (Date.now() ^ (process.pid << 8)) >>> 0;
console.log(`fuzzing ${chosen.length} target(s), ${seconds} s each, ${mode}, seed ${baseSeed}`);
let found = 0;
for (const [i, target] of chosen.entries()) {
  const r = await runTarget(target, (baseSeed + i * 0x9e3779b1) >>> 0);
  const s = r.summary;
  const rate = s ? Math.round((s.runs / Math.max(1, s.ms)) * 1000) : 0;
  const cov = s?.blocks !== undefined ? `, ${s.blocks} library coverage features, pool ${s.pool}` : '';
  console.log(`${target.padEnd(20)} ${s ? `${s.runs} inputs (${rate}/s), ${s.replayed} corpus inputs replayed${cov}` : 'did not finish'}, seed ${r.seed}`);
  for (const f of r.findings) {
    found++;
    console.log(`  FINDING [${f.kind}] ${f.message}\n    kept: ${f.file}${f.seed !== undefined ? `\n    seed ${f.seed}, path ${f.path}` : ''}`);
  }
}
rmSync(bundleDir, { recursive: true, force: true });
console.log(found ? `${found} finding(s)` : 'no findings');
process.exit(found ? 1 : 0);
