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
export interface RsaPublicKey {
  readonly kind: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  readonly bits: number;
}

export type EcCurve = 'secp256r1' | 'secp384r1';
export interface EcPrivateKey {
  readonly kind: 'ec';
  readonly curve: EcCurve;
  /** Private scalar, big-endian, exactly the curve's byte length (32 or 48). */
  readonly d: Uint8Array;
  /** Uncompressed public point 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
}
export interface EcPublicKey {
  readonly kind: 'ec';
  readonly curve: EcCurve;
  /** Uncompressed public point 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
}

export interface Ed25519PrivateKey {
  readonly kind: 'ed25519';
  /** 32-byte seed (RFC 8032 §5.1.5). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}
export interface Ed25519PublicKey {
  readonly kind: 'ed25519';
  readonly publicKey: Uint8Array;
}

export type PrivateKey = RsaPrivateKey | EcPrivateKey | Ed25519PrivateKey;
export type PublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey;
