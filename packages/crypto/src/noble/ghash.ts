/**
 * GHASH (NIST SP 800-38D §6.4) with Shoup's 4-bit table: 16 multiples of H, 256 bytes per key.
 *
 * Why not noble's `GHASH`: it builds a table of 512 JS objects (window 4) or 4096 (window 8) per
 * key — tens of KiB of heap that every TLS connection kept for each traffic key, and a build cost
 * that showed in every resumed handshake (four AES-GCM keys per TLS 1.3 handshake) — and copies
 * its input on every `update`. This table takes 16 doublings and XORs to build and reads its input
 * in place. The 4-bit method is the classic one (OpenSSL's `gcm_gmult_4bit`); it is not constant
 * time with respect to the table index, like the table-driven AES it sits next to.
 *
 * Representation: a block is four big-endian 32-bit words, `w0` = bytes 0..3. GCM's bit order is
 * reflected: the MSB of byte 0 is the coefficient of x^0, so multiplying by x is a right shift
 * with the reduction polynomial x^128 = x^7 + x^2 + x + 1 folded in as 0xE1 at the top byte.
 */

/**
 * REM4[r] · x^128 reduced, for the 4 bits `r` a right shift by 4 pushes out (the top 16 bits of
 * the 128-bit value): bit 3 of `r` is x^128 → 0xE100, bit 0 is x^131 → 0x1C20, and XORs between.
 */
const REM4 = new Uint32Array([
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0,
].map((v) => v << 16));

/** Bytes of a key's table (16 multiples of H, 4 words each). */
export const GHASH_TABLE_BYTES = 256;

export class Ghash {
  /** T[n] = n · H for a 4-bit n whose bit 3 is x^0 (so T[8] = H, T[4] = H·x, T[1] = H·x^3); 4 words each. */
  private readonly t: Int32Array;
  private y0 = 0;
  private y1 = 0;
  private y2 = 0;
  private y3 = 0;

  /**
   * @param h the hash subkey H = E_K(0^128), 16 bytes (not kept).
   * @param table where to keep the table: 64 words (default: a new array); a caller may place it in
   *   a buffer it shares with other key state.
   */
  constructor(h: Uint8Array, table: Int32Array = new Int32Array(GHASH_TABLE_BYTES / 4)) {
    if (table.length !== GHASH_TABLE_BYTES / 4) throw new RangeError(`Ghash(table): expected ${GHASH_TABLE_BYTES / 4} words, got ${table.length}`);
    this.t = table;
    const t = table;
    let v0 = be32(h, 0), v1 = be32(h, 4), v2 = be32(h, 8), v3 = be32(h, 12);
    // T[8] = H, T[4] = H·x, T[2] = H·x^2, T[1] = H·x^3 (multiplying by x: shift right, reduce)
    for (let n = 8; n >= 1; n >>= 1) {
      t[4 * n] = v0;
      t[4 * n + 1] = v1;
      t[4 * n + 2] = v2;
      t[4 * n + 3] = v3;
      const carry = -(v3 & 1) & 0xe1000000;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = (v0 >>> 1) ^ carry;
    }
    // the rest by linearity: T[a ^ b] = T[a] ^ T[b]
    for (const hi of [2, 4, 8]) {
      for (let lo = 1; lo < hi; lo++) {
        for (let w = 0; w < 4; w++) t[4 * (hi + lo) + w] = t[4 * hi + w]! ^ t[4 * lo + w]!;
      }
    }
    v0 = v1 = v2 = v3 = 0;
  }

  /** Starts a new hash (the key's table stays). */
  reset(): void {
    this.y0 = this.y1 = this.y2 = this.y3 = 0;
  }

  /** Absorbs `data`, zero-padding its last partial block (GCM pads A and C separately). */
  update(data: Uint8Array): void {
    const len = data.length;
    const full = len & ~15;
    for (let i = 0; i < full; i += 16) {
      this.mul(this.y0 ^ be32(data, i), this.y1 ^ be32(data, i + 4), this.y2 ^ be32(data, i + 8), this.y3 ^ be32(data, i + 12));
    }
    if (full < len) {
      const b = new Uint8Array(16); // one per message at most
      b.set(data.subarray(full));
      this.mul(this.y0 ^ be32(b, 0), this.y1 ^ be32(b, 4), this.y2 ^ be32(b, 8), this.y3 ^ be32(b, 12));
    }
  }

  /** Absorbs the lengths block [8·aadLength]64 ‖ [8·ctLength]64 (byte lengths < 2^53 / 8). */
  updateLengths(aadLength: number, ctLength: number): void {
    this.mul(
      this.y0 ^ Math.floor(aadLength / 0x2000_0000),
      this.y1 ^ ((aadLength * 8) | 0),
      this.y2 ^ Math.floor(ctLength / 0x2000_0000),
      this.y3 ^ ((ctLength * 8) | 0),
    );
  }

  /** Writes the 16-byte hash to `out[0, 16)`. */
  digestInto(out: Uint8Array): void {
    putBe32(out, 0, this.y0);
    putBe32(out, 4, this.y1);
    putBe32(out, 8, this.y2);
    putBe32(out, 12, this.y3);
  }

  /** XORs the 16-byte hash into `out[0, 16)` (GCM's tag: the hash over the mask E_K(J0)). */
  xorInto(out: Uint8Array): void {
    putBe32(out, 0, this.y0 ^ be32(out, 0));
    putBe32(out, 4, this.y1 ^ be32(out, 4));
    putBe32(out, 8, this.y2 ^ be32(out, 8));
    putBe32(out, 12, this.y3 ^ be32(out, 12));
  }

  /** Best-effort wipe of the key-derived table and state. */
  destroy(): void {
    this.t.fill(0);
    this.reset();
  }

  /** y ← x · H (Horner over the 32 nibbles of x, from x^127's nibble down to x^0's). */
  private mul(x0: number, x1: number, x2: number, x3: number): void {
    const t = this.t;
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (let w = 3; w >= 0; w--) {
      const x = w === 3 ? x3 : w === 2 ? x2 : w === 1 ? x1 : x0;
      // the word's nibbles from the least significant (highest degree) up
      for (let s = 0; s < 32; s += 4) {
        const rem = z3 & 0xf;
        z3 = (z3 >>> 4) | (z2 << 28);
        z2 = (z2 >>> 4) | (z1 << 28);
        z1 = (z1 >>> 4) | (z0 << 28);
        z0 = (z0 >>> 4) ^ REM4[rem]!;
        const n = 4 * ((x >>> s) & 0xf);
        z0 ^= t[n]!;
        z1 ^= t[n + 1]!;
        z2 ^= t[n + 2]!;
        z3 ^= t[n + 3]!;
      }
    }
    this.y0 = z0;
    this.y1 = z1;
    this.y2 = z2;
    this.y3 = z3;
  }
}

function be32(b: Uint8Array, i: number): number {
  return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
}

function putBe32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}
