/**
 * The short soak (issue #10; the full one is `pnpm soak`): 500 connections over loopback from two
 * concurrent clients — full handshakes, resumptions, random disconnects, resets, half-sent
 * ClientHellos, garbage — then: no hang, heap back within a few MB (after GC), no leaked sockets or
 * timers, the cache within its bound, and accept = acceptGood + failures.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runSoak, soakProblems } from './soak-driver';

describe('soak (short)', () => {
  it('500 connections of every kind leave nothing behind', async () => {
    const report = await runSoak({ connections: 500, warmup: 150, sessionCacheSize: 64, maxDurationMs: 120_000 });
    console.log(formatReport(report));
    expect(report.completedAll).toBe(true);
    for (const [s, n] of Object.entries(report.byScenario)) expect(n, s).toBeGreaterThan(0);
    expect(report.resumed).toBeGreaterThan(0);
    expect(report.cacheMaxSeen).toBeGreaterThan(0);
    expect(soakProblems(report, 8 * 2 ** 20)).toEqual([]);
  }, 180_000);
});
