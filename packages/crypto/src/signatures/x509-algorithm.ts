/**
 * Signature algorithms of X.509 objects (certificates, and later OCSP responses), which are not
 * TLS SignatureSchemes: ECDSA may pair any hash with any curve (RFC 5758 §3.2), RSA-PSS carries
 * its own salt length (RFC 4055 §3.1), and SHA-224 exists. Both providers verify these through
 * {@link CryptoProvider.verifyX509Signature}.
 */
import type { PublicKey } from '../keys/types';
import { pssFits } from '../rsa/emsa';

/** Hashes an X.509 signature may use here (SHA-1 and MD5 are refused before verification). */
export type X509SignatureHash = 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Output length in bytes of each {@link X509SignatureHash}. */
export const X509_HASH_BYTES: Readonly<Record<X509SignatureHash, number>> = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/**
 * A verifiable X.509 signature algorithm.
 * - `rsa-pkcs1`: sha*WithRSAEncryption (RFC 4055 §5), RSASSA-PKCS1-v1_5.
 * - `rsa-pss`: id-RSASSA-PSS (RFC 4055 §3.1) with MGF1 over the same hash, trailer field 1.
 * - `ecdsa`: ecdsa-with-SHA* (RFC 5758 §3.2) on the issuer's P-256 or P-384 key.
 * - `ed25519`: id-Ed25519 (RFC 8410 §6).
 */
export type X509SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: X509SignatureHash }
  | { readonly kind: 'rsa-pss'; readonly hash: X509SignatureHash; readonly saltLength: number }
  | { readonly kind: 'ecdsa'; readonly hash: X509SignatureHash }
  | { readonly kind: 'ed25519' };

/**
 * Whether `key` can have made a signature of `algorithm`: the key type matches and, for RSA, the
 * modulus holds the encoding (RFC 8017 §9.1.1 step 3, §9.2 step 3).
 */
export function x509AlgorithmFitsKey(key: PublicKey, algorithm: X509SignatureAlgorithm): boolean {
  switch (algorithm.kind) {
    case 'ecdsa':
      return key.kind === 'ec';
    case 'ed25519':
      return key.kind === 'ed25519';
    case 'rsa-pss':
      return key.kind === 'rsa' && algorithm.saltLength >= 0 && pssFits(key.bits, X509_HASH_BYTES[algorithm.hash], algorithm.saltLength);
    case 'rsa-pkcs1':
      // DigestInfo is 19 bytes (SHA-2) plus the hash; EMSA-PKCS1-v1_5 needs 11 more.
      return key.kind === 'rsa' && Math.ceil(key.bits / 8) >= 19 + X509_HASH_BYTES[algorithm.hash] + 11;
  }
}
