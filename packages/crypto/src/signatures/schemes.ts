/**
 * What each TLS SignatureScheme (RFC 8446 §4.2.3) means, which keys can make it, and which
 * schemes a key can serve, in preference order.
 */
import type { EcCurve, PrivateKey, PublicKey } from '../keys/types';
import { SignatureScheme } from '../provider';
import { pssFits } from '../rsa/emsa';

/** The hash a signature scheme signs with. */
export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

/** The algorithm behind a scheme. */
export type SchemeInfo =
  | { readonly kind: 'ecdsa'; readonly curve: EcCurve; readonly hash: SignatureHash }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa-pss'; readonly hash: SignatureHash }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: SignatureHash };

export const HASH_BYTES: Readonly<Record<SignatureHash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

const INFO = new Map<number, SchemeInfo>([
  [SignatureScheme.ecdsa_secp256r1_sha256, { kind: 'ecdsa', curve: 'secp256r1', hash: 'sha256' }],
  [SignatureScheme.ecdsa_secp384r1_sha384, { kind: 'ecdsa', curve: 'secp384r1', hash: 'sha384' }],
  [SignatureScheme.ed25519, { kind: 'ed25519' }],
  [SignatureScheme.rsa_pss_rsae_sha256, { kind: 'rsa-pss', hash: 'sha256' }],
  [SignatureScheme.rsa_pss_rsae_sha384, { kind: 'rsa-pss', hash: 'sha384' }],
  [SignatureScheme.rsa_pss_rsae_sha512, { kind: 'rsa-pss', hash: 'sha512' }],
  [SignatureScheme.rsa_pkcs1_sha256, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [SignatureScheme.rsa_pkcs1_sha384, { kind: 'rsa-pkcs1', hash: 'sha384' }],
  [SignatureScheme.rsa_pkcs1_sha512, { kind: 'rsa-pkcs1', hash: 'sha512' }],
]);

/** The algorithm of a scheme codepoint, or `undefined` for one puretls does not implement. */
export function signatureSchemeInfo(scheme: number): SchemeInfo | undefined {
  return INFO.get(scheme);
}

/**
 * Whether `key` can make (or check) signatures of `scheme`. ECDSA schemes are bound to their
 * curve (RFC 8446 §4.2.3, applied to TLS 1.2 as well); RSA-PSS needs a modulus large enough for
 * hash and salt (RSA-1024 cannot do rsa_pss_rsae_sha512: RFC 8017 §9.1.1 step 3).
 */
export function keyCanUseScheme(key: PrivateKey | PublicKey, scheme: number): boolean {
  const info = INFO.get(scheme);
  if (!info) return false;
  switch (info.kind) {
    case 'ecdsa':
      return key.kind === 'ec' && key.curve === info.curve;
    case 'ed25519':
      return key.kind === 'ed25519';
    case 'rsa-pss':
      return key.kind === 'rsa' && pssFits(key.bits, HASH_BYTES[info.hash], HASH_BYTES[info.hash]);
    case 'rsa-pkcs1':
      // RFC 8017 §9.2 step 3: emLen >= tLen + 11 (tLen = 19 + hLen for SHA-2).
      return key.kind === 'rsa' && Math.ceil(key.bits / 8) >= 19 + HASH_BYTES[info.hash] + 11;
  }
}

/** The schemes RFC 8446 allows in CertificateVerify: not PKCS#1 v1.5 (§4.2.3 "MUST NOT"). */
export function isTls13SignatureScheme(scheme: number): boolean {
  const info = INFO.get(scheme);
  return info !== undefined && info.kind !== 'rsa-pkcs1';
}

/** Server preference among all schemes: PSS before PKCS#1, and SHA-256 first (cheapest, universal). */
const PREFERENCE: readonly SignatureScheme[] = [
  SignatureScheme.ed25519,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/**
 * The schemes `key` can serve, best first. `'tls1.3'` leaves out RSA PKCS#1 v1.5 (RFC 8446
 * §4.2.3: "MUST NOT be used for … CertificateVerify"); `'tls1.2'` (the default) lists all.
 * A server intersects this with the client's `signature_algorithms`, keeping this order.
 */
export function signatureSchemesFor(key: PrivateKey | PublicKey, version: 'tls1.2' | 'tls1.3' = 'tls1.2'): SignatureScheme[] {
  return PREFERENCE.filter((s) => keyCanUseScheme(key, s) && (version === 'tls1.2' || isTls13SignatureScheme(s)));
}
