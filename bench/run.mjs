#!/usr/bin/env node
// `pnpm bench [suite ...] [--quick] [--out DIR]` — runs benchmark suites and writes the report.
//
// Each suite is `bench/<suite>/index.ts` (plus any `bench/<suite>/*.main.ts`, e.g. server
// processes the suite spawns). They are bundled with esbuild — workspace packages from their
// TypeScript sources (the `development` condition), so no `pnpm build` is needed — into
// bench/.out/run-<pid>/<suite>/ and run, one suite at a time, in a fresh `node --expose-gc` process. A suite
// prints a progress line per case and hands its rows to this runner through the JSON-lines file
// named by PURETLS_BENCH_ROWS (bench/lib/rows.ts). A suite that fails to build, exits non-zero,
// times out or calls `skip(reason)` is reported as FAILED or SKIPPED with the reason; the other
// suites still run and the report is still written.
//
// Output: bench/results/<date>-<commit>[-quick][-<suites>].{json,md,svg} (see bench/README.md).
// Exit status: 0 when every suite ran or was skipped, 1 when one failed, 2 on a usage error.
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
// Bundles live inside bench/ (so externals such as lru-cache resolve from bench/node_modules), one
// folder per runner process so that two runs (e.g. the smoke test and a manual run) never collide.
const outDir = join(here, '.out', `run-${process.pid}`);

/** Suites in the order a full run takes them (cheap and in-memory first, loopback last). */
const ORDER = ['crypto', 'session-cache', 'handshake', 'clienthello', 'record-layer', 'memory', 'e2e', 'session-store-redis'];
const ALIASES = { record: 'record-layer', redis: 'session-store-redis', 'end-to-end': 'e2e' };
/** A suite that runs longer than this is killed and reported as failed. */
const SUITE_TIMEOUT_MS = { quick: 6 * 60_000, full: 45 * 60_000 };

const usage = `usage: node bench/run.mjs [suite ...] [--quick] [--out DIR] [--suites-dir DIR] [suite flags]
  suite         one or more of the folders of bench/ with an index.ts (default: all)
  --quick       a short smoke run: few, short rounds (proves the suites run; numbers are rough)
  --out         where to write the report (default bench/results)
  --suites-dir  where the suite folders are (default bench/; the smoke test uses fixtures)
  other --flags are passed to every suite (e.g. --profile for e2e)`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
let resultsDir = join(here, 'results');
let suitesDir = here;
const suiteFlags = [];
const named = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out' || a === '--suites-dir') {
    const v = args[++i];
    if (!v) {
      console.error(`${a} needs a directory\n${usage}`);
      process.exit(2);
    }
    if (a === '--out') resultsDir = resolve(v);
    else suitesDir = resolve(v);
  } else if (a.startsWith('--')) suiteFlags.push(a);
  else named.push(ALIASES[a] ?? a);
}
const quick = suiteFlags.includes('--quick');

const known = readdirSync(suitesDir)
  .filter((d) => !d.startsWith('.') && statSync(join(suitesDir, d)).isDirectory() && existsSync(join(suitesDir, d, 'index.ts')))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
function rank(s) {
  const i = ORDER.indexOf(s);
  return i === -1 ? ORDER.length : i;
}
for (const s of named) {
  if (!known.includes(s)) {
    console.error(`unknown suite ${JSON.stringify(s)}; known: ${known.join(', ')}\n${usage}`);
    process.exit(2);
  }
}
const suites = named.length ? named : known;

const startedAt = new Date();
const commit = gitCommit();
const base = `${startedAt.toISOString().slice(0, 10)}-${commit}${quick ? '-quick' : ''}${named.length ? `-${named.join('+')}` : ''}`;
console.log(`puretls bench: ${suites.join(', ')}${quick ? ' (quick)' : ''} → ${relative(process.cwd(), join(resultsDir, base))}.{json,md,svg}`);

mkdirSync(outDir, { recursive: true });
const results = [];
for (const suite of suites) results.push(await runSuite(suite));

const report = await loadReportModule();
const meta = {
  startedAt: startedAt.toISOString(),
  commit,
  quick,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  loadAverage: loadavg()[0] ?? 0,
  argv: args,
};
const full = report.buildReport(meta, results);
const paths = report.writeReport(full, resultsDir, base);

console.log('\n=== summary ===');
for (const r of results) console.log(`  ${r.name.padEnd(22)} ${r.status.padEnd(8)} ${String(r.rows.length).padStart(4)} rows ${r.seconds.toFixed(0).padStart(5)} s${r.reason ? `  ${r.reason}` : ''}`);
console.log('\n=== targets ===');
for (const t of full.targets) console.log(`  ${t.sentence}`);
console.log(`\nreport: ${relative(process.cwd(), paths.md)}\n        ${relative(process.cwd(), paths.json)}\n        ${relative(process.cwd(), paths.svg)}`);
rmSync(outDir, { recursive: true, force: true });
process.exit(results.some((r) => r.status === 'failed') ? 1 : 0);

// ---------------------------------------------------------------------------------------------

function gitCommit() {
  try {
    const id = execFileSync('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${id}-dirty` : id;
  } catch {
    return 'nogit';
  }
}

async function bundle(entryPoints, outdir) {
  await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    conditions: ['development'],
    // Resolved at run time from bench/node_modules (the .out folder sits inside bench/).
    external: ['lru-cache', 'ioredis', 'redis', 'esbuild'],
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}

async function loadReportModule() {
  const dir = join(outDir, 'lib');
  await bundle([join(here, 'lib', 'report.ts')], dir);
  return import(pathToFileURL(join(dir, 'report.js')).href);
}

/** Builds and runs one suite; never throws. */
async function runSuite(suite) {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  console.log(`\n=== bench ${suite}${quick ? ' (quick)' : ''} ===`);
  const dir = join(outDir, suite);
  try {
    const src = join(suitesDir, suite);
    const extra = readdirSync(src).filter((f) => f.endsWith('.main.ts')).map((f) => join(src, f));
    rmSync(dir, { recursive: true, force: true });
    await bundle([join(src, 'index.ts'), ...extra], dir);
  } catch (e) {
    const msg = (e?.errors?.map((x) => x.text).join('; ') || e?.message || String(e)).slice(0, 400);
    console.log(`  FAILED to build: ${msg}`);
    return { name: suite, status: 'failed', reason: `build failed: ${msg}`, seconds: seconds(), rows: [] };
  }
  const rowsFile = join(dir, 'rows.jsonl');
  const { code, signal, tail, timedOut } = await spawnSuite(join(dir, 'index.js'), rowsFile, suite);
  const rows = [];
  let skipped;
  if (existsSync(rowsFile)) {
    for (const line of readFileSync(rowsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const rec = JSON.parse(line);
      if ('skipped' in rec) skipped = rec.skipped;
      else rows.push(rec);
    }
  }
  // The reason: the last error message line (`Error: …`), else the last lines of output.
  const lines = tail.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = lines.findLast((l) => /^([\w.]*Error|[A-Z_]+)(\s*\[[\w-]+\])?: /.test(l));
  const lastLines = (errorLine ?? lines.slice(-3).join(' / ')).slice(0, 400);
  if (timedOut) return { name: suite, status: 'failed', reason: `timed out after ${seconds().toFixed(0)} s; last output: ${lastLines}`, seconds: seconds(), rows };
  if (code !== 0) return { name: suite, status: 'failed', reason: `exit ${code ?? signal}: ${lastLines}`, seconds: seconds(), rows };
  if (skipped !== undefined) return { name: suite, status: 'skipped', reason: skipped, seconds: seconds(), rows };
  if (rows.length === 0) return { name: suite, status: 'ok', reason: 'ran, but emitted no rows (see its console output)', seconds: seconds(), rows };
  return { name: suite, status: 'ok', seconds: seconds(), rows };
}

/** Runs a bundled suite, forwarding its output; keeps the last 4 KiB for the failure reason. */
function spawnSuite(file, rowsFile, suite) {
  return new Promise((resolve) => {
    rmSync(rowsFile, { force: true });
    const child = spawn(process.execPath, ['--expose-gc', file, ...suiteFlags], {
      cwd: root,
      env: { ...process.env, PURETLS_BENCH_SUITE: suite, PURETLS_BENCH_ROWS: rowsFile, PURETLS_BENCH_RESULTS: resultsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4096);
    };
    child.stdout.on('data', (c) => {
      process.stdout.write(c);
      keep(c);
    });
    child.stderr.on('data', (c) => {
      process.stderr.write(c);
      keep(c);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, quick ? SUITE_TIMEOUT_MS.quick : SUITE_TIMEOUT_MS.full);
    child.on('error', (e) => keep(`spawn error: ${e.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, tail, timedOut });
    });
  });
}
