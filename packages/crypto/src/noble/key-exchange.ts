/**
 * Ephemeral key exchange of the noble provider (X25519, RFC 7748; P-256/P-384 ECDH, SEC 1), plus
 * the provider-independent pieces both providers share: drawing private scalars, checking peer
 * points, and the X25519MLKEM768 hybrid (draft-ietf-tls-ecdhe-mlkem), whose ML-KEM half is
 * noble's on every provider (Node 20 has no ML-KEM).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { CryptoError } from '../errors';
import type { KeyExchangeKeyPair, KeyShareResult, NamedGroup } from '../provider';
import { isAllZero, wipe } from '../bytes';

export type EcdhGroup = Exclude<NamedGroup, 'X25519MLKEM768'>;
export type NistGroup = 'secp256r1' | 'secp384r1';
type RandomFn = (n: number, purpose?: string) => Uint8Array;

/** Byte length of a private scalar and of one coordinate. */
export const SCALAR_LENGTH: Readonly<Record<EcdhGroup, number>> = { x25519: 32, secp256r1: 32, secp384r1: 48 };

const NIST = { secp256r1: p256, secp384r1: p384 } as const;

/** Group orders n (SEC 2 §2.4.2, §2.5.1). */
const NIST_ORDER: Readonly<Record<NistGroup, bigint>> = {
  secp256r1: p256.Point.Fn.ORDER,
  secp384r1: p384.Point.Fn.ORDER,
};

/** RFC 7748 §5: X25519 keys and u-coordinates are 32 bytes. */
export const X25519_LENGTH = 32;

/** draft-ietf-tls-ecdhe-mlkem §4.1 sizes (FIPS 203 Table 3, ML-KEM-768). */
export const MLKEM768_EK_LENGTH = 1184;
export const MLKEM768_CT_LENGTH = 1088;
export const MLKEM768_SS_LENGTH = 32;
export const MLKEM768_MSG_LENGTH = 32;

/** @throws RangeError for a group that is not an ECDH group we implement. */
export function checkEcdhGroup(group: string): asserts group is EcdhGroup {
  if (!(group in SCALAR_LENGTH)) throw new RangeError(`generateKeyPair(group): unsupported ECDH group ${JSON.stringify(group)}`);
}

/**
 * A private scalar for `group` from `random(len, group)`. X25519 takes any 32 bytes (RFC 7748 §5
 * clamps inside the function); NIST scalars are redrawn while not in [1, n-1] (SEC 1 §3.2.1 —
 * rejection sampling, so no modular bias).
 * @throws RangeError when the random source answers with the wrong number of bytes.
 */
export function drawScalar(group: EcdhGroup, random: RandomFn): Uint8Array {
  const len = SCALAR_LENGTH[group];
  const draw = (): Uint8Array => {
    const d = random(len, group);
    if (d.length !== len) throw new RangeError(`random(${len}, '${group}') returned ${d.length} bytes: a broken RandomSource`);
    return d;
  };
  if (group === 'x25519') return draw();
  const n = NIST_ORDER[group];
  for (;;) {
    const d = draw();
    const k = bytesToBigInt(d);
    if (k >= 1n && k < n) return d;
    wipe(d);
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let k = 0n;
  for (const b of bytes) k = (k << 8n) | BigInt(b);
  return k;
}

export function invalidPeerKey(message: string, cause?: unknown): CryptoError {
  return new CryptoError('InvalidPeerKey', message, cause === undefined ? undefined : { cause });
}

/** @throws CryptoError('InvalidPeerKey') unless `peer` is 32 bytes (RFC 7748 §5). */
export function checkX25519Peer(peer: Uint8Array): void {
  if (peer.length !== X25519_LENGTH) throw invalidPeerKey(`x25519 peer public key must be ${X25519_LENGTH} bytes, got ${peer.length}`);
}

/**
 * RFC 8446 §7.4.2: "For X25519 and X448 … implementations MUST check whether the computed
 * Diffie-Hellman shared secret is the all-zero value and abort if so".
 * @throws CryptoError('InvalidPeerKey') for an all-zero secret.
 */
export function checkX25519Secret(secret: Uint8Array): Uint8Array {
  if (isAllZero(secret)) throw invalidPeerKey('x25519 shared secret is all zeros (peer sent a low-order point)');
  return secret;
}

/**
 * RFC 8446 §4.2.8.2: NIST key shares are UncompressedPointRepresentation, "legacy_form = 4" and
 * X, Y of the coordinate length. The on-curve check is the backend's.
 * @throws CryptoError('InvalidPeerKey') for another length or a leading byte other than 0x04
 *   (compressed, hybrid, or the 1-byte infinity encoding).
 */
export function checkNistPeerEncoding(group: NistGroup, peer: Uint8Array): void {
  const len = 1 + 2 * SCALAR_LENGTH[group];
  if (peer.length !== len || peer[0] !== 0x04) {
    throw invalidPeerKey(
      `${group} peer public key must be an uncompressed point (0x04 ‖ X ‖ Y, ${len} bytes), ` +
        `got ${peer.length} bytes starting 0x${(peer[0] ?? 0).toString(16).padStart(2, '0')}`,
    );
  }
}

class NobleX25519KeyPair implements KeyExchangeKeyPair {
  readonly group = 'x25519';
  private pub: Uint8Array | undefined;
  constructor(private readonly secret: Uint8Array) {}
  /** Computed on first use: a scalar multiplication in pure JS is not free. */
  get publicKey(): Uint8Array {
    return (this.pub ??= x25519.getPublicKey(this.secret));
  }
  agree(peer: Uint8Array): Uint8Array {
    checkX25519Peer(peer);
    let secret: Uint8Array;
    try {
      secret = x25519.getSharedSecret(this.secret, peer);
    } catch (e) {
      // noble rejects the low-order u-coordinates up front instead of computing zeros.
      throw invalidPeerKey('x25519 shared secret is all zeros (peer sent a low-order point)', e);
    }
    return checkX25519Secret(secret);
  }
  clean(): void {
    wipe(this.secret);
  }
}

class NobleNistKeyPair implements KeyExchangeKeyPair {
  private pub: Uint8Array | undefined;
  constructor(
    readonly group: NistGroup,
    private readonly secret: Uint8Array,
  ) {}
  /** Computed on first use: a scalar multiplication in pure JS is not free. */
  get publicKey(): Uint8Array {
    return (this.pub ??= NIST[this.group].getPublicKey(this.secret, false));
  }
  agree(peer: Uint8Array): Uint8Array {
    checkNistPeerEncoding(this.group, peer);
    let shared: Uint8Array;
    try {
      // fromBytes + assertValidity inside: on the curve, not infinity (SEC 1 §3.2.2.1).
      shared = NIST[this.group].getSharedSecret(this.secret, peer, true);
    } catch (e) {
      throw invalidPeerKey(`${this.group} peer public key is not a valid point on the curve`, e);
    }
    // RFC 8446 §7.4.1: "the shared secret is the x-coordinate of the ECDH shared secret elliptic curve point"
    return shared.slice(1);
  }
  clean(): void {
    wipe(this.secret);
  }
}

export function nobleGenerateKeyPair(group: EcdhGroup, random: RandomFn): KeyExchangeKeyPair {
  checkEcdhGroup(group);
  const secret = drawScalar(group, random);
  return group === 'x25519' ? new NobleX25519KeyPair(secret) : new NobleNistKeyPair(group, secret);
}

/**
 * FIPS 203 §7.2 encapsulation key check 2 (modulus check): every 12-bit coefficient of the
 * 384·k-byte ByteEncode12(t̂) part is below q = 3329 (ByteEncode12(ByteDecode12(ek)) = ek).
 */
export function mlKemModulusCheck(ek: Uint8Array): boolean {
  let bad = 0;
  const tLength = ek.length - 32; // the trailing 32 bytes are the seed ρ
  for (let i = 0; i + 3 <= tLength; i += 3) {
    const b0 = ek[i]!, b1 = ek[i + 1]!, b2 = ek[i + 2]!;
    const c0 = b0 | ((b1 & 0x0f) << 8);
    const c1 = (b1 >>> 4) | (b2 << 4);
    bad |= ((3328 - c0) | (3328 - c1)) & 0x8000_0000; // sign bit set iff a coefficient >= 3329
  }
  return bad === 0;
}

/**
 * The server side of X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3-4): the client share is
 * ek(1184) ‖ x25519(32); the server share ct(1088) ‖ x25519(32); the secret ss_mlkem ‖ ss_x25519.
 * The whole client share is checked before any randomness is drawn; then `random(32, 'mlkem')`
 * (the KEM's message m) and the X25519 half via `x25519Share` (which draws `random(32, 'x25519')`).
 * @throws CryptoError('InvalidPeerKey') for a wrong length, an ek that fails the FIPS 203 modulus
 *   check, or an X25519 half that gives an all-zero secret.
 */
export function x25519MlKem768KeyShare(
  clientShare: Uint8Array,
  random: RandomFn,
  x25519Share: (peer: Uint8Array) => KeyShareResult,
): KeyShareResult {
  const expected = MLKEM768_EK_LENGTH + X25519_LENGTH;
  if (clientShare.length !== expected) {
    throw invalidPeerKey(`X25519MLKEM768 client share must be ${expected} bytes (ek 1184 ‖ x25519 32), got ${clientShare.length}`);
  }
  const ek = clientShare.subarray(0, MLKEM768_EK_LENGTH);
  const peerX25519 = clientShare.subarray(MLKEM768_EK_LENGTH);
  // draft-ietf-tls-ecdhe-mlkem §4.1: the server "MUST perform the encapsulation key check
  // described in Section 7.2 of [FIPS203]" and abort with illegal_parameter if it fails.
  if (!mlKemModulusCheck(ek)) throw invalidPeerKey('X25519MLKEM768 client ML-KEM-768 encapsulation key fails the FIPS 203 §7.2 modulus check');
  const m = random(MLKEM768_MSG_LENGTH, 'mlkem');
  let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    kem = ml_kem768.encapsulate(ek, m);
  } catch (e) {
    throw invalidPeerKey('X25519MLKEM768 client ML-KEM-768 encapsulation key rejected', e);
  } finally {
    wipe(m);
  }
  const ecdh = x25519Share(peerX25519);
  const serverShare = new Uint8Array(MLKEM768_CT_LENGTH + X25519_LENGTH);
  serverShare.set(kem.cipherText, 0);
  serverShare.set(ecdh.serverShare, MLKEM768_CT_LENGTH);
  const sharedSecret = new Uint8Array(MLKEM768_SS_LENGTH + X25519_LENGTH);
  sharedSecret.set(kem.sharedSecret, 0);
  sharedSecret.set(ecdh.sharedSecret, MLKEM768_SS_LENGTH);
  wipe(kem.sharedSecret, ecdh.sharedSecret);
  return { serverShare, sharedSecret };
}

/** `keyShare` for an ECDH group: a fresh key pair, agreed with the client's share, then wiped. */
export function ecdhKeyShare(generate: () => KeyExchangeKeyPair, clientShare: Uint8Array): KeyShareResult {
  const pair = generate();
  try {
    return { serverShare: pair.publicKey, sharedSecret: pair.agree(clientShare) };
  } finally {
    pair.clean();
  }
}
