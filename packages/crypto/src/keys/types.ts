/**
 * Parsed key material, independent of any provider. Providers may cache backend objects
 * (e.g. `node:crypto` KeyObjects) per key in a WeakMap; these values themselves are plain data
 * and are frozen once loaded.
 */

/** RSA private key with CRT components (PKCS#1 RSAPrivateKey, RFC 8017 §A.1.2), big-endian integers. */
export interface RsaPrivateKey {
  readonly kind: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qInv: bigint;
  /** Modulus length in bits. */
  readonly bits: number;
}
/** RSA public key (RFC 8017 §A.1.1), big-endian integers; `bits` is the modulus length. */
export interface RsaPublicKey {
  readonly kind: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  readonly bits: number;
}

/** The ECDSA curves we serve. */
export type EcCurve = 'secp256r1' | 'secp384r1';
/** ECDSA private key on P-256 or P-384 (SEC 1). */
export interface EcPrivateKey {
  readonly kind: 'ec';
  readonly curve: EcCurve;
  /** Private scalar, big-endian, exactly the curve's byte length (32 or 48). */
  readonly d: Uint8Array;
  /** Uncompressed public point 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
}
/** ECDSA public key on P-256 or P-384. */
export interface EcPublicKey {
  readonly kind: 'ec';
  readonly curve: EcCurve;
  /** Uncompressed public point 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
}

/** Ed25519 private key (RFC 8032). */
export interface Ed25519PrivateKey {
  readonly kind: 'ed25519';
  /** 32-byte seed (RFC 8032 §5.1.5). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}
/** Ed25519 public key: 32 bytes (RFC 8032 §5.1.5). */
export interface Ed25519PublicKey {
  readonly kind: 'ed25519';
  readonly publicKey: Uint8Array;
}

/** Any private key we load: RSA, ECDSA (P-256/P-384) or Ed25519. */
export type PrivateKey = RsaPrivateKey | EcPrivateKey | Ed25519PrivateKey;
/** Any public key we verify with: RSA, ECDSA (P-256/P-384) or Ed25519. */
export type PublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey;
