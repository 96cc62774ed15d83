/**
 * AEADs of the noble provider: AES-GCM (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439).
 *
 * noble's one-shot `gcm(key, nonce, aad)` expands the AES key and rebuilds the GHASH tables on
 * every call, and always allocates its output. A TLS record key protects up to 2^24.5 records with
 * one key, so AES-GCM here keeps the expanded key and a GHASH table for the life of the `AeadKey`
 * and runs noble's AES-CTR and our own small-table GHASH (./ghash.ts: 256 bytes per key instead
 * of noble's tens of KiB, which every connection held per traffic key) per record, writing into
 * the caller's `output`. ChaCha20 has no key schedule, so `chacha20poly1305` is used per record as is (it takes
 * an `output` already).
 */
import { unsafe as aes } from '@noble/ciphers/aes.js';
import { GHASH_TABLE_BYTES, Ghash } from './ghash';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type AeadAlgorithm, type AeadKey } from '../provider';
import { equalConstantTime } from '../bytes';

/**
 * The checks both providers apply before touching a backend, so that API misuse reads the same.
 * @throws RangeError for a key of the wrong length or an unknown algorithm.
 */
export function checkAeadKey(algorithm: AeadAlgorithm, key: Uint8Array): void {
  const expected = AEAD_KEY_LENGTH[algorithm] as number | undefined;
  if (expected === undefined) throw new RangeError(`createAead(algorithm): unknown AEAD algorithm ${JSON.stringify(algorithm)}`);
  if (!(key instanceof Uint8Array)) throw new TypeError('createAead(key): expected a Uint8Array');
  if (key.length !== expected) throw new RangeError(`createAead(key): ${algorithm} needs a ${expected}-byte key, got ${key.length} bytes`);
}

/** @throws RangeError when `nonce` is not 12 bytes (TLS always uses 12, RFC 8446 §5.3). */
export function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError(`AeadKey(nonce): expected ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`);
}

/**
 * The `output` view a seal/open writes to: `output[0, length)` or a fresh array.
 * @throws RangeError when `output` is shorter than `length`.
 */
export function outputView(output: Uint8Array | undefined, length: number, what: 'seal' | 'open'): Uint8Array {
  if (output === undefined) return new Uint8Array(length);
  if (output.length < length) throw new RangeError(`AeadKey.${what}(output): needs ${length} bytes, got ${output.length}`);
  return output.length === length ? output : output.subarray(0, length);
}

export function cleanedKeyError(algorithm: AeadAlgorithm): TypeError {
  return new TypeError(`AeadKey(${algorithm}) used after clean()`);
}

/** A `createAead` for the noble provider. @throws RangeError for a bad key length. */
export function createNobleAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  checkAeadKey(algorithm, key);
  return algorithm === 'chacha20-poly1305' ? new ChaChaKey(key) : new GcmKey(algorithm, key);
}

const BLOCK = 16;

function isAligned32(a: Uint8Array): boolean {
  return a.byteOffset % 4 === 0;
}

/**
 * One AES-GCM key. Everything key-sized lives in one `ArrayBuffer` (the GHASH table, the expanded
 * AES key, the counter block and the tag mask): a TLS connection holds two of these for its whole
 * life, and every separate typed array costs an object, an `ArrayBuffer` and a backing store.
 */
class GcmKey implements AeadKey {
  /** The whole key state (wiped by `clean`). */
  private readonly buf: Uint8Array;
  private xk: Uint32Array | null;
  private ghash: Ghash | null;
  /** The counter block: J0, then inc32(J0) … */
  private readonly counter: Uint8Array;
  /** E_K(J0), then the tag GHASH ⊕ E_K(J0) computed over it. */
  private readonly tag: Uint8Array;

  constructor(
    readonly algorithm: AeadAlgorithm,
    key: Uint8Array,
  ) {
    const expanded = aes.expandKeyLE(key);
    const xkBytes = expanded.length * 4;
    const ab = new ArrayBuffer(GHASH_TABLE_BYTES + xkBytes + 2 * BLOCK);
    this.buf = new Uint8Array(ab);
    this.xk = new Uint32Array(ab, GHASH_TABLE_BYTES, expanded.length);
    this.xk.set(expanded);
    expanded.fill(0);
    this.counter = new Uint8Array(ab, GHASH_TABLE_BYTES + xkBytes, BLOCK);
    this.tag = new Uint8Array(ab, GHASH_TABLE_BYTES + xkBytes + BLOCK, BLOCK);
    // H = E_K(0^128) (SP 800-38D §7.1 step 1), computed in the tag's place (zero now)
    const h = this.tag;
    aes.ctr32(this.xk, false, this.counter, h, h);
    this.ghash = new Ghash(h, new Int32Array(ab, 0, GHASH_TABLE_BYTES / 4));
    h.fill(0);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array {
    checkNonce(nonce);
    const n = plaintext.length;
    const out = outputView(output, n + AEAD_TAG_LENGTH, 'seal');
    const xk = this.start(nonce);
    const ct = out.subarray(0, n);
    if (isAligned32(plaintext) && isAligned32(out)) {
      aes.ctr32(xk, false, this.counter, plaintext, ct);
    } else {
      ct.set(aes.ctr32(xk, false, this.counter, new Uint8Array(plaintext)));
    }
    this.computeTag(aad, ct);
    out.set(this.tag, n);
    return out;
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, output?: Uint8Array): Uint8Array | null {
    checkNonce(nonce);
    const n = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    if (n < 0) {
      if (this.xk === null) throw cleanedKeyError(this.algorithm);
      return null;
    }
    const out = outputView(output, n, 'open');
    const xk = this.start(nonce);
    const ct = ciphertextAndTag.subarray(0, n);
    // SP 800-38D §7.2: verify the tag first, so no unauthenticated plaintext is ever written.
    this.computeTag(aad, ct);
    if (!equalConstantTime(this.tag, ciphertextAndTag.subarray(n))) return null;
    if (isAligned32(ct) && isAligned32(out)) {
      aes.ctr32(xk, false, this.counter, ct, out);
    } else {
      out.set(aes.ctr32(xk, false, this.counter, new Uint8Array(ct)));
    }
    return out;
  }

  clean(): void {
    this.ghash?.reset();
    this.buf.fill(0);
    this.xk = null;
    this.ghash = null;
  }

  /** J0 = nonce ‖ 0^31 ‖ 1; tag = E_K(J0) (the mask); counter ← inc32(J0) (SP 800-38D §7.1 steps 2-3). */
  private start(nonce: Uint8Array): Uint32Array {
    const xk = this.xk;
    if (xk === null) throw cleanedKeyError(this.algorithm);
    const c = this.counter;
    c.set(nonce);
    c[12] = 0;
    c[13] = 0;
    c[14] = 0;
    c[15] = 1;
    this.tag.fill(0);
    aes.ctr32(xk, false, c, this.tag, this.tag);
    return xk;
  }

  /** tag = GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ [len(A)]64 ‖ [len(C)]64) ⊕ E_K(J0) (SP 800-38D §7.1 steps 5-6). */
  private computeTag(aad: Uint8Array, ciphertext: Uint8Array): void {
    const g = this.ghash!;
    g.reset();
    g.update(aad);
    g.update(ciphertext);
    g.updateLengths(aad.length, ciphertext.length);
    g.xorInto(this.tag);
  }
}

class ChaChaKey implements AeadKey {
  readonly algorithm = 'chacha20-poly1305';
  private key: Uint8Array | null;

  constructor(key: Uint8Array) {
    this.key = new Uint8Array(key); // the caller may wipe its copy
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array {
    checkNonce(nonce);
    const key = this.useKey();
    const out = outputView(output, plaintext.length + AEAD_TAG_LENGTH, 'seal');
    return chacha20poly1305(key, nonce, aad).encrypt(plaintext, out);
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, output?: Uint8Array): Uint8Array | null {
    checkNonce(nonce);
    const key = this.useKey();
    const n = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    if (n < 0) return null;
    const out = outputView(output, n, 'open');
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(ciphertextAndTag, out);
    } catch {
      // Every argument was checked above; what is left is noble's "invalid tag".
      return null;
    }
  }

  clean(): void {
    this.key?.fill(0);
    this.key = null;
  }

  private useKey(): Uint8Array {
    if (this.key === null) throw cleanedKeyError(this.algorithm);
    return this.key;
  }
}
