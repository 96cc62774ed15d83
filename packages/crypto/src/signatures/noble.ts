/**
 * Signatures in pure TypeScript: ECDSA P-256/P-384 and Ed25519 from `@noble/curves`, RSA from
 * `../rsa` (BigInt), hashes from `@noble/hashes`. Used by the noble provider.
 *
 * - ECDSA signing uses RFC 6979 deterministic nonces (noble's default), low-S normalised.
 *   Verification accepts high-S signatures (TLS peers such as OpenSSL produce them).
 * - Ed25519 verification is RFC 8032 strict (canonical S and point encodings, `zip215: false`).
 * - RSA-PSS salts come from `random(hLen, 'pss_salt')` (RFC 8446 §4.2.3: salt length = hash length).
 */
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256, sha384, sha512, sha224 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { CryptoError } from '../errors';
import type { EcCurve, PrivateKey, PublicKey, RsaPrivateKey, RsaPublicKey } from '../keys/types';
import { emsaPkcs1v15Encode, emsaPssEncode, emsaPssVerify, type Digest, type RsaHashName } from '../rsa/emsa';
import { modulusLength, rsaPrivateOp, rsaPublicOp } from '../rsa/rsa';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der';
import { keyCanUseScheme, signatureSchemeInfo } from './schemes';
import { x509AlgorithmFitsKey, type X509SignatureAlgorithm } from './x509-algorithm';
import { equalConstantTime } from '../bytes';

/** `@noble/hashes` as {@link Digest}s. */
export const NOBLE_DIGESTS: Readonly<Record<RsaHashName, Digest>> = {
  sha1: { name: 'sha1', length: 20, hash: (d) => sha1(d) },
  sha224: { name: 'sha224', length: 28, hash: (d) => sha224(d) },
  sha256: { name: 'sha256', length: 32, hash: (d) => sha256(d) },
  sha384: { name: 'sha384', length: 48, hash: (d) => sha384(d) },
  sha512: { name: 'sha512', length: 64, hash: (d) => sha512(d) },
};

const CURVES = { secp256r1: p256, secp384r1: p384 } as const satisfies Record<EcCurve, unknown>;

/**
 * Signs `message` (unhashed) with `scheme`.
 * @throws CryptoError('SchemeKeyMismatch') when `key` cannot make `scheme` (wrong type, wrong
 *   curve, modulus too small for PSS with that hash, or an unknown scheme).
 */
export function nobleSign(
  key: PrivateKey,
  scheme: number,
  message: Uint8Array,
  random: (n: number, purpose?: string) => Uint8Array,
): Uint8Array {
  const info = signatureSchemeInfo(scheme);
  if (!info || !keyCanUseScheme(key, scheme)) throw schemeKeyMismatch(key, scheme);
  switch (info.kind) {
    case 'ecdsa': {
      const k = key as Extract<PrivateKey, { kind: 'ec' }>;
      // prehash: the curve's hash (SHA-256 for P-256, SHA-384 for P-384) is applied to `message`.
      const raw = CURVES[info.curve].sign(message, k.d, { prehash: true, format: 'compact' });
      return ecdsaRawToDer(info.curve, raw);
    }
    case 'ed25519':
      return ed25519.sign(message, (key as Extract<PrivateKey, { kind: 'ed25519' }>).seed);
    case 'rsa-pss': {
      const digest = NOBLE_DIGESTS[info.hash];
      const salt = random(digest.length, 'pss_salt');
      return rsaPssSign(key as RsaPrivateKey, digest, message, salt);
    }
    case 'rsa-pkcs1':
      return rsaPkcs1Sign(key as RsaPrivateKey, NOBLE_DIGESTS[info.hash], message);
  }
}

/** `false` for any invalid signature, wrong scheme for the key or malformed input; never throws. */
export function nobleVerify(key: PublicKey, scheme: number, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const info = signatureSchemeInfo(scheme);
    if (!info || !keyCanUseScheme(key, scheme)) return false;
    switch (info.kind) {
      case 'ecdsa': {
        const raw = ecdsaDerToRaw(info.curve, signature);
        if (!raw) return false;
        return CURVES[info.curve].verify(raw, message, (key as Extract<PublicKey, { kind: 'ec' }>).publicKey, {
          prehash: true,
          lowS: false,
          format: 'compact',
        });
      }
      case 'ed25519':
        if (signature.length !== 64) return false;
        return ed25519.verify(signature, message, (key as Extract<PublicKey, { kind: 'ed25519' }>).publicKey, { zip215: false });
      case 'rsa-pss':
        return rsaPssVerify(key as RsaPublicKey, NOBLE_DIGESTS[info.hash], message, signature);
      case 'rsa-pkcs1':
        return rsaPkcs1Verify(key as RsaPublicKey, NOBLE_DIGESTS[info.hash], message, signature);
    }
  } catch {
    return false;
  }
}

/**
 * Verifies an X.509 signature (certificate `signatureValue` over `tbsCertificate`). ECDSA takes
 * the hash the algorithm names whatever the curve (FIPS 186-5 §6.4.2 truncation), high-S
 * accepted; Ed25519 is RFC 8032 strict. `false` for any invalid input; never throws.
 */
export function nobleVerifyX509(key: PublicKey, algorithm: X509SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!x509AlgorithmFitsKey(key, algorithm)) return false;
    switch (algorithm.kind) {
      case 'ecdsa': {
        const ec = key as Extract<PublicKey, { kind: 'ec' }>;
        const raw = ecdsaDerToRaw(ec.curve, signature);
        if (!raw) return false;
        const digest = NOBLE_DIGESTS[algorithm.hash].hash(message);
        return CURVES[ec.curve].verify(raw, digest, ec.publicKey, { prehash: false, lowS: false, format: 'compact' });
      }
      case 'ed25519':
        if (signature.length !== 64) return false;
        return ed25519.verify(signature, message, (key as Extract<PublicKey, { kind: 'ed25519' }>).publicKey, { zip215: false });
      case 'rsa-pss':
        return rsaPssVerify(key as RsaPublicKey, NOBLE_DIGESTS[algorithm.hash], message, signature, algorithm.saltLength);
      case 'rsa-pkcs1':
        return rsaPkcs1Verify(key as RsaPublicKey, NOBLE_DIGESTS[algorithm.hash], message, signature);
    }
  } catch {
    return false;
  }
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1) with MGF1 of the same hash and the given salt. */
export function rsaPssSign(key: RsaPrivateKey, digest: Digest, message: Uint8Array, salt: Uint8Array): Uint8Array {
  const em = emsaPssEncode(digest, digest.hash(message), key.bits - 1, salt);
  return rsaPrivateOp(key, em);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2); the salt must be `saltLength` bytes (default: the hash length). */
export function rsaPssVerify(key: RsaPublicKey, digest: Digest, message: Uint8Array, signature: Uint8Array, saltLength = digest.length): boolean {
  const m = rsaPublicOp(key, signature);
  if (!m) return false;
  const emBits = key.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  // §8.1.2 step 2c: EM = I2OSP(m, emLen); when emLen < k the extra leading octet must be zero.
  if (m.length > emLen && m[0] !== 0) return false;
  return emsaPssVerify(digest, digest.hash(message), m.subarray(m.length - emLen), emBits, saltLength);
}

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). */
export function rsaPkcs1Sign(key: RsaPrivateKey, digest: Digest, message: Uint8Array): Uint8Array {
  return rsaPrivateOp(key, emsaPkcs1v15Encode(digest, digest.hash(message), modulusLength(key)));
}

/**
 * RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2) by re-encoding and comparing (step 4), which refuses
 * every BER variant, missing NULL parameters and garbage in the padding.
 */
export function rsaPkcs1Verify(key: RsaPublicKey, digest: Digest, message: Uint8Array, signature: Uint8Array): boolean {
  const em = rsaPublicOp(key, signature);
  if (!em) return false;
  return equalConstantTime(em, emsaPkcs1v15Encode(digest, digest.hash(message), modulusLength(key)));
}

export function schemeKeyMismatch(key: PrivateKey | PublicKey, scheme: number): CryptoError {
  const what = key.kind === 'ec' ? `EC ${key.curve}` : key.kind === 'rsa' ? `RSA-${key.bits}` : 'Ed25519';
  return new CryptoError('SchemeKeyMismatch', `a ${what} key cannot make signature scheme 0x${scheme.toString(16).padStart(4, '0')}`);
}
