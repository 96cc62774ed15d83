/**
 * PKCS #12 (RFC 7292) files as Node's `pfx` option reads them (OpenSSL's `PKCS12_parse`):
 * password integrity (the HMAC over the authenticated safe, SHA-1/224/256/384/512, key from the
 * PKCS #12 KDF), then the safe contents, plain or PBES2-encrypted, with one private key (plain or
 * shrouded) and X.509 certificates. What `openssl pkcs12 -export` writes with OpenSSL 3.0's
 * defaults (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, MAC HMAC-SHA256) or with `-certpbe`,
 * `-keypbe`, `-macalg`, `-nomac`, `-nomaciter` variants that avoid the legacy ciphers. The
 * `-legacy` ciphers (RC2, 3DES), public-key integrity and enveloped data are refused by name.
 * Strict DER: BER files (indefinite lengths, constructed strings) are refused.
 *
 *   PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
 *   MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
 *   AuthenticatedSafe ::= SEQUENCE OF ContentInfo
 *   SafeContents ::= SEQUENCE OF SafeBag
 *   SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF PKCS12Attribute OPTIONAL }
 *   CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT ANY }
 *   EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo EncryptedContentInfo, … }
 *   EncryptedContentInfo ::= SEQUENCE { contentType OID, contentEncryptionAlgorithm AlgorithmIdentifier,
 *     encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { DerReader, Tag } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { equalConstantTime, wipe } from '../bytes';
import { KeyError } from '../errors';
import { decryptEncryptedPkcs8, type Passphrase } from '../keys/encrypted';
import { parsePrivateKey, publicKeyOf, publicKeysEqual } from '../keys/parse';
import { passphraseBytes, readPasswordEncryption, MAX_KDF_ITERATIONS } from '../keys/pbes2';
import type { PrivateKey } from '../keys/types';
import { parseCertificate, type Certificate } from '../x509/certificate';
import { PKCS12_MAC_ID, pkcs12Kdf, pkcs12PasswordBytes } from './kdf';

/** Options of {@link parsePkcs12}. */
export interface Pkcs12Options {
  /** Accept an RSA key of 1024 to 2047 bits, as {@link parsePrivateKey} does. */
  readonly allowWeakRsa?: boolean;
}

/** What a PKCS #12 file holds, as Node uses it. */
export interface Pkcs12Contents {
  readonly key: PrivateKey;
  /**
   * The certificate whose public key matches `key`, then every other certificate of the file
   * in file order: what Node sends as the chain.
   */
  readonly certificates: readonly Certificate[];
  /** The other certificates (Node also trusts them as `ca` and names them in CertificateRequest). */
  readonly ca: readonly Certificate[];
}

const MAC_HASHES = new Map<string, { readonly name: string; readonly hash: CHash }>([
  [Oid.sha1, { name: 'SHA-1', hash: sha1 }],
  [Oid.sha224, { name: 'SHA-224', hash: sha224 }],
  [Oid.sha256, { name: 'SHA-256', hash: sha256 }],
  [Oid.sha384, { name: 'SHA-384', hash: sha384 }],
  [Oid.sha512, { name: 'SHA-512', hash: sha512 }],
]);

const BAG_NAMES = new Map<string, string>([
  [Oid.crlBag, 'crlBag'],
  [Oid.secretBag, 'secretBag'],
]);

/** Safe contents nest (safeContentsBag) at most this deep. */
const MAX_NESTING = 4;

function unsupported(what: string): KeyError {
  return new KeyError('UnsupportedPkcs12', `unsupported PKCS#12 content: ${what}`);
}

/**
 * Reads a PKCS #12 file (DER).
 *
 * `passphrase` protects both the MAC and the encrypted bags. Without one (or with `''`), the
 * empty password is tried as OpenSSL does: first as no bytes at all, then as an empty string.
 * A file without a MAC opens only with an empty passphrase (OpenSSL 3.0: "mac verify failure").
 * @throws KeyError with reason `MacVerifyFailure` (wrong passphrase, corrupted file, or a MAC-less
 *   file with a passphrase), `BadDecrypt`, `UnsupportedEncryption` (e.g. the `-legacy` RC2/3DES
 *   ciphers, named), `UnsupportedPkcs12` (public-key integrity or encryption, CRL or secret
 *   bags, non-X.509 certificates, PBMAC1, more than one private key), `IncompletePkcs12` (no
 *   private key, or no certificate for it), `MalformedDer`, and what {@link parsePrivateKey} /
 *   {@link parseCertificate} throw for the key and certificates.
 */
export function parsePkcs12(der: Uint8Array, passphrase?: Passphrase, options: Pkcs12Options = {}): Pkcs12Contents {
  if (!(der instanceof Uint8Array)) throw new TypeError('parsePkcs12(der): a Uint8Array is required');
  const outer = new DerReader(der, 'PFX');
  const pfx = outer.sequence('PFX');
  outer.end();
  const version = pfx.smallUint('PFX version');
  if (version !== 3) throw new KeyError('MalformedDer', `PFX version ${version} (expected 3)`);
  const authSafe = readContentInfo(pfx.sequence('authSafe'));
  if (authSafe.type !== Oid.pkcs7Data) {
    throw unsupported(authSafe.type === Oid.pkcs7SignedData ? 'public-key integrity mode (signedData)' : `authSafe of type ${authSafe.type}`);
  }
  const authSafeData = octetContent(authSafe.content, 'authSafe data');
  const macData = pfx.done ? undefined : readMacData(pfx.sequence('macData'));
  pfx.end();

  // RFC 7292 §5.1 step 4 / OpenSSL PKCS12_parse: which password opens the MAC.
  const given = passphrase === undefined ? undefined : passphraseBytes(passphrase);
  let password: Uint8Array | undefined;
  if (given === undefined || given.length === 0) {
    if (macData === undefined || macVerifies(macData, undefined, authSafeData)) password = undefined;
    else if (macVerifies(macData, new Uint8Array(0), authSafeData)) password = new Uint8Array(0);
    else throw macFailure();
  } else {
    if (macData === undefined) throw new KeyError('MacVerifyFailure', 'mac verify failure: the PKCS#12 file has no MAC, so it opens only without a passphrase');
    if (!macVerifies(macData, given, authSafeData)) throw macFailure();
    password = given;
  }

  const keys: PrivateKey[] = [];
  const certs: Certificate[] = [];
  const r = new DerReader(authSafeData, 'AuthenticatedSafe');
  const safes = r.sequence('AuthenticatedSafe');
  r.end();
  while (!safes.done) {
    const ci = readContentInfo(safes.sequence('ContentInfo'));
    let contents: Uint8Array;
    if (ci.type === Oid.pkcs7Data) {
      contents = octetContent(ci.content, 'SafeContents data');
      readSafeContents(contents, password, options, keys, certs, 0);
    } else if (ci.type === Oid.pkcs7EncryptedData) {
      contents = decryptEncryptedData(ci.content, password);
      try {
        readSafeContents(contents, password, options, keys, certs, 0);
      } finally {
        wipe(contents);
      }
    } else if (ci.type === Oid.pkcs7EnvelopedData) {
      throw unsupported('public-key privacy mode (envelopedData)');
    } else {
      throw unsupported(`a safe of type ${ci.type}`);
    }
  }
  if (keys.length === 0) throw new KeyError('IncompletePkcs12', 'the PKCS#12 file holds no private key');
  if (keys.length > 1) throw unsupported(`${keys.length} private keys (exactly one is used)`);
  const key = keys[0]!;
  const pub = publicKeyOf(key);
  const leafIndex = certs.findIndex((c) => publicKeysEqual(c.publicKey, pub));
  if (leafIndex < 0) throw new KeyError('IncompletePkcs12', 'no certificate in the PKCS#12 file matches its private key');
  const ca = certs.filter((_, i) => i !== leafIndex);
  return Object.freeze({ key, certificates: Object.freeze([certs[leafIndex]!, ...ca]), ca: Object.freeze(ca) });
}

function macFailure(): KeyError {
  return new KeyError('MacVerifyFailure', 'mac verify failure: wrong passphrase or corrupted PKCS#12 file');
}

interface MacData {
  readonly hash: CHash;
  readonly digest: Uint8Array;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
function readMacData(m: DerReader): MacData {
  const digestInfo = m.sequence('mac');
  const alg = digestInfo.sequence('digestAlgorithm');
  const oid = alg.oid('digestAlgorithm');
  if (oid === Oid.pbmac1) throw unsupported('PBMAC1 integrity (RFC 9579)');
  if (!alg.done) alg.null('digestAlgorithm parameters');
  alg.end();
  const digest = digestInfo.octetString('digest');
  digestInfo.end();
  const salt = m.octetString('macSalt');
  const iterations = m.done ? 1n : m.uint('iterations');
  m.end();
  const h = MAC_HASHES.get(oid);
  if (!h) throw unsupported(`MAC digest ${oid}`);
  if (iterations < 1n || iterations > BigInt(MAX_KDF_ITERATIONS)) throw unsupported(`a MAC with ${iterations} iterations`);
  return { hash: h.hash, digest, salt, iterations: Number(iterations) };
}

/** RFC 7292 §5.1 / §B.3: HMAC over the authSafe content with the PKCS #12 KDF's ID-3 key. */
function macVerifies(mac: MacData, password: Uint8Array | undefined, data: Uint8Array): boolean {
  const pw = pkcs12PasswordBytes(password);
  const key = pkcs12Kdf(mac.hash, PKCS12_MAC_ID, pw, mac.salt, mac.iterations, mac.hash.outputLen);
  const computed = hmac(mac.hash, key, data);
  wipe(pw, key);
  return equalConstantTime(computed, mac.digest);
}

interface ContentInfo {
  readonly type: string;
  /** The `[0] EXPLICIT` content's inner element reader, or `undefined` when absent. */
  readonly content: DerReader | undefined;
}

// ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }
function readContentInfo(r: DerReader): ContentInfo {
  const type = r.oid('contentType');
  const content = r.done ? undefined : r.explicit(0xa0, 'content');
  r.end();
  return { type, content };
}

function octetContent(r: DerReader | undefined, what: string): Uint8Array {
  if (!r) throw new KeyError('MalformedDer', `${what} is missing`);
  const c = r.octetString(what);
  r.end();
  return c;
}

function decryptEncryptedData(r: DerReader | undefined, password: Uint8Array | undefined): Uint8Array {
  if (!r) throw new KeyError('MalformedDer', 'EncryptedData is missing');
  const ed = r.sequence('EncryptedData');
  r.end();
  ed.smallUint('EncryptedData version');
  const eci = ed.sequence('EncryptedContentInfo');
  // unprotectedAttrs [1] and anything later are ignored, as OpenSSL does.
  const type = eci.oid('contentType');
  if (type !== Oid.pkcs7Data) throw unsupported(`encrypted content of type ${type}`);
  const encryption = readPasswordEncryption(eci.sequence('contentEncryptionAlgorithm'));
  const content = eci.element(0x80, 'encryptedContent [0] IMPLICIT OCTET STRING').content;
  eci.end();
  const plain = encryption.decrypt(password ?? new Uint8Array(0), content);
  if (plain === undefined) throw new KeyError('BadDecrypt', `bad decrypt: PKCS#12 encrypted safe contents (${encryption.description})`);
  return plain;
}

function readSafeContents(contents: Uint8Array, password: Uint8Array | undefined, options: Pkcs12Options, keys: PrivateKey[], certs: Certificate[], depth: number): void {
  if (depth > MAX_NESTING) throw unsupported(`safe contents nested more than ${MAX_NESTING} deep`);
  const r = new DerReader(contents, 'SafeContents');
  const bags = r.sequence('SafeContents');
  r.end();
  while (!bags.done) {
    const bag = bags.sequence('SafeBag');
    const id = bag.oid('bagId');
    const value = bag.explicit(0xa0, 'bagValue');
    if (!bag.done) bag.element(Tag.SET, 'bagAttributes'); // friendlyName, localKeyId: not needed
    bag.end();
    switch (id) {
      case Oid.keyBag:
        keys.push(parsePrivateKey(value.element(Tag.SEQUENCE, 'PrivateKeyInfo').raw, options));
        break;
      case Oid.pkcs8ShroudedKeyBag:
        keys.push(decryptEncryptedPkcs8(value.element(Tag.SEQUENCE, 'EncryptedPrivateKeyInfo').raw, password ?? new Uint8Array(0), (der) => parsePrivateKey(der, options)));
        break;
      case Oid.certBag: {
        const cb = value.sequence('CertBag');
        const certId = cb.oid('certId');
        if (certId !== Oid.x509Certificate) throw unsupported(certId === Oid.sdsiCertificate ? 'an SDSI certificate' : `a certificate of type ${certId}`);
        const certDer = cb.explicit(0xa0, 'certValue').octetString('x509Certificate');
        cb.end();
        certs.push(parseCertificate(certDer.slice()));
        break;
      }
      case Oid.safeContentsBag:
        readSafeContents(value.element(Tag.SEQUENCE, 'SafeContents').raw, password, options, keys, certs, depth + 1);
        break;
      default:
        throw unsupported(`a ${BAG_NAMES.get(id) ?? `bag of type ${id}`}`);
    }
    value.end();
  }
}
