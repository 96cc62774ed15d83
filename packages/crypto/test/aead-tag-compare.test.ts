/**
 * Secrets in memory (issue #10): the noble AES-GCM `open` checks the tag with `equalConstantTime`
 * (which reads every byte: packages/server/test/secrets.test.ts) before it decrypts anything. A
 * record with one tag bit flipped must reach that comparison — our computed tag against the one
 * received — get `false`, and be refused (`null`). Ticket and sealed-session MACs are such tags.
 * (ChaCha20-Poly1305 is @noble/ciphers' own `decrypt`, which compares its tag itself.)
 *
 * Observed by wrapping the package's `equalConstantTime` (vi.mock of its module): each comparison
 * and its answer are recorded, nothing else changes.
 */
import { describe, expect, it, vi } from 'vitest';
import { createNobleProvider } from '../src/index';
import type { AeadAlgorithm } from '../src/provider';

const comparisons = vi.hoisted((): { a: Uint8Array; b: Uint8Array; equal: boolean }[] => []);

vi.mock('../src/bytes', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/bytes')>();
  return {
    ...real,
    equalConstantTime: (a: Uint8Array, b: Uint8Array): boolean => {
      const equal = real.equalConstantTime(a, b);
      comparisons.push({ a: a.slice(), b: b.slice(), equal });
      return equal;
    },
  };
});

describe.each(['aes-128-gcm', 'aes-256-gcm'] as AeadAlgorithm[])('noble %s open', (alg) => {
  it('compares the tag with equalConstantTime and refuses a tag one bit off', () => {
    const p = createNobleProvider();
    const key = p.createAead(alg, new Uint8Array(alg === 'aes-128-gcm' ? 16 : 32).fill(7));
    const nonce = new Uint8Array(12).fill(1);
    const aad = Uint8Array.of(23, 3, 3);
    const sealed = key.seal(nonce, aad, Uint8Array.of(1, 2, 3, 4, 5));
    const good = comparisons.length;
    expect(key.open(nonce, aad, sealed)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    expect(comparisons.slice(good).map((c) => [c.a.length, c.b.length, c.equal])).toEqual([[16, 16, true]]);

    const bad = sealed.slice();
    bad[bad.length - 1]! ^= 0x40; // the tag's last byte
    const from = comparisons.length;
    expect(key.open(nonce, aad, bad)).toBeNull();
    const seen = comparisons.slice(from);
    expect(seen.map((c) => c.equal)).toEqual([false]);
    const { a, b } = seen[0]!;
    expect([a.length, b.length]).toEqual([16, 16]);
    expect(a.map((x, i) => x ^ b[i]!)).toEqual(Uint8Array.of(...new Array<number>(15).fill(0), 0x40));
  });
});
