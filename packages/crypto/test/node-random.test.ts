/**
 * The node provider's default randomness (`pooledNodeRandom`): OpenSSL's CSPRNG drawn through a
 * pool. Each byte is handed out once, the pool keeps no copy, invalid lengths fail like
 * `systemRandom`.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNodeProvider } from '../src/node/provider';
import { pooledNodeRandom } from '../src/node/random';
import { toHex } from './vectors';

describe('pooledNodeRandom', () => {
  it('returns fresh bytes of the asked length, across pool refills and for large draws', () => {
    const r = pooledNodeRandom(nodeCrypto);
    expect(r.random(0).length).toBe(0);
    const seen = new Set<string>();
    // 600 draws of 32 bytes: more than four pools of 4 KiB.
    for (let i = 0; i < 600; i++) {
      const b = r.random(32);
      expect(b.length).toBe(32);
      seen.add(toHex(b));
    }
    expect(seen.size).toBe(600);
    const big = r.random(100_000);
    expect(big.length).toBe(100_000);
    expect(big.subarray(big.length - 1000).some((x) => x !== 0)).toBe(true);
  });

  it('hands out copies and keeps nothing: the pool is wiped where bytes were taken', () => {
    let pool: Uint8Array | undefined;
    const spy = { ...nodeCrypto, randomFillSync: <T extends NodeJS.ArrayBufferView>(b: T): T => ((pool = b as unknown as Uint8Array), nodeCrypto.randomFillSync(b)) };
    const r = pooledNodeRandom(spy as typeof nodeCrypto);
    const a = r.random(48);
    expect(pool).toBeDefined();
    expect(pool!.subarray(0, 48).every((x) => x === 0)).toBe(true);
    expect(a.buffer).not.toBe(pool!.buffer);
    const before = toHex(a);
    r.random(48);
    expect(toHex(a)).toBe(before);
  });

  it('rejects invalid lengths with RangeError, as systemRandom does', () => {
    const r = pooledNodeRandom(nodeCrypto);
    expect(() => r.random(-1)).toThrow(RangeError);
    expect(() => r.random(1.5)).toThrow(RangeError);
  });

  it('is the node provider default; an explicit source still wins', () => {
    const p = createNodeProvider();
    expect(p.random(16).length).toBe(16);
    const mine = { random: (n: number) => new Uint8Array(n).fill(7) };
    expect([...createNodeProvider({ random: mine }).random(3)]).toEqual([7, 7, 7]);
  });
});
