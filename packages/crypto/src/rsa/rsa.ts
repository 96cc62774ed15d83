/**
 * RSA with BigInt (RFC 8017 §5.2): the public operation RSAVP1 and the private operation RSASP1
 * in its CRT form (§5.1.2 2.b), blinded and checked.
 *
 * - **Blinding.** The private operation is run on `m · r^e mod n` and unblinded with `r^-1`, so
 *   the exponentiations never see the caller's value (Kocher timing attacks). `r` is derived
 *   deterministically from the private exponent and the input (HMAC-SHA-256), not drawn from the
 *   randomness source: a replay (RFC 8448) must draw exactly server random, key share and PSS
 *   salt, and a secret-keyed PRF of the input is as unpredictable to an attacker as a random `r`.
 * - **Fault check.** The result is re-verified with the public exponent before it is released
 *   (the Bellcore CRT fault attack recovers a factor from a single faulty signature).
 * - **Timing.** BigInt arithmetic is not constant time; the fixed-window exponentiation runs the
 *   same sequence of squarings and multiplications for every exponent of a given length, and the
 *   blinding decorrelates operand values from inputs. This is best effort, as everything in JS.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { asciiBytes, concatBytes } from '../bytes';
import { CryptoError } from '../errors';
import type { RsaPrivateKey, RsaPublicKey } from '../keys/types';
import { bigIntToBytes, bytesToBigInt } from '../asn1/der';

/** Modulus length in bytes (`k` in RFC 8017). */
export function modulusLength(key: RsaPublicKey | RsaPrivateKey): number {
  return Math.ceil(key.bits / 8);
}

/** `base^exp mod m` with a fixed 4-bit window. `exp >= 0`, `m > 1`. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  base %= m;
  if (base < 0n) base += m;
  if (exp === 0n) return 1n % m;
  const table: bigint[] = [1n, base];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * base) % m);
  const hex = exp.toString(16);
  let r = table[parseInt(hex[0]!, 16)]!;
  for (let i = 1; i < hex.length; i++) {
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * table[parseInt(hex[i]!, 16)]!) % m;
  }
  return r;
}

/** `a^-1 mod m`, or `null` when `gcd(a, m) != 1`. */
export function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/**
 * RSAVP1 (RFC 8017 §5.2.2) on a signature of exactly `k` bytes: the encoded message `s^e mod n`
 * as `k` bytes, or `null` when the length is wrong or `s >= n` ("signature representative out
 * of range").
 */
export function rsaPublicOp(key: RsaPublicKey, signature: Uint8Array): Uint8Array | null {
  const k = modulusLength(key);
  if (signature.length !== k) return null;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return null;
  return bigIntToBytes(modPow(s, key.e, key.n), k);
}

const BLINDING_LABEL = asciiBytes('puretls rsa blinding v1');

/**
 * RSASP1 (RFC 8017 §5.2.1) with CRT, blinding and a fault check: `em^d mod n` as `k` bytes.
 * @throws CryptoError('MessageTooLong') when `em` is not smaller than the modulus;
 *   `Error` (an internal fault, never to be sent) when the result fails the public-key check.
 */
export function rsaPrivateOp(key: RsaPrivateKey, em: Uint8Array): Uint8Array {
  const k = modulusLength(key);
  const m = bytesToBigInt(em);
  if (em.length > k || m >= key.n) throw new CryptoError('MessageTooLong', 'RSA: message representative out of range');
  const { n, e } = key;
  const [r, rInv] = blindingPair(key, em);
  const blinded = (m * modPow(r, e, n)) % n;
  // §5.1.2 2.b: m_1 = c^dP mod p, m_2 = c^dQ mod q, h = (m_1 - m_2) · qInv mod p, m = m_2 + q · h
  const m1 = modPow(blinded % key.p, key.dp, key.p);
  const m2 = modPow(blinded % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qInv) % key.p;
  if (h < 0n) h += key.p;
  const sBlinded = m2 + key.q * h;
  const s = (sBlinded * rInv) % n;
  if (modPow(s, e, n) !== m) throw new CryptoError('FaultDetected', 'RSA private operation failed its consistency check (fault or corrupted key)');
  return bigIntToBytes(s, k);
}

/**
 * The blinding factor `r` in [2, n-1] with gcd(r, n) = 1, and `r^-1 mod n`: HMAC-SHA-256 keyed by
 * `d`, over the label, a counter and the input, expanded to 64 bits more than the modulus so the
 * reduction mod n is unbiased to 2^-64.
 */
function blindingPair(key: RsaPrivateKey, em: Uint8Array): [bigint, bigint] {
  const k = modulusLength(key);
  const dBytes = bigIntToBytes(key.d, k);
  for (let attempt = 0; ; attempt++) {
    const blocks: Uint8Array[] = [];
    for (let i = 0, len = 0; len < k + 8; i++, len += 32) {
      blocks.push(hmac(sha256, dBytes, concatBytes(BLINDING_LABEL, Uint8Array.of(attempt & 0xff, i & 0xff), em)));
    }
    const r = bytesToBigInt(concatBytes(...blocks)) % key.n;
    if (r > 1n) {
      const inv = modInverse(r, key.n);
      if (inv !== null) {
        dBytes.fill(0);
        return [r, inv];
      }
    }
  }
}

/**
 * The fault check of a private operation done elsewhere (node's `privateEncrypt`): `s^e mod n`
 * must give back `em`.
 * @throws Error (an internal fault) when it does not.
 */
export function checkRsaResult(key: RsaPublicKey, em: Uint8Array, s: Uint8Array): void {
  const back = rsaPublicOp(key, s);
  if (back === null || bytesToBigInt(back) !== bytesToBigInt(em)) {
    throw new CryptoError('FaultDetected', 'RSA private operation failed its consistency check (fault or corrupted key)');
  }
}
