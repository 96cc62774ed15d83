/**
 * Randomness sources (`systemRandom`, `scriptedRandom`, `seededRandom`) and how providers draw
 * from them.
 */
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '../src/errors';
import { scriptedRandom, seededRandom, systemRandom } from '../src/random';
import { PROVIDERS, toHex } from './vectors';

function expectExhausted(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isCryptoError(e) && e.reason).toBe('RandomSourceExhausted');
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected CryptoError(RandomSourceExhausted), nothing was thrown');
}

describe('systemRandom', () => {
  it('returns fresh bytes of the asked length, also above the 65,536-byte getRandomValues limit', () => {
    const r = systemRandom();
    expect(r.random(0).length).toBe(0);
    const a = r.random(32), b = r.random(32);
    expect(toHex(a)).not.toBe(toHex(b));
    const big = r.random(65536 * 2 + 5);
    expect(big.length).toBe(65536 * 2 + 5);
    // the tail chunk was filled too (all-zero 1,000 bytes from a CSPRNG: probability 2^-8000)
    expect(big.subarray(big.length - 1000).some((x) => x !== 0)).toBe(true);
  });
  it('rejects bad lengths with RangeError', () => {
    for (const n of [-1, 1.5, Number.NaN, Infinity]) expect(() => systemRandom().random(n), String(n)).toThrow(RangeError);
  });
});

describe('scriptedRandom', () => {
  it('answers entries in order, as copies, and counts what remains', () => {
    const one = Uint8Array.of(1, 2, 3);
    const r = scriptedRandom([one, { bytes: Uint8Array.of(4, 5), purpose: 'x25519' }]);
    expect(r.remaining).toBe(2);
    const got = r.random(3, 'server_random');
    expect([...got]).toEqual([1, 2, 3]);
    got[0] = 99;
    expect(one[0]).toBe(1);
    expect([...r.random(2, 'x25519')]).toEqual([4, 5]);
    expect(r.remaining).toBe(0);
  });
  it('a length mismatch names both sides', () => {
    const r = scriptedRandom([{ bytes: new Uint8Array(32), purpose: 'server_random' }]);
    expectExhausted(() => r.random(16, 'server_random'), /entry 0: scripted 32 bytes for server_random, asked for 16 bytes for server_random/);
  });
  it('a purpose mismatch names both purposes', () => {
    const r = scriptedRandom([{ bytes: new Uint8Array(32), purpose: 'x25519' }]);
    expectExhausted(() => r.random(32, 'secp256r1'), /scripted 32 bytes for x25519, asked for 32 bytes for secp256r1/);
    // an entry without a purpose matches any purpose; a call without a purpose matches any entry
    expect(scriptedRandom([new Uint8Array(2)]).random(2, 'anything').length).toBe(2);
    expect(scriptedRandom([{ bytes: new Uint8Array(2), purpose: 'x' }]).random(2).length).toBe(2);
  });
  it('exhaustion throws by default, or falls back to a given source', () => {
    const r = scriptedRandom([]);
    expectExhausted(() => r.random(8, 'session_id'), /used up: asked for 8 bytes \(session_id\)/);
    const fallback = scriptedRandom([Uint8Array.of(7)], { whenExhausted: seededRandom(1) });
    expect([...fallback.random(1)]).toEqual([7]);
    expect(toHex(fallback.random(16))).toBe(toHex(seededRandom(1).random(16)));
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = seededRandom(42), b = seededRandom(42), c = seededRandom(43);
    const x = a.random(64);
    expect(toHex(b.random(64))).toBe(toHex(x));
    expect(toHex(c.random(64))).not.toBe(toHex(x));
    // successive calls continue the stream rather than repeating it
    expect(toHex(a.random(64))).not.toBe(toHex(x));
    // odd lengths are filled completely
    expect(seededRandom(5).random(7).length).toBe(7);
    expect(toHex(seededRandom(0).random(4))).not.toBe('00000000');
  });
});

describe.each(PROVIDERS)('provider randomness ($name)', ({ create }) => {
  it('every draw goes through the given source, purpose included', () => {
    const calls: [number, string | undefined][] = [];
    const seeded = seededRandom(9);
    const p = create({
      random(n, purpose) {
        calls.push([n, purpose]);
        return seeded.random(n);
      },
    });
    expect(p.random(32, 'server_random').length).toBe(32);
    p.generateKeyPair('x25519');
    p.generateKeyPair('secp256r1');
    p.generateKeyPair('secp384r1');
    expect(calls).toEqual([
      [32, 'server_random'],
      [32, 'x25519'],
      [32, 'secp256r1'],
      [48, 'secp384r1'],
    ]);
  });
  it('the same seed gives the same key pairs', () => {
    for (const g of ['x25519', 'secp256r1', 'secp384r1'] as const) {
      expect(toHex(create(seededRandom(3)).generateKeyPair(g).publicKey), g).toBe(toHex(create(seededRandom(3)).generateKeyPair(g).publicKey));
    }
  });
  it('a drifted replay fails loudly', () => {
    const p = create(scriptedRandom([{ bytes: new Uint8Array(32).fill(1), purpose: 'x25519' }]));
    expectExhausted(() => p.generateKeyPair('secp384r1'), /scripted 32 bytes for x25519, asked for 48 bytes for secp384r1/);
  });
});
