/**
 * Hashes, HMAC and HKDF of the node provider (`node:crypto`, OpenSSL): FIPS 180-4, RFC 2104,
 * RFC 5869.
 *
 * Hot path (a TLS 1.3 handshake makes ~25 HMACs, nearly all on short inputs): where the runtime
 * has the one-shot `crypto.hash` (Node ≥ 20.12), HMAC is computed from its RFC 2104 definition
 * with two one-shot hashes over a reused scratch buffer — no `Hmac` object, no key import, no
 * allocation besides the two digests. That is ~1.5× faster than `createHmac(...).update().digest()`
 * on Node 20. Long keys (> one block) and long messages take `createHmac`.
 */
import type { Hash } from 'node:crypto';
import { HASH_LENGTH, type HashAlgorithm, type HashContext } from '../provider';
import { checkExpandLength } from '../noble/hash';
import { u8, type NodeCrypto } from './crypto';

/** @throws RangeError for an unknown algorithm (before OpenSSL sees the name). */
export function checkHashAlgorithm(algorithm: HashAlgorithm): void {
  if ((HASH_LENGTH[algorithm] as number | undefined) === undefined) {
    throw new RangeError(`hash(algorithm): unknown hash algorithm ${JSON.stringify(algorithm)}`);
  }
}

/** FIPS 180-4 block sizes (RFC 2104 "B"). */
const BLOCK_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 64, sha384: 128 };
/** Messages up to this many bytes take the two-hash HMAC path (longer ones: `createHmac`). */
const SHORT_MESSAGE_MAX = 512;
/** RFC 2104 §2: ipad = 0x36 repeated B times, opad = 0x5C repeated B times. */
const IPAD = 0x36;
const OPAD = 0x5c;

/** `crypto.hash(algorithm, data, 'buffer')` (Node ≥ 20.12, Deno, Bun). */
type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Uint8Array;

class NodeHashContext implements HashContext {
  constructor(
    readonly algorithm: HashAlgorithm,
    private readonly state: Hash,
  ) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return u8(this.state.digest());
  }
  clone(): HashContext {
    return new NodeHashContext(this.algorithm, this.state.copy());
  }
}

export class NodeHashes {
  private readonly oneShot: OneShotHash | undefined;
  /** HMAC scratch: (K ⊕ ipad) ‖ message, then (K ⊕ opad) ‖ inner digest. Wiped after each use. */
  private readonly inner = new Uint8Array(128 + SHORT_MESSAGE_MAX);
  private readonly outer = new Uint8Array(128 + 48);

  constructor(private readonly c: NodeCrypto) {
    const h = (c as { hash?: unknown }).hash;
    this.oneShot = typeof h === 'function' ? (h as OneShotHash) : undefined;
  }

  createHash(algorithm: HashAlgorithm): HashContext {
    checkHashAlgorithm(algorithm);
    return new NodeHashContext(algorithm, this.c.createHash(algorithm));
  }

  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    checkHashAlgorithm(algorithm);
    if (this.oneShot !== undefined) return u8(this.oneShot(algorithm, data, 'buffer'));
    return u8(this.c.createHash(algorithm).update(data).digest());
  }

  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    checkHashAlgorithm(algorithm);
    return this.mac(algorithm, key, data, undefined, 0);
  }

  /**
   * HMAC-Hash(key, [prefix ‖] data [‖ suffix]) — `prefix` (HKDF's T(i-1)) and `suffix` (its block counter, 0 for none) save a
   * concatenation. RFC 2104 §2: H(K ⊕ opad, H(K ⊕ ipad, text)), K zero-padded to B bytes.
   */
  private mac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array, prefix: Uint8Array | undefined, suffix: number): Uint8Array {
    const oneShot = this.oneShot;
    const b = BLOCK_LENGTH[algorithm];
    const pre = prefix === undefined ? 0 : prefix.length;
    const textLength = pre + data.length + (suffix > 0 ? 1 : 0);
    if (oneShot === undefined || key.length > b || textLength > SHORT_MESSAGE_MAX) {
      const h = this.c.createHmac(algorithm, key);
      if (prefix !== undefined) h.update(prefix);
      h.update(data);
      if (suffix > 0) h.update(Uint8Array.of(suffix));
      return u8(h.digest());
    }
    const inner = this.inner;
    const outer = this.outer;
    const k = key.length;
    for (let i = 0; i < k; i++) {
      const x = key[i]!;
      inner[i] = x ^ IPAD;
      outer[i] = x ^ OPAD;
    }
    inner.fill(IPAD, k, b);
    outer.fill(OPAD, k, b);
    if (prefix !== undefined) inner.set(prefix, b);
    inner.set(data, b + pre);
    if (suffix > 0) inner[b + pre + data.length] = suffix;
    const ih = oneShot(algorithm, inner.subarray(0, b + textLength), 'buffer');
    outer.set(ih, b);
    const hl = ih.length;
    ih.fill(0);
    const out = u8(oneShot(algorithm, outer.subarray(0, b + hl), 'buffer'));
    inner.fill(0, 0, b + textLength);
    outer.fill(0, 0, b + hl);
    return out;
  }

  /** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt acts as HashLen zeros (HMAC zero-pads keys). */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return this.hmac(algorithm, salt, ikm);
  }

  /**
   * RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i). Written out because `hkdfSync` only
   * does extract-then-expand, and TLS 1.3 expands PRKs it extracted itself. The usual TLS case
   * (one block: keys, ivs, secrets) returns T(1) itself, or a view of its first `length` bytes.
   * @throws RangeError when `length` is not an integer in [0, 255 * HashLen].
   */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkHashAlgorithm(algorithm);
    checkExpandLength(algorithm, length);
    const hashLen = HASH_LENGTH[algorithm];
    if (length === 0) return new Uint8Array(0);
    const first = this.mac(algorithm, prk, info, undefined, 1);
    if (length === hashLen) return first;
    if (length < hashLen) {
      // A copy, not a view: the caller owns exactly `length` bytes (the rest is wiped).
      const out = first.slice(0, length);
      first.fill(0);
      return out;
    }
    const out = new Uint8Array(length);
    out.set(first, 0);
    let t = first;
    for (let i = 1; i * hashLen < length; i++) {
      const next = this.mac(algorithm, prk, info, t, i + 1);
      t.fill(0);
      t = next;
      out.set(t.subarray(0, Math.min(hashLen, length - i * hashLen)), i * hashLen);
    }
    t.fill(0);
    return out;
  }
}
