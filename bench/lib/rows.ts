/**
 * The result rows every suite emits, and how a suite hands them to the runner.
 *
 * A suite runs in its own Node process (bench/run.mjs spawns it). Each call to {@link emit}
 * prints one progress line and, when the runner set `PURETLS_BENCH_ROWS`, appends the row as one
 * JSON line to that file; the runner reads the file when the suite exits. {@link skip} records
 * why a suite could not run (e.g. Redis unreachable) and ends the process cleanly.
 *
 * Scenario names follow one scheme (see bench/README.md):
 * `<area>_<operation>_<version>_<parameters…>_<measure>_<implementation>`, tokens separated by
 * `_`, words inside a token by `-`, e.g. `handshake_full_1.3_x25519_ecdsa-p256_server_noble`.
 */
import { appendFileSync } from 'node:fs';

/** Whether a smaller or a larger number is the better one. */
export type Better = 'lower' | 'higher';

/** The same measurement of the thing a row is compared with, taken in the same run. */
export interface PeerMeasurement {
  readonly scenario: string;
  readonly median: number;
  /** (max − min) / median of the peer's rounds. */
  readonly spread: number;
}

export interface BenchRow {
  /** The suite that produced the row (set by {@link emit} from the runner's environment). */
  readonly suite: string;
  /** The scenario name, in the naming scheme above. */
  readonly scenario: string;
  /** What is measured, in words: "server CPU per handshake", "throughput", … */
  readonly metric: string;
  /** Unit of `median`: "ms", "MB/s", "ns/op", "conn/s", "KiB", … */
  readonly unit: string;
  readonly better: Better;
  /** Median of the rounds. */
  readonly median: number;
  /** (max − min) / median of the rounds; 0 for a single round. */
  readonly spread: number;
  /** Number of measured rounds (warm-up excluded). */
  readonly rounds: number;
  /** The peer measured in the same run, rounds interleaved with this row's. */
  readonly peer?: PeerMeasurement;
  /** `median / peer.median` (always this row over its peer, whatever `better` says). */
  readonly ratio?: number;
  /** Anything else worth keeping (counts, secondary numbers); shown in the JSON only. */
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

/** A suite that did not produce numbers, and why. */
export interface SkipRecord {
  readonly skipped: string;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Relative spread of the rounds: (max − min) / median (0 when the median is 0). */
export function spread(xs: readonly number[]): number {
  const med = median(xs);
  return med === 0 || xs.length === 0 ? 0 : (Math.max(...xs) - Math.min(...xs)) / med;
}

/** Median, spread and count of one side's rounds. */
export function summarize(xs: readonly number[]): { median: number; spread: number; rounds: number } {
  return { median: median(xs), spread: spread(xs), rounds: xs.length };
}

export interface RowInput {
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly better: Better;
  /** This side's per-round results. */
  readonly samples: readonly number[];
  /** The peer's name and per-round results, measured interleaved with `samples`. */
  readonly peer?: { readonly scenario: string; readonly samples: readonly number[] };
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

/** Builds a row from per-round samples (median, spread, ratio to the peer). */
export function makeRow(suite: string, input: RowInput): BenchRow {
  const s = summarize(input.samples);
  const row: BenchRow = {
    suite,
    scenario: input.scenario,
    metric: input.metric,
    unit: input.unit,
    better: input.better,
    ...s,
  };
  if (!input.peer) return input.extra ? { ...row, extra: input.extra } : row;
  const p = summarize(input.peer.samples);
  // No ratio when it is not a number (a peer median of 0, e.g. CPU time below one clock tick).
  const ratio = s.median / p.median;
  return {
    ...row,
    peer: { scenario: input.peer.scenario, median: p.median, spread: p.spread },
    ...(Number.isFinite(ratio) ? { ratio } : {}),
    ...(input.extra ? { extra: input.extra } : {}),
  };
}

/** Formats a number with about 3–4 significant digits. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  if (a >= 1) return x.toFixed(3);
  if (a === 0) return '0';
  return x.toPrecision(3);
}

/** One progress line for a row: scenario, median ± spread, ratio to the peer. */
export function progressLine(row: BenchRow): string {
  const peer = row.peer && row.ratio !== undefined ? `   ${row.ratio.toFixed(3)}× ${row.peer.scenario} (${fmt(row.peer.median)})` : '';
  return `  ${row.scenario.padEnd(72)} ${fmt(row.median).padStart(10)} ${row.unit.padEnd(7)} ±${(row.spread * 100).toFixed(0).padStart(2)}%${peer}`;
}

const SUITE = process.env['PURETLS_BENCH_SUITE'] ?? 'adhoc';
const ROWS_FILE = process.env['PURETLS_BENCH_ROWS'];

/** Prints a progress line and hands the row to the runner. Returns the row. */
export function emit(input: RowInput): BenchRow {
  const row = makeRow(SUITE, input);
  console.log(progressLine(row));
  if (ROWS_FILE) appendFileSync(ROWS_FILE, JSON.stringify(row) + '\n');
  return row;
}

/** Records why the suite could not run, prints it, and exits the process with status 0. */
export function skip(reason: string): never {
  console.log(`  SKIPPED: ${reason}`);
  if (ROWS_FILE) appendFileSync(ROWS_FILE, JSON.stringify({ skipped: reason } satisfies SkipRecord) + '\n');
  process.exit(0);
}

export const quick = process.argv.includes('--quick');
