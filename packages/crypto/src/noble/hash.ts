/**
 * Hashes, HMAC and HKDF of the noble provider (`@noble/hashes`): FIPS 180-4, RFC 2104, RFC 5869.
 * HMAC and HKDF run on the allocation-free engine in ./hmac.ts.
 */
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { hmacEngine, hmacOnce } from './hmac';
import { HASH_LENGTH, type HashAlgorithm, type HashContext } from '../provider';

const HASHES = { sha256, sha384 } as const;

/** The noble hash function for `algorithm`. @throws RangeError for an unknown algorithm. */
export function nobleHashFn(algorithm: HashAlgorithm): (typeof HASHES)[HashAlgorithm] {
  const h = HASHES[algorithm] as (typeof HASHES)[HashAlgorithm] | undefined;
  if (h === undefined) throw new RangeError(`hash(algorithm): unknown hash algorithm ${JSON.stringify(algorithm)}`);
  return h;
}

/** The part of a noble hash instance that `HashContext` needs. */
interface NobleHashState {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleHashState;
}

class NobleHashContext implements HashContext {
  constructor(
    readonly algorithm: HashAlgorithm,
    private readonly state: NobleHashState,
  ) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.state.digest();
  }
  clone(): HashContext {
    return new NobleHashContext(this.algorithm, this.state.clone());
  }
}

export function nobleCreateHash(algorithm: HashAlgorithm): HashContext {
  return new NobleHashContext(algorithm, nobleHashFn(algorithm).create());
}

export function nobleHash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  return nobleHashFn(algorithm)(data);
}

export function nobleHmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacOnce(algorithm, key, data);
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt acts as HashLen zeros (HMAC zero-pads keys). */
export function nobleHkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmacOnce(algorithm, salt, ikm);
}

/** RFC 5869 §2.3. @throws RangeError when `length` is not an integer in [0, 255 * HashLen]. */
export function nobleHkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkExpandLength(algorithm, length);
  if (length === 0) return new Uint8Array(0);
  return hmacEngine(algorithm).expand(prk, info, length);
}

/** RFC 5869 §2.3: "L  length of output keying material in octets (<= 255*HashLen)". */
export function checkExpandLength(algorithm: HashAlgorithm, length: number): void {
  const max = 255 * HASH_LENGTH[algorithm];
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new RangeError(`hkdfExpand(length): must be an integer in [0, ${max}] for ${algorithm}, got ${length}`);
  }
}
