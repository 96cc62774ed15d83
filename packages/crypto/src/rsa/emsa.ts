/**
 * RSA signature encodings, RFC 8017 §9: EMSA-PSS (§9.1) with MGF1 (§B.2.1) and EMSA-PKCS1-v1_5
 * (§9.2). Backend-free: the hash is passed in as a {@link Digest}, so the noble and node paths
 * share this code (the node path injects `createHash`).
 */
import { concatBytes, equalConstantTime } from '../bytes';

/** Hashes the RSA code knows. sha1/sha224 exist only for PKCS#1 test vectors, not for TLS schemes. */
export type RsaHashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** A one-shot hash function and its output length in bytes. */
export interface Digest {
  readonly name: RsaHashName;
  readonly length: number;
  hash(data: Uint8Array): Uint8Array;
}

/**
 * DER of `DigestInfo ::= SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING (H) }`
 * up to the digest itself (RFC 8017 §9.2 Note 1).
 */
export const DIGEST_INFO_PREFIX: Readonly<Record<RsaHashName, Uint8Array>> = {
  sha1: Uint8Array.from([0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]),
  sha224: hexPrefix('302d300d06096086480165030402040500041c'),
  sha256: hexPrefix('3031300d060960864801650304020105000420'),
  sha384: hexPrefix('3041300d060960864801650304020205000430'),
  sha512: hexPrefix('3051300d060960864801650304020305000440'),
};

function hexPrefix(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
}

/** MGF1 (RFC 8017 §B.2.1): `maskLen` bytes from `seed`. */
export function mgf1(digest: Digest, seed: Uint8Array, maskLen: number): Uint8Array {
  const out = new Uint8Array(maskLen);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed, 0);
  for (let counter = 0, off = 0; off < maskLen; counter++) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = (counter >>> 16) & 0xff;
    input[seed.length + 2] = (counter >>> 8) & 0xff;
    input[seed.length + 3] = counter & 0xff;
    const h = digest.hash(input);
    const n = Math.min(h.length, maskLen - off);
    out.set(h.subarray(0, n), off);
    off += n;
  }
  return out;
}

/** Whether a `modBits`-bit modulus can carry EMSA-PSS with this hash and salt length (§9.1.1 step 3). */
export function pssFits(modBits: number, hLen: number, sLen: number): boolean {
  const emLen = Math.ceil((modBits - 1) / 8);
  return emLen >= hLen + sLen + 2;
}

/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of the message hash `mHash` with the given `salt`, for
 * `emBits = modBits - 1`. Returns EM of `ceil(emBits/8)` bytes.
 * @throws RangeError when the modulus is too small for hash and salt (callers check {@link pssFits}).
 */
export function emsaPssEncode(digest: Digest, mHash: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  // §9.1.1 step 3: "If emLen < hLen + sLen + 2, output 'encoding error' and stop."
  if (emLen < hLen + salt.length + 2) throw new RangeError(`EMSA-PSS: modulus too small for ${digest.name} with a ${salt.length}-byte salt`);
  // step 5-6: M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt; H = Hash(M')
  const h = digest.hash(concatBytes(new Uint8Array(8), mHash, salt));
  // step 7-8: DB = PS || 0x01 || salt
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  // step 9-10: maskedDB = DB xor MGF(H, emLen - hLen - 1)
  const mask = mgf1(digest, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ mask[i]!;
  // step 11: set the leftmost 8emLen - emBits bits of maskedDB to zero
  db[0] = db[0]! & (0xff >>> (8 * emLen - emBits));
  // step 12: EM = maskedDB || H || 0xbc
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

/**
 * The salt of a valid EMSA-PSS encoding (RFC 8017 §9.1.2 steps 4-10), or `null` when `em` is not
 * a valid encoding of `mHash` with any salt length. `em` must be `ceil(emBits/8)` bytes.
 */
export function emsaPssDecodeSalt(digest: Digest, mHash: Uint8Array, em: Uint8Array, emBits: number): Uint8Array | null {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + 2) return null;
  // step 4: "If the rightmost octet of EM does not have hexadecimal value 0xbc, output 'inconsistent'"
  if (em[emLen - 1] !== 0xbc) return null;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  // step 6: the leftmost 8emLen - emBits bits of maskedDB must be zero
  const topMask = 0xff >>> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return null;
  const mask = mgf1(digest, h, maskedDb.length);
  const db = new Uint8Array(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = maskedDb[i]! ^ mask[i]!;
  db[0] = db[0]! & topMask;
  // step 10: PS zeros then 0x01
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i === db.length || db[i] !== 0x01) return null;
  const salt = db.slice(i + 1);
  // steps 12-14: H' = Hash(00*8 || mHash || salt) must equal H
  const h2 = digest.hash(concatBytes(new Uint8Array(8), mHash, salt));
  return equalConstantTime(h, h2) ? salt : null;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) requiring a salt of exactly `sLen` bytes. */
export function emsaPssVerify(digest: Digest, mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const salt = emsaPssDecodeSalt(digest, mHash, em, emBits);
  return salt !== null && salt.length === sLen;
}

/**
 * EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2): `00 01 FF…FF 00 || DigestInfo(H)` of `emLen` bytes.
 * @throws RangeError when `emLen < tLen + 11` ("intended encoded message length too short").
 */
export function emsaPkcs1v15Encode(digest: Digest, h: Uint8Array, emLen: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[digest.name];
  const tLen = prefix.length + h.length;
  if (emLen < tLen + 11) throw new RangeError(`EMSA-PKCS1-v1_5: modulus too small for ${digest.name}`);
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - tLen - 1] = 0x00;
  em.set(prefix, emLen - tLen);
  em.set(h, emLen - h.length);
  return em;
}
