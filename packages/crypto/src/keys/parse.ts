/**
 * Loading private and public keys: PEM or DER, PKCS#8 (RFC 5208 / RFC 5958), SEC1
 * `EC PRIVATE KEY` (RFC 5915), PKCS#1 `RSA PRIVATE KEY` (RFC 8017 §A.1.2) and
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480, RFC 8410). Strict DER throughout, and every
 * key is checked for consistency before it is accepted, so a broken key fails at load time, not
 * in the middle of a handshake.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { DerReader, Tag, bigIntToBytes, bitLength, bytesToBigInt } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { equalConstantTime } from '../bytes';
import { KeyError } from '../errors';
import { decodePem, looksLikePem, pemTextOf, type PemBlock } from '../pem';
import { gcd, modPow } from '../rsa/rsa';
import { decryptEncryptedPkcs8, decryptLegacyPem, type Passphrase } from './encrypted';
import type { EcCurve, EcPrivateKey, Ed25519PrivateKey, PrivateKey, PublicKey, RsaPrivateKey, RsaPublicKey } from './types';

/** Smallest RSA modulus accepted at all, even with `allowWeakRsa` (RFC 8448's test key is 1024). */
export const MIN_RSA_BITS_WEAK = 1024;
/** Smallest RSA modulus accepted by default (NIST SP 800-131A Rev. 2: 2048 bits). */
export const MIN_RSA_BITS = 2048;
/** Largest RSA modulus accepted: larger keys make each signature cost seconds (a DoS lever). */
export const MAX_RSA_BITS = 8192;

/** Options of {@link parsePrivateKey}. */
export interface ParsePrivateKeyOptions {
  /** Accept RSA keys of 1024 to 2047 bits (tests only: RFC 8448 uses RSA-1024). */
  readonly allowWeakRsa?: boolean;
  /**
   * The passphrase of an encrypted key (a string is taken as UTF-8, as Node does). Ignored for
   * a key that is not encrypted, as in Node.
   */
  readonly passphrase?: Passphrase;
}

const CURVES = { secp256r1: p256, secp384r1: p384 } as const;
const CURVE_LEN: Readonly<Record<EcCurve, number>> = { secp256r1: 32, secp384r1: 48 };
const CURVE_NAMES = new Map<string, EcCurve>([
  [Oid.prime256v1, 'secp256r1'],
  [Oid.secp384r1, 'secp384r1'],
]);
const KNOWN_OTHER_CURVES = new Map<string, string>([
  [Oid.secp256k1, 'secp256k1'],
  [Oid.secp521r1, 'secp521r1'],
  ['1.2.840.10045.3.1.1', 'prime192v1'],
  ['1.3.132.0.33', 'secp224r1'],
  ['1.3.36.3.3.2.8.1.1.7', 'brainpoolP256r1'],
  ['1.3.36.3.3.2.8.1.1.11', 'brainpoolP384r1'],
  ['1.3.36.3.3.2.8.1.1.13', 'brainpoolP512r1'],
]);
const OTHER_ALGORITHMS = new Map<string, string>([
  [Oid.dsa, 'DSA'],
  [Oid.x25519, 'X25519'],
  [Oid.x448, 'X448'],
  [Oid.ed448, 'Ed448'],
  [Oid.rsassaPss, 'RSASSA-PSS (restricted RSA key)'],
  ['1.2.840.10046.2.1', 'DH'],
  ['1.2.840.113549.1.3.1', 'DH (PKCS#3)'],
]);

/**
 * Parses a private key from PEM text (string or bytes) or DER bytes. Formats: PKCS#8 (RSA, EC
 * P-256/P-384 with named-curve parameters, Ed25519), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`
 * or DER `EncryptedPrivateKeyInfo`: PBES2 with PBKDF2 HMAC-SHA-1/224/256/384/512 and
 * AES-128/192/256-CBC), SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, the last two also with
 * OpenSSL's `Proc-Type: 4,ENCRYPTED` / `DEK-Info: AES-*-CBC` encryption. In PEM, the first
 * private-key block is used (`EC PARAMETERS` blocks, as `openssl ecparam -genkey` writes, and
 * certificates are skipped). EC public keys missing from the encoding are computed from `d`.
 * The result is frozen.
 *
 * @throws KeyError with reason
 *   - `NotPem`: text without a PEM block, or a block without its END line
 *   - `UnknownPemLabel`: PEM without any private-key block
 *   - `PassphraseRequired`: an encrypted key without `options.passphrase`
 *   - `BadDecrypt`: a wrong passphrase ("bad decrypt", as OpenSSL and Node say)
 *   - `UnsupportedEncryption`: PBES1, PKCS#12 PBEs, DES, DES-EDE3, RC2, scrypt, …, named
 *   - `MalformedDer`: truncated, trailing or otherwise invalid DER or base64
 *   - `UnsupportedAlgorithm`: DSA, X25519, X448, Ed448, RSASSA-PSS-restricted, multi-prime RSA,
 *     RSA above {@link MAX_RSA_BITS}
 *   - `UnsupportedCurve`: EC keys on other curves or with explicit parameters
 *   - `InvalidKey`: n ≠ p·q, d·e ≢ 1 (mod λ(n)), wrong CRT values, EC d out of [1, n-1], a public
 *     key that does not match the private key
 *   - `WeakKey`: RSA below 2048 bits (unless `allowWeakRsa`), or below 1024 bits
 */
export function parsePrivateKey(input: string | Uint8Array, options: ParsePrivateKeyOptions = {}): PrivateKey {
  const text = pemTextOf(input);
  if (text === undefined) return parsePrivateKeyDer(input as Uint8Array, options);
  if (!looksLikePem(text)) throw new KeyError('NotPem', 'private key input is neither PEM text nor DER');
  const blocks = decodePem(text);
  for (const block of blocks) {
    switch (block.label) {
      case 'ENCRYPTED PRIVATE KEY':
        return finish(decryptEncryptedPkcs8(block.der, options.passphrase, (der) => parsePkcs8(der, options)));
      case 'PRIVATE KEY':
        rejectLegacyEncryption(block);
        return finish(parsePkcs8(block.der, options));
      case 'RSA PRIVATE KEY':
        if (isLegacyEncrypted(block)) return finish(decryptLegacyPem(block, options.passphrase, (der) => parsePkcs1(der, options)));
        return finish(parsePkcs1(block.der, options));
      case 'EC PRIVATE KEY':
        if (isLegacyEncrypted(block)) return finish(decryptLegacyPem(block, options.passphrase, (der) => parseSec1(der, undefined)));
        return finish(parseSec1(block.der, undefined));
      case 'DSA PRIVATE KEY':
        throw new KeyError('UnsupportedAlgorithm', 'DSA keys are not supported (TLS 1.3 has no DSA)');
      default:
        continue; // EC PARAMETERS, CERTIFICATE, …
    }
  }
  throw new KeyError('UnknownPemLabel', `no private key in PEM (found: ${blocks.map((b) => b.label).join(', ')})`);
}

/** RFC 1421 §4.6.1.1: `Proc-Type: 4,ENCRYPTED`. */
function isLegacyEncrypted(block: PemBlock): boolean {
  const procType = block.headers.get('Proc-Type');
  return procType !== undefined && /ENCRYPTED/i.test(procType);
}

/** OpenSSL writes traditional encryption only for PKCS#1 and SEC1 blocks; on PKCS#8 it is refused. */
function rejectLegacyEncryption(block: PemBlock): void {
  if (isLegacyEncrypted(block)) {
    throw new KeyError('UnsupportedEncryption', `"${block.label}" with Proc-Type: 4,ENCRYPTED: use ENCRYPTED PRIVATE KEY (PKCS#8) instead`);
  }
}

/**
 * A DER private key, recognised by shape: PKCS#8, SEC1 or PKCS#1 (all start with a version
 * INTEGER), or an EncryptedPrivateKeyInfo (starts with an AlgorithmIdentifier SEQUENCE).
 */
function parsePrivateKeyDer(der: Uint8Array, options: ParsePrivateKeyOptions): PrivateKey {
  const seq = new DerReader(der, 'private key').sequence('private key');
  if (seq.peekTag() === Tag.SEQUENCE) return finish(decryptEncryptedPkcs8(der, options.passphrase, (plain) => parsePkcs8(plain, options)));
  seq.element(Tag.INTEGER, 'version');
  const second = seq.peekTag();
  if (second === Tag.SEQUENCE) return finish(parsePkcs8(der, options));
  if (second === Tag.OCTET_STRING) return finish(parseSec1(der, undefined));
  if (second === Tag.INTEGER) return finish(parsePkcs1(der, options));
  throw new KeyError('MalformedDer', 'DER is not a PKCS#8, SEC1 or PKCS#1 private key');
}

// RFC 5958 §2: OneAsymmetricKey ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier,
//   privateKey OCTET STRING, attributes [0] IMPLICIT Attributes OPTIONAL, …,
//   [[2: publicKey [1] IMPLICIT PublicKey OPTIONAL ]], … }
function parsePkcs8(der: Uint8Array, options: ParsePrivateKeyOptions): PrivateKey {
  const outer = new DerReader(der, 'PKCS#8');
  const seq = outer.sequence('PrivateKeyInfo');
  outer.end();
  const version = seq.smallUint('PKCS#8 version');
  if (version > 1) throw new KeyError('MalformedDer', `PKCS#8 version ${version}`);
  const alg = seq.sequence('privateKeyAlgorithm');
  const oid = alg.oid('algorithm');
  const privateKey = seq.octetString('privateKey');
  seq.optional(0xa0); // attributes: ignored
  const publicKeyField = seq.optional(0x81);
  if (publicKeyField && version !== 1) throw new KeyError('MalformedDer', 'PKCS#8 v1 (version 0) with a publicKey field');
  seq.end();
  switch (oid) {
    case Oid.rsaEncryption: {
      // RFC 3279 §2.3.1: parameters "MUST be present and MUST have ASN.1 type NULL" (absent accepted).
      if (!alg.done) alg.null('rsaEncryption parameters');
      alg.end();
      const key = parsePkcs1(privateKey, options);
      if (publicKeyField) checkRsaPublicField(key, publicKeyField.content);
      return key;
    }
    case Oid.ecPublicKey: {
      const curve = readCurveParameters(alg);
      alg.end();
      const key = parseSec1(privateKey, curve);
      if (publicKeyField) checkEcPublicField(key, bitStringContent(publicKeyField.content));
      return key;
    }
    case Oid.ed25519: {
      // RFC 8410 §3: "the parameters MUST be absent"
      alg.end();
      const r = new DerReader(privateKey, 'CurvePrivateKey');
      const seed = r.octetString('CurvePrivateKey');
      r.end();
      if (seed.length !== 32) throw new KeyError('InvalidKey', `Ed25519 private key of ${seed.length} bytes (expected 32)`);
      const publicKey = ed25519.getPublicKey(seed);
      if (publicKeyField && !equalConstantTime(bitStringContent(publicKeyField.content), publicKey)) {
        throw new KeyError('InvalidKey', 'Ed25519 public key does not match the private key');
      }
      const key: Ed25519PrivateKey = { kind: 'ed25519', seed: new Uint8Array(seed), publicKey };
      return key;
    }
    default:
      throw unsupportedAlgorithm(oid);
  }
}

function unsupportedAlgorithm(oid: string): KeyError {
  const name = OTHER_ALGORITHMS.get(oid);
  return new KeyError('UnsupportedAlgorithm', `unsupported key algorithm ${name ?? oid}${name ? ` (${oid})` : ''}`);
}

function bitStringContent(c: Uint8Array): Uint8Array {
  if (c.length === 0 || c[0] !== 0) throw new KeyError('MalformedDer', 'BIT STRING with unused bits in a key');
  return c.subarray(1);
}

/** ECParameters (RFC 5480 §2.1.1): only `namedCurve` P-256 / P-384. */
function readCurveParameters(r: DerReader): EcCurve {
  const tag = r.peekTag();
  if (tag === Tag.OID) {
    const oid = r.oid('namedCurve');
    const curve = CURVE_NAMES.get(oid);
    if (curve) return curve;
    throw new KeyError('UnsupportedCurve', `unsupported curve ${KNOWN_OTHER_CURVES.get(oid) ?? oid}: only P-256 and P-384 are supported`);
  }
  if (tag === Tag.SEQUENCE || tag === Tag.NULL) {
    // RFC 5480 §2.1.1: "specifiedCurve … MUST NOT be used"; implicitCurve likewise.
    r.any();
    throw new KeyError('UnsupportedCurve', 'EC keys with explicit or implicit curve parameters are not supported (named curves only)');
  }
  throw new KeyError('MalformedDer', 'missing or invalid EC curve parameters');
}

// RFC 5915 §3: ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) },
//   privateKey OCTET STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
function parseSec1(der: Uint8Array, outerCurve: EcCurve | undefined): EcPrivateKey {
  const outer = new DerReader(der, 'ECPrivateKey');
  const seq = outer.sequence('ECPrivateKey');
  outer.end();
  if (seq.smallUint('ECPrivateKey version') !== 1) throw new KeyError('MalformedDer', 'ECPrivateKey version is not 1');
  const dRaw = seq.octetString('ECPrivateKey privateKey');
  let curve = outerCurve;
  const params = seq.optional(0xa0);
  if (params) {
    const pr = new DerReader(params.content, 'ECPrivateKey parameters');
    const inner = readCurveParameters(pr);
    pr.end();
    if (curve !== undefined && inner !== curve) throw new KeyError('InvalidKey', `EC key names two curves (${curve} and ${inner})`);
    curve = inner;
  }
  const pubField = seq.optional(0xa1);
  seq.end();
  if (curve === undefined) throw new KeyError('MalformedDer', 'SEC1 EC private key without curve parameters');
  const len = CURVE_LEN[curve];
  // RFC 5915 §3: privateKey is ceiling(log2(n)/8) octets; tolerate missing leading zeros.
  let dNum = bytesToBigInt(dRaw);
  if (dRaw.length > len && dRaw.subarray(0, dRaw.length - len).some((b) => b !== 0)) {
    throw new KeyError('InvalidKey', `EC private key of ${dRaw.length} bytes for ${curve}`);
  }
  const d = bigIntToBytes(dNum, len);
  dNum = 0n;
  if (!CURVES[curve].utils.isValidSecretKey(d)) throw new KeyError('InvalidKey', `EC private key out of range [1, n-1] for ${curve}`);
  const publicKey = CURVES[curve].getPublicKey(d, false);
  if (pubField) {
    const pr = new DerReader(pubField.content, 'ECPrivateKey publicKey');
    const given = pr.bitStringOctets('publicKey');
    pr.end();
    checkEcPublicField({ kind: 'ec', curve, d, publicKey }, given);
  }
  return { kind: 'ec', curve, d, publicKey };
}

function checkEcPublicField(key: EcPrivateKey, given: Uint8Array): void {
  let ok = false;
  try {
    const P = CURVES[key.curve].Point;
    ok = P.fromBytes(given).equals(P.fromBytes(key.publicKey));
  } catch {
    ok = false;
  }
  if (!ok) throw new KeyError('InvalidKey', `EC public key does not match the private key (${key.curve})`);
}

function checkRsaPublicField(key: RsaPrivateKey, content: Uint8Array): void {
  const r = new DerReader(bitStringContent(content), 'RSAPublicKey');
  const seq = r.sequence('RSAPublicKey');
  r.end();
  const n = seq.uint('modulus');
  const e = seq.uint('publicExponent');
  seq.end();
  if (n !== key.n || e !== key.e) throw new KeyError('InvalidKey', 'RSA public key does not match the private key');
}

// RFC 8017 §A.1.2: RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent,
//   prime1, prime2, exponent1, exponent2, coefficient, otherPrimeInfos OPTIONAL }
function parsePkcs1(der: Uint8Array, options: ParsePrivateKeyOptions): RsaPrivateKey {
  const outer = new DerReader(der, 'RSAPrivateKey');
  const seq = outer.sequence('RSAPrivateKey');
  outer.end();
  const version = seq.smallUint('RSAPrivateKey version');
  if (version === 1) throw new KeyError('UnsupportedAlgorithm', 'multi-prime RSA keys are not supported');
  if (version !== 0) throw new KeyError('MalformedDer', `RSAPrivateKey version ${version}`);
  const n = seq.uint('modulus');
  const e = seq.uint('publicExponent');
  const d = seq.uint('privateExponent');
  const p = seq.uint('prime1');
  const q = seq.uint('prime2');
  const dp = seq.uint('exponent1');
  const dq = seq.uint('exponent2');
  const qInv = seq.uint('coefficient');
  seq.end();
  return checkRsaPrivateKey({ n, e, d, p, q, dp, dq, qInv }, options);
}

/** RSA private key components (all big-endian integers, as in RFC 8017 §A.1.2). */
export interface RsaPrivateComponents {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qInv: bigint;
}

/**
 * Checks RSA private components and returns the key (not frozen; {@link rsaPrivateKeyFromComponents}
 * freezes). Checks: size limits, n = p·q with p ≠ q, n odd, e odd in [3, n), d in (0, n),
 * d·e ≡ 1 (mod λ(n)) (which also holds when d was computed mod φ(n)), dP = d mod (p-1),
 * dQ = d mod (q-1), qInv·q ≡ 1 (mod p), and a base-2 Fermat test of p and q.
 * @throws KeyError('WeakKey' | 'UnsupportedAlgorithm' | 'InvalidKey')
 */
function checkRsaPrivateKey(c: RsaPrivateComponents, options: ParsePrivateKeyOptions): RsaPrivateKey {
  const bits = checkRsaPublic(c.n, c.e, options.allowWeakRsa ?? false);
  const { n, e, d, p, q, dp, dq, qInv } = c;
  const invalid = (why: string): KeyError => new KeyError('InvalidKey', `inconsistent RSA private key: ${why}`);
  if (p <= 1n || q <= 1n || p === q) throw invalid('invalid primes');
  if (p * q !== n) throw invalid('n ≠ p·q');
  if (d <= 0n || d >= n) throw invalid('d out of range');
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  if ((d * e) % lambda !== 1n) throw invalid('d·e ≢ 1 (mod λ(n))');
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n)) throw invalid('CRT exponents do not match d');
  if (qInv <= 0n || qInv >= p || (qInv * q) % p !== 1n) throw invalid('CRT coefficient is not q⁻¹ mod p');
  if (modPow(2n, p - 1n, p) !== 1n || modPow(2n, q - 1n, q) !== 1n) throw invalid('a factor is not prime');
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qInv, bits };
}

/** Size and exponent checks shared by private and public RSA keys; returns the modulus bit length. */
function checkRsaPublic(n: bigint, e: bigint, allowWeak: boolean): number {
  const bits = bitLength(n);
  if (bits > MAX_RSA_BITS) throw new KeyError('UnsupportedAlgorithm', `RSA-${bits} is above the ${MAX_RSA_BITS}-bit limit`);
  if (bits < MIN_RSA_BITS_WEAK || (bits < MIN_RSA_BITS && !allowWeak)) {
    throw new KeyError('WeakKey', `RSA-${bits} is below the ${allowWeak ? MIN_RSA_BITS_WEAK : MIN_RSA_BITS}-bit minimum`);
  }
  if ((n & 1n) === 0n) throw new KeyError('InvalidKey', 'RSA modulus is even');
  if (e < 3n || (e & 1n) === 0n || e >= n) throw new KeyError('InvalidKey', 'RSA public exponent must be odd and in [3, n)');
  return bits;
}

/**
 * A checked, frozen RSA private key from its components (e.g. RFC 8448 §2's published values).
 * @throws KeyError as {@link parsePrivateKey} does for RSA.
 */
export function rsaPrivateKeyFromComponents(c: RsaPrivateComponents, options: ParsePrivateKeyOptions = {}): RsaPrivateKey {
  return finish(checkRsaPrivateKey(c, options));
}

/**
 * A checked, frozen RSA public key (modulus and exponent). Accepts 1024 bits and up (peer keys:
 * the caller's policy decides about strength; below 1024 is always refused).
 * @throws KeyError('WeakKey' | 'UnsupportedAlgorithm' | 'InvalidKey')
 */
export function rsaPublicKeyFromComponents(n: bigint, e: bigint): RsaPublicKey {
  const bits = checkRsaPublic(n, e, true);
  return Object.freeze({ kind: 'rsa', n, e, bits });
}

/**
 * A checked EC public key from an uncompressed point `04 ‖ X ‖ Y` (the TLS and SPKI form).
 * @throws KeyError('InvalidKey') for another length, a compressed or infinity encoding, or a
 *   point that is not on the curve.
 */
export function ecPublicKeyFromPoint(curve: EcCurve, point: Uint8Array): PublicKey {
  const len = CURVE_LEN[curve];
  if (point.length !== 1 + 2 * len || point[0] !== 0x04) {
    throw new KeyError('InvalidKey', `EC public key must be an uncompressed ${curve} point (${1 + 2 * len} bytes starting 04)`);
  }
  try {
    CURVES[curve].Point.fromBytes(point).assertValidity();
  } catch {
    throw new KeyError('InvalidKey', `EC public key is not a valid ${curve} point`);
  }
  return Object.freeze({ kind: 'ec', curve, publicKey: new Uint8Array(point) });
}

/**
 * A checked Ed25519 public key (32 bytes that decode to a curve point, RFC 8032 §5.1.3).
 * @throws KeyError('InvalidKey')
 */
export function ed25519PublicKeyFromBytes(bytes: Uint8Array): PublicKey {
  if (bytes.length !== 32) throw new KeyError('InvalidKey', `Ed25519 public key of ${bytes.length} bytes (expected 32)`);
  try {
    ed25519.Point.fromBytes(bytes, false);
  } catch {
    throw new KeyError('InvalidKey', 'Ed25519 public key does not decode to a curve point');
  }
  return Object.freeze({ kind: 'ed25519', publicKey: new Uint8Array(bytes) });
}

/**
 * Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). Strict: RSA (rsaEncryption, NULL or
 * absent parameters, 1024 to 8192 bits), EC with namedCurve P-256/P-384 and an uncompressed
 * on-curve point, Ed25519 (absent parameters).
 * @throws KeyError('MalformedDer' | 'UnsupportedAlgorithm' | 'UnsupportedCurve' | 'InvalidKey' | 'WeakKey')
 */
export function parseSpki(der: Uint8Array): PublicKey {
  const outer = new DerReader(der, 'SubjectPublicKeyInfo');
  const seq = outer.sequence('SubjectPublicKeyInfo');
  outer.end();
  return readSpki(seq);
}

/** The SPKI fields from a reader positioned inside the SEQUENCE (used by the certificate parser). */
export function readSpki(seq: DerReader): PublicKey {
  const alg = seq.sequence('algorithm');
  const oid = alg.oid('algorithm');
  const bits = seq.bitStringOctets('subjectPublicKey');
  seq.end();
  switch (oid) {
    case Oid.rsaEncryption: {
      if (!alg.done) alg.null('rsaEncryption parameters');
      alg.end();
      const r = new DerReader(bits, 'RSAPublicKey');
      const pk = r.sequence('RSAPublicKey');
      r.end();
      const n = pk.uint('modulus');
      const e = pk.uint('publicExponent');
      pk.end();
      return rsaPublicKeyFromComponents(n, e);
    }
    case Oid.ecPublicKey: {
      const curve = readCurveParameters(alg);
      alg.end();
      return ecPublicKeyFromPoint(curve, bits);
    }
    case Oid.ed25519:
      alg.end();
      return ed25519PublicKeyFromBytes(bits);
    default:
      throw unsupportedAlgorithm(oid);
  }
}

function finish<K extends PrivateKey>(key: K): K {
  return Object.freeze(key);
}

const publicKeys = new WeakMap<PrivateKey, PublicKey>();

/** The public half of a private key (the same frozen object on every call for a given key). */
export function publicKeyOf(key: PrivateKey): PublicKey {
  let pub = publicKeys.get(key);
  if (!pub) {
    switch (key.kind) {
      case 'rsa':
        pub = Object.freeze({ kind: 'rsa', n: key.n, e: key.e, bits: key.bits });
        break;
      case 'ec':
        pub = Object.freeze({ kind: 'ec', curve: key.curve, publicKey: key.publicKey });
        break;
      case 'ed25519':
        pub = Object.freeze({ kind: 'ed25519', publicKey: key.publicKey });
        break;
    }
    publicKeys.set(key, pub);
  }
  return pub;
}

/** Whether two keys (public, or the public halves of private keys) are the same public key. */
export function publicKeysEqual(a: PublicKey | PrivateKey, b: PublicKey | PrivateKey): boolean {
  if (a.kind === 'rsa') return b.kind === 'rsa' && a.n === b.n && a.e === b.e;
  if (a.kind === 'ec') return b.kind === 'ec' && a.curve === b.curve && equalConstantTime(a.publicKey, b.publicKey);
  return b.kind === 'ed25519' && equalConstantTime(a.publicKey, b.publicKey);
}
