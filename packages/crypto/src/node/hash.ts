/**
 * Hashes, HMAC and HKDF of the node provider (`node:crypto`, OpenSSL): FIPS 180-4, RFC 2104,
 * RFC 5869.
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
  constructor(private readonly c: NodeCrypto) {}

  createHash(algorithm: HashAlgorithm): HashContext {
    checkHashAlgorithm(algorithm);
    return new NodeHashContext(algorithm, this.c.createHash(algorithm));
  }

  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    checkHashAlgorithm(algorithm);
    return u8(this.c.createHash(algorithm).update(data).digest());
  }

  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    checkHashAlgorithm(algorithm);
    return u8(this.c.createHmac(algorithm, key).update(data).digest());
  }

  /** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt acts as HashLen zeros (HMAC zero-pads keys). */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return this.hmac(algorithm, salt, ikm);
  }

  /**
   * RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i). Written out because `hkdfSync` only
   * does extract-then-expand, and TLS 1.3 expands PRKs it extracted itself.
   * @throws RangeError when `length` is not an integer in [0, 255 * HashLen].
   */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkHashAlgorithm(algorithm);
    checkExpandLength(algorithm, length);
    const hashLen = HASH_LENGTH[algorithm];
    const out = new Uint8Array(length);
    // T(i-1) ‖ info ‖ i in one buffer: one update() per block (each is a call into C++).
    const msg = new Uint8Array(hashLen + info.length + 1);
    msg.set(info, hashLen);
    let t: Uint8Array = new Uint8Array(0);
    for (let i = 0; i * hashLen < length; i++) {
      msg[msg.length - 1] = i + 1;
      t = this.c.createHmac(algorithm, prk).update(i === 0 ? msg.subarray(hashLen) : msg).digest();
      msg.set(t, 0);
      out.set(t.subarray(0, Math.min(hashLen, length - i * hashLen)), i * hashLen);
    }
    t.fill(0);
    msg.fill(0);
    return out;
  }
}
