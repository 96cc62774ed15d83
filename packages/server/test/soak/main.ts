/**
 * `pnpm soak` (through run.mjs): the full soak, 20,000 connections by default.
 *   node packages/server/test/soak/run.mjs [--connections N] [--crypto noble|node] [--seed S] [--minutes M]
 * Prints progress and the report; exits 1 when a check fails (see soakProblems), 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { formatReport, runSoak, soakProblems } from './soak-driver';

/** "Within a few MB": the heap after the run (after GC) may exceed the start by this much. */
const HEAP_SLACK_BYTES = 4 * 2 ** 20;

async function main(): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      options: { connections: { type: 'string' }, crypto: { type: 'string' }, seed: { type: 'string' }, minutes: { type: 'string' }, 'cache-size': { type: 'string' } },
    }));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const int = (name: string, s: string | undefined, dflt: number): number => {
    const n = s === undefined ? dflt : Number(s);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name}: a positive integer`);
    return n;
  };
  const crypto = v.crypto ?? 'noble';
  if (crypto !== 'noble' && crypto !== 'node') {
    console.error('--crypto: noble or node');
    return 2;
  }
  let connections: number, seed: number, minutes: number, cacheSize: number;
  try {
    connections = int('connections', v.connections, 20_000);
    seed = int('seed', v.seed, 1);
    minutes = int('minutes', v.minutes, 30);
    cacheSize = int('cache-size', v['cache-size'], 256);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  console.log(`soak: ${connections} connections, 2 clients, crypto ${crypto}, seed ${seed}, at most ${minutes} min, session cache ${cacheSize}`);
  const report = await runSoak({ connections, crypto, seed, maxDurationMs: minutes * 60_000, sessionCacheSize: cacheSize, checkpoints: 5, log: (l) => console.log(l) });
  console.log(formatReport(report));
  const problems = soakProblems(report, HEAP_SLACK_BYTES);
  if (!report.completedAll) problems.push(`only ${report.connections} of ${connections} connections ran within ${minutes} min`);
  for (const p of problems) console.log(`FAIL: ${p}`);
  console.log(problems.length === 0 ? 'soak: OK' : 'soak: FAILED');
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
