/**
 * The one interface through which every other puretls package reaches cryptography.
 *
 * Two implementations exist: `createNobleProvider()` (pure TypeScript, any JS runtime, the default)
 * and `createNodeProvider()` (native `node:crypto`). Both pass the identical vector suite.
 * Everything random in the engine comes from {@link CryptoProvider.random}, which delegates to the
 * provider's {@link RandomSource}: a CSPRNG by default, a deterministic source in tests.
 */
import type { RandomSource } from './random';
import type { PrivateKey, PublicKey } from './keys/types';
import type { X509SignatureAlgorithm } from './signatures/x509-algorithm';

/** Hash functions TLS 1.2/1.3 use for transcripts, HMAC, HKDF and the PRF. */
export type HashAlgorithm = 'sha256' | 'sha384';

/** Output length in bytes of each {@link HashAlgorithm}. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48 };

/**
 * An incremental hash context. `clone()` forks the running state (transcript hashes are read at
 * several points of the handshake while they keep growing). `digest()` finalises *this* context:
 * clone first to keep going.
 */
export interface HashContext {
  readonly algorithm: HashAlgorithm;
  update(data: Uint8Array): this;
  digest(): Uint8Array;
  clone(): HashContext;
}

/** AEAD algorithms of the TLS 1.2 (RFC 5288, RFC 7905) and TLS 1.3 (RFC 8446 §5.3) suites. */
export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** Key length in bytes of each {@link AeadAlgorithm}; nonces are 12 bytes and tags 16 for all. */
export const AEAD_KEY_LENGTH: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};
/** Nonce length of every AEAD we implement, bytes (RFC 8446 §5.3: iv_length 12). */
export const AEAD_NONCE_LENGTH = 12;
/** Authentication tag length of every AEAD we implement, bytes. */
export const AEAD_TAG_LENGTH = 16;

/**
 * A keyed AEAD instance (key schedule done once, reused for every record of a direction).
 *
 * `seal` returns `ciphertext ‖ tag` (plaintext.length + 16 bytes). When `output` is given it must
 * be at least that long; the result is then a view of `output` (no allocation where the backend
 * allows). `output` may alias `plaintext` exactly (in place).
 *
 * `open` takes `ciphertext ‖ tag` and returns the plaintext, or `null` when authentication fails
 * (never throws for a bad tag: the caller maps `null` to its own alert). `output`, if given, must be
 * at least `ciphertext.length - 16` long and may alias the ciphertext exactly (decrypt in place).
 *
 * @throws RangeError for a nonce that is not 12 bytes or an `output` that is too short (API misuse).
 */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  /**
   * Seals into fresh buffers the caller owns — the ciphertext (plaintext.length bytes) and the
   * 16-byte tag — without copying them anywhere. Offered by a provider whose primitive allocates
   * its output anyway (node: OpenSSL's `update()`), so a caller can send the pieces as they are;
   * absent where `seal` into a given `output` is the cheaper path (noble).
   */
  sealDetached?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): { readonly ciphertext: Uint8Array; readonly tag: Uint8Array };
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, output?: Uint8Array): Uint8Array | null;
  /** Best-effort wipe of key material ("JS provides no guarantees"). The key is unusable after. */
  clean(): void;
}

/**
 * Named groups (RFC 8446 §4.2.7), by the names used throughout puretls. Codepoints live in the
 * handshake package's wire enums; {@link NAMED_GROUP_CODEPOINT} maps them for convenience.
 */
export type NamedGroup = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';
/** The IANA codepoint of each {@link NamedGroup} (RFC 8446 §4.2.7; X25519MLKEM768: 0x11ec). */
export const NAMED_GROUP_CODEPOINT: Readonly<Record<NamedGroup, number>> = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  x25519: 0x001d,
  X25519MLKEM768: 0x11ec,
};

/**
 * An ephemeral (EC)DH key pair. The private scalar comes from `provider.random` when the pair is
 * generated: 32 bytes for x25519 and secp256r1 (redrawn while not in [1, n-1]), 48 for secp384r1.
 */
export interface KeyExchangeKeyPair {
  readonly group: Exclude<NamedGroup, 'X25519MLKEM768'>;
  /** x25519: 32 bytes; NIST curves: uncompressed point 0x04 ‖ X ‖ Y (RFC 8446 §4.2.8.2). */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with a peer's public key: x25519 → 32 bytes (RFC 7748), NIST curves → the
   * X coordinate (RFC 8446 §7.4.2).
   * @throws CryptoError('InvalidPeerKey') for a wrong length, a point not on the curve, a
   *   compressed or infinity point, or an all-zero x25519 result (RFC 8446 §7.4.2).
   */
  agree(peerPublicKey: Uint8Array): Uint8Array;
  clean(): void;
}

/** What the server answers to a client's key share (TLS 1.3 key_share or TLS 1.2 ECDHE). */
export interface KeyShareResult {
  /** The server's key_share bytes (ECDH public key, or for X25519MLKEM768 ciphertext ‖ x25519 public). */
  readonly serverShare: Uint8Array;
  /** The shared secret (for X25519MLKEM768: ML-KEM shared secret ‖ X25519 shared secret). */
  readonly sharedSecret: Uint8Array;
}

/**
 * TLS SignatureScheme codepoints (RFC 8446 §4.2.3) that puretls can sign and verify with.
 * Plain numbers so that unknown codes from the wire survive.
 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** The single interface every package calls. Create one with `createNobleProvider` or `createNodeProvider`. */
export interface CryptoProvider {
  /** `'noble'` or `'node'`. */
  readonly name: string;
  /** The randomness source this provider draws from. */
  readonly randomSource: RandomSource;

  /**
   * `n` random bytes: the single source of everything random in the engine. `purpose` names the use
   * (`'server_random'`, `'x25519'`, `'pss_salt'`, …) so a scripted source can check its replay.
   */
  random(n: number, purpose?: string): Uint8Array;

  // ---- hashes, MAC, KDF -------------------------------------------------------------------------
  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  createHash(algorithm: HashAlgorithm): HashContext;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 §2.2. An empty salt means HashLen zero bytes. */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 §2.3. @throws RangeError when `length > 255 * HashLen`. */
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  // ---- AEAD -------------------------------------------------------------------------------------
  /** @throws RangeError when the key length does not fit the algorithm. */
  createAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;

  // ---- key exchange -----------------------------------------------------------------------------
  /** A fresh ephemeral ECDH key pair (private scalar from `random`). */
  generateKeyPair(group: Exclude<NamedGroup, 'X25519MLKEM768'>): KeyExchangeKeyPair;
  /**
   * Server side of a key share: for ECDH groups generate a key pair and agree; for X25519MLKEM768
   * encapsulate to the client's ML-KEM-768 key (32 random bytes for the KEM's message) and agree
   * on X25519 (draft-ietf-tls-ecdhe-mlkem: client share = mlkem_ek(1184) ‖ x25519(32), server
   * share = mlkem_ct(1088) ‖ x25519(32), secret = mlkem_ss(32) ‖ x25519_ss(32)).
   * @throws CryptoError('InvalidPeerKey') for any malformed or invalid client share.
   */
  keyShare(group: NamedGroup, clientShare: Uint8Array): KeyShareResult;

  // ---- signatures -------------------------------------------------------------------------------
  /**
   * Sign `message` (the whole message: the scheme's hash is applied inside). RSA-PSS salts (hash
   * length) come from `random(…, 'pss_salt')`; ECDSA uses RFC 6979 deterministic nonces.
   * @throws CryptoError('SchemeKeyMismatch') when the key cannot make that scheme.
   */
  sign(key: PrivateKey, scheme: SignatureScheme, message: Uint8Array): Uint8Array;
  /** `false` for any invalid signature (never throws for peer data). */
  verify(key: PublicKey, scheme: SignatureScheme, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Verifies an X.509 signature (`signatureValue` over the DER of `tbsCertificate`): RSA
   * PKCS#1 v1.5 and RSA-PSS with SHA-224/256/384/512, ECDSA on P-256/P-384 with any of those
   * hashes, Ed25519. `false` for any invalid signature or a key that cannot have made it (never
   * throws for peer data).
   */
  verifyX509Signature(key: PublicKey, algorithm: X509SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean;
}
