/**
 * A deterministic `RandomSource` for fuzzing and the state matrix: the same seed gives the same
 * client and server randoms, ephemeral keys and tickets, so a handshake replays byte for byte and
 * a corpus input reproduces exactly. Never use it outside tests.
 */
import type { RandomSource } from '@puretls/crypto';

/** splitmix32: tiny, fast, good enough to drive tests (not cryptographic). */
export class SeededRandom implements RandomSource {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** The next 32-bit value. */
  u32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }
  random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
