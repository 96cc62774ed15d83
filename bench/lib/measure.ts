/**
 * Shared benchmark helpers: CPU time of a callback, interleaved rounds (A B A B … so machine
 * drift hits both sides alike), median and spread, and a plain-text table.
 */

/** CPU time (user + system) in milliseconds spent inside `fn`. */
export function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

export { median, spread } from './rows';

/**
 * Runs `rounds` rounds of every case in turn (A B C A B C …) after one warm-up round, and returns
 * each case's per-round results (whatever unit the case returns, e.g. ms per operation).
 */
export function interleave<K extends string>(cases: Record<K, () => number>, rounds: number): Record<K, number[]> {
  const keys = Object.keys(cases) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const k of keys) cases[k]();
  for (let r = 0; r < rounds; r++) for (const k of keys) out[k].push(cases[k]());
  return out;
}

/** Prints rows as an aligned table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export const quick = process.argv.includes('--quick');
