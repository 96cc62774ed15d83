/**
 * Signatures through `node:crypto` (OpenSSL). The module is injected, never imported, so the
 * package still loads in browsers (`import type` only).
 *
 * - KeyObjects are built once per parsed key (WeakMap) from DER we encode (PKCS#8 / SPKI); keys
 *   are never exported as JWK (a known Node 20 hang).
 * - RSA-PSS: EMSA-PSS is encoded here with the salt from `random(hLen, 'pss_salt')`, and only the
 *   raw private operation runs in OpenSSL (`privateEncrypt` + `RSA_NO_PADDING`, blinded by
 *   OpenSSL); the result is re-verified with `e` before release. So replays stay deterministic.
 * - ECDSA: the nonce comes from OpenSSL (random, not RFC 6979), so node ECDSA signatures differ
 *   from noble's for the same input; both verify. Randomness for it does not go through
 *   `CryptoProvider.random`, which is acceptable because ECDSA signatures are not replayed.
 * - Verification parses ECDSA DER strictly here (range checks included) before handing `r ‖ s`
 *   to OpenSSL; it never throws.
 */
import type { KeyObject } from 'node:crypto';
import { encodePkcs8, encodeSpki } from '../keys/encode';
import type { PrivateKey, PublicKey, RsaPrivateKey, RsaPublicKey } from '../keys/types';
import { emsaPssEncode, type Digest, type RsaHashName } from '../rsa/emsa';
import { checkRsaResult, modulusLength } from '../rsa/rsa';
import { ecdsaDerToRaw } from '../signatures/ecdsa-der';
import { schemeKeyMismatch } from '../signatures/noble';
import { HASH_BYTES, keyCanUseScheme, signatureSchemeInfo } from '../signatures/schemes';
import { x509AlgorithmFitsKey, type X509SignatureAlgorithm } from '../signatures/x509-algorithm';

type NodeCrypto = typeof import('node:crypto');

const privateKeyObjects = new WeakMap<PrivateKey, KeyObject>();
const publicKeyObjects = new WeakMap<PublicKey | PrivateKey, KeyObject>();

/** The cached private KeyObject of `key` (PKCS#8 DER import). */
export function nodePrivateKeyObject(key: PrivateKey, nodeCrypto: NodeCrypto): KeyObject {
  let ko = privateKeyObjects.get(key);
  if (!ko) {
    const der = encodePkcs8(key);
    ko = nodeCrypto.createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' });
    der.fill(0);
    privateKeyObjects.set(key, ko);
  }
  return ko;
}

/** The cached public KeyObject of `key` (SPKI DER import). @throws when OpenSSL rejects the key. */
export function nodePublicKeyObject(key: PublicKey | PrivateKey, nodeCrypto: NodeCrypto): KeyObject {
  let ko = publicKeyObjects.get(key);
  if (!ko) {
    ko = nodeCrypto.createPublicKey({ key: asBuffer(encodeSpki(key)), format: 'der', type: 'spki' });
    publicKeyObjects.set(key, ko);
  }
  return ko;
}

/** `node:crypto` hashes as {@link Digest}s (for EMSA-PSS encoding). */
export function nodeDigest(name: RsaHashName, nodeCrypto: NodeCrypto): Digest {
  const length = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 }[name];
  return { name, length, hash: (d) => new Uint8Array(nodeCrypto.createHash(name).update(d).digest()) };
}

/**
 * Signs `message` (unhashed) with `scheme` through OpenSSL.
 * @throws CryptoError('SchemeKeyMismatch') when `key` cannot make `scheme`.
 */
export function nodeSign(
  key: PrivateKey,
  scheme: number,
  message: Uint8Array,
  random: (n: number, purpose?: string) => Uint8Array,
  nodeCrypto: NodeCrypto,
): Uint8Array {
  const info = signatureSchemeInfo(scheme);
  if (!info || !keyCanUseScheme(key, scheme)) throw schemeKeyMismatch(key, scheme);
  switch (info.kind) {
    case 'ecdsa':
      return u8(nodeCrypto.sign(info.hash, message, { key: nodePrivateKeyObject(key, nodeCrypto), dsaEncoding: 'der' }));
    case 'ed25519':
      return u8(nodeCrypto.sign(null, message, nodePrivateKeyObject(key, nodeCrypto)));
    case 'rsa-pss': {
      const salt = random(HASH_BYTES[info.hash], 'pss_salt');
      return nodeRsaPssSign(key as RsaPrivateKey, info.hash, message, salt, nodeCrypto);
    }
    case 'rsa-pkcs1':
      return nodeRsaPkcs1Sign(key as RsaPrivateKey, info.hash, message, nodeCrypto);
  }
}

/** `false` for any invalid signature, wrong scheme for the key or malformed input; never throws. */
export function nodeVerify(key: PublicKey, scheme: number, message: Uint8Array, signature: Uint8Array, nodeCrypto: NodeCrypto): boolean {
  try {
    const info = signatureSchemeInfo(scheme);
    if (!info || !keyCanUseScheme(key, scheme)) return false;
    switch (info.kind) {
      case 'ecdsa': {
        const raw = ecdsaDerToRaw(info.curve, signature);
        if (!raw) return false;
        return nodeCrypto.verify(info.hash, message, { key: nodePublicKeyObject(key, nodeCrypto), dsaEncoding: 'ieee-p1363' }, raw);
      }
      case 'ed25519':
        if (signature.length !== 64) return false;
        return nodeCrypto.verify(null, message, nodePublicKeyObject(key, nodeCrypto), signature);
      case 'rsa-pss':
        return nodeRsaPssVerify(key as RsaPublicKey, info.hash, message, signature, nodeCrypto);
      case 'rsa-pkcs1':
        return nodeRsaPkcs1Verify(key as RsaPublicKey, info.hash, message, signature, nodeCrypto);
    }
  } catch {
    return false;
  }
}

/**
 * Verifies an X.509 signature through OpenSSL (ECDSA with any hash, RSA-PSS with the encoded
 * salt length). `false` for any invalid input; never throws.
 */
export function nodeVerifyX509(key: PublicKey, algorithm: X509SignatureAlgorithm, message: Uint8Array, signature: Uint8Array, nodeCrypto: NodeCrypto): boolean {
  try {
    if (!x509AlgorithmFitsKey(key, algorithm)) return false;
    switch (algorithm.kind) {
      case 'ecdsa': {
        const raw = ecdsaDerToRaw((key as Extract<PublicKey, { kind: 'ec' }>).curve, signature);
        if (!raw) return false;
        return nodeCrypto.verify(algorithm.hash, message, { key: nodePublicKeyObject(key, nodeCrypto), dsaEncoding: 'ieee-p1363' }, raw);
      }
      case 'ed25519':
        if (signature.length !== 64) return false;
        return nodeCrypto.verify(null, message, nodePublicKeyObject(key, nodeCrypto), signature);
      case 'rsa-pss':
        if (signature.length !== modulusLength(key as RsaPublicKey)) return false;
        return nodeCrypto.verify(
          algorithm.hash,
          message,
          { key: nodePublicKeyObject(key, nodeCrypto), padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength },
          signature,
        );
      case 'rsa-pkcs1':
        return nodeRsaPkcs1Verify(key as RsaPublicKey, algorithm.hash, message, signature, nodeCrypto);
    }
  } catch {
    return false;
  }
}

/** RSASSA-PSS with our EMSA-PSS encoding and OpenSSL's raw (blinded) private operation. */
export function nodeRsaPssSign(key: RsaPrivateKey, hash: RsaHashName, message: Uint8Array, salt: Uint8Array, nodeCrypto: NodeCrypto): Uint8Array {
  const digest = nodeDigest(hash, nodeCrypto);
  const em = emsaPssEncode(digest, digest.hash(message), key.bits - 1, salt);
  // RSA_NO_PADDING needs exactly k bytes: EM is one byte shorter when modBits ≡ 1 (mod 8).
  const k = modulusLength(key);
  const input = new Uint8Array(k);
  input.set(em, k - em.length);
  const s = u8(
    nodeCrypto.privateEncrypt(
      { key: nodePrivateKeyObject(key, nodeCrypto), padding: nodeCrypto.constants.RSA_NO_PADDING },
      asBuffer(input),
    ),
  );
  checkRsaResult(key, input, s);
  return s;
}

export function nodeRsaPssVerify(key: RsaPublicKey, hash: RsaHashName, message: Uint8Array, signature: Uint8Array, nodeCrypto: NodeCrypto): boolean {
  if (signature.length !== modulusLength(key)) return false;
  return nodeCrypto.verify(
    hash,
    message,
    {
      key: nodePublicKeyObject(key, nodeCrypto),
      padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: nodeDigest(hash, nodeCrypto).length, // RFC 8446 §4.2.3: salt length = digest length
    },
    signature,
  );
}

/** RSASSA-PKCS1-v1_5 through OpenSSL (deterministic). */
export function nodeRsaPkcs1Sign(key: RsaPrivateKey, hash: RsaHashName, message: Uint8Array, nodeCrypto: NodeCrypto): Uint8Array {
  return u8(nodeCrypto.sign(hash, message, { key: nodePrivateKeyObject(key, nodeCrypto), padding: nodeCrypto.constants.RSA_PKCS1_PADDING }));
}

export function nodeRsaPkcs1Verify(key: RsaPublicKey, hash: RsaHashName, message: Uint8Array, signature: Uint8Array, nodeCrypto: NodeCrypto): boolean {
  if (signature.length !== modulusLength(key)) return false;
  return nodeCrypto.verify(
    hash,
    message,
    { key: nodePublicKeyObject(key, nodeCrypto), padding: nodeCrypto.constants.RSA_PKCS1_PADDING },
    signature,
  );
}

/** A plain Uint8Array over a Buffer's bytes (no copy; core code never sees `Buffer`). */
function u8(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * `bytes` typed as a Buffer for node:crypto overloads typed `Buffer` only; Node accepts any
 * ArrayBufferView there at run time, so nothing is copied (and no global `Buffer` is touched).
 */
function asBuffer(bytes: Uint8Array): Buffer {
  return bytes as unknown as Buffer;
}
