/**
 * Password-based decryption (RFC 8018, PKCS #5 v2.1): PBES2 with PBKDF2 (HMAC-SHA-1/224/256/
 * 384/512) and AES-128/192/256-CBC, what `openssl pkcs8 -topk8 -v2 aes-256-cbc`, `openssl
 * pkcs12 -export` (OpenSSL 3.0 defaults) and Node's `generateKeyPairSync(…, { privateKeyEncoding:
 * { cipher, passphrase } })` write. Everything else (PBES1, the PKCS #12 PBEs, DES, 3DES, RC2,
 * scrypt) is refused by name. Pure TypeScript on `@noble/hashes` and `@noble/ciphers`.
 *
 *   PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
 *   PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
 *     iterationCount INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL,
 *     prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
 */
import { cbc } from '@noble/ciphers/aes.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { DerReader, Tag } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { wipe } from '../bytes';
import { KeyError } from '../errors';

/**
 * Largest PBKDF2 iteration count accepted. OpenSSL writes 2048 by default; far larger counts only
 * make loading slow (10 million SHA-256 iterations take minutes in pure TypeScript).
 */
export const MAX_KDF_ITERATIONS = 10_000_000;

const PRFS = new Map<string, { name: string; hash: CHash }>([
  [Oid.hmacWithSha1, { name: 'HMAC-SHA1', hash: sha1 }],
  [Oid.hmacWithSha224, { name: 'HMAC-SHA224', hash: sha224 }],
  [Oid.hmacWithSha256, { name: 'HMAC-SHA256', hash: sha256 }],
  [Oid.hmacWithSha384, { name: 'HMAC-SHA384', hash: sha384 }],
  [Oid.hmacWithSha512, { name: 'HMAC-SHA512', hash: sha512 }],
]);

const AES_CBC = new Map<string, { name: string; keyLength: number }>([
  [Oid.aes128Cbc, { name: 'AES-128-CBC', keyLength: 16 }],
  [Oid.aes192Cbc, { name: 'AES-192-CBC', keyLength: 24 }],
  [Oid.aes256Cbc, { name: 'AES-256-CBC', keyLength: 32 }],
]);

/** Encryption schemes seen in the wild that puretls does not implement, by OID. */
const UNSUPPORTED = new Map<string, string>([
  [Oid.desCbc, 'DES-CBC'],
  [Oid.desEde3Cbc, 'DES-EDE3-CBC'],
  [Oid.rc2Cbc, 'RC2-CBC'],
  [Oid.scrypt, 'scrypt'],
  ['1.2.840.113549.1.5.1', 'pbeWithMD2AndDES-CBC (PBES1)'],
  ['1.2.840.113549.1.5.3', 'pbeWithMD5AndDES-CBC (PBES1)'],
  ['1.2.840.113549.1.5.4', 'pbeWithMD2AndRC2-CBC (PBES1)'],
  ['1.2.840.113549.1.5.6', 'pbeWithMD5AndRC2-CBC (PBES1)'],
  ['1.2.840.113549.1.5.10', 'pbeWithSHA1AndDES-CBC (PBES1)'],
  ['1.2.840.113549.1.5.11', 'pbeWithSHA1AndRC2-CBC (PBES1)'],
  ['1.2.840.113549.1.12.1.1', 'pbeWithSHAAnd128BitRC4 (PKCS #12)'],
  ['1.2.840.113549.1.12.1.2', 'pbeWithSHAAnd40BitRC4 (PKCS #12)'],
  ['1.2.840.113549.1.12.1.3', 'pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS #12)'],
  ['1.2.840.113549.1.12.1.4', 'pbeWithSHAAnd2-KeyTripleDES-CBC (PKCS #12)'],
  ['1.2.840.113549.1.12.1.5', 'pbeWithSHAAnd128BitRC2-CBC (PKCS #12)'],
  ['1.2.840.113549.1.12.1.6', 'pbeWithSHAAnd40BitRC2-CBC (PKCS #12)'],
  ['2.16.840.1.101.3.4.1.6', 'AES-128-GCM'],
  ['2.16.840.1.101.3.4.1.46', 'AES-256-GCM'],
]);

const REENCRYPT = 'use PBES2 with AES-CBC (openssl pkcs8 -topk8 -v2 aes-256-cbc, or openssl pkcs12 -export without -legacy)';

function unsupported(oid: string, what: string): KeyError {
  const name = UNSUPPORTED.get(oid) ?? oid;
  return new KeyError('UnsupportedEncryption', `unsupported ${what} ${name}${name === oid ? '' : ` (${oid})`}: ${REENCRYPT}`);
}

/** A parsed password-based encryption: how to derive the key and decrypt. */
export interface PasswordEncryption {
  /** e.g. `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC, 2048 iterations)`, for messages. */
  readonly description: string;
  /** Derives the key from `password` and decrypts; `undefined` when the padding is wrong (a wrong password, almost always). */
  decrypt(password: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
}

/**
 * Reads an encryption AlgorithmIdentifier (the SEQUENCE content: algorithm OID and parameters).
 * @throws KeyError('UnsupportedEncryption') for anything but PBES2/PBKDF2/AES-CBC;
 *   KeyError('MalformedDer') for malformed parameters.
 */
export function readPasswordEncryption(alg: DerReader): PasswordEncryption {
  const oid = alg.oid('encryptionAlgorithm');
  if (oid !== Oid.pbes2) throw unsupported(oid, 'key encryption');
  const params = alg.sequence('PBES2-params');
  alg.end();
  const kdf = params.sequence('keyDerivationFunc');
  const scheme = params.sequence('encryptionScheme');
  params.end();

  const kdfOid = kdf.oid('keyDerivationFunc');
  if (kdfOid !== Oid.pbkdf2) throw unsupported(kdfOid, 'key derivation function');
  const p = kdf.sequence('PBKDF2-params');
  kdf.end();
  if (p.peekTag() !== Tag.OCTET_STRING) throw new KeyError('UnsupportedEncryption', `PBKDF2 salt from another source is not supported: ${REENCRYPT}`);
  const salt = p.octetString('salt');
  const iterations = p.uint('iterationCount');
  if (iterations < 1n) throw new KeyError('MalformedDer', 'PBKDF2 iterationCount must be at least 1');
  if (iterations > BigInt(MAX_KDF_ITERATIONS)) {
    throw new KeyError('UnsupportedEncryption', `PBKDF2 with ${iterations} iterations: more than the ${MAX_KDF_ITERATIONS} accepted`);
  }
  const keyLength = p.peekTag() === Tag.INTEGER ? p.uint('keyLength') : undefined;
  let prf = PRFS.get(Oid.hmacWithSha1)!;
  if (!p.done) {
    const prfAlg = p.sequence('prf');
    const prfOid = prfAlg.oid('prf');
    if (!prfAlg.done) prfAlg.null('prf parameters');
    prfAlg.end();
    const known = PRFS.get(prfOid);
    if (!known) throw unsupported(prfOid, 'PBKDF2 pseudo-random function');
    prf = known;
  }
  p.end();

  const schemeOid = scheme.oid('encryptionScheme');
  const cipher = AES_CBC.get(schemeOid);
  if (!cipher) throw unsupported(schemeOid, 'cipher');
  const iv = scheme.octetString('AES-CBC IV');
  scheme.end();
  if (iv.length !== 16) throw new KeyError('MalformedDer', `AES-CBC IV of ${iv.length} bytes (expected 16)`);
  if (keyLength !== undefined && keyLength !== BigInt(cipher.keyLength)) {
    throw new KeyError('MalformedDer', `PBKDF2 keyLength ${keyLength} does not fit ${cipher.name}`);
  }
  const c = Number(iterations);
  return {
    description: `PBES2 (PBKDF2-${prf.name}, ${cipher.name}, ${c} iterations)`,
    decrypt(password, ciphertext) {
      const key = pbkdf2(prf.hash, password, salt, { c, dkLen: cipher.keyLength });
      try {
        return aesCbcDecrypt(key, iv, ciphertext);
      } finally {
        wipe(key);
      }
    },
  };
}

/**
 * AES-CBC decryption with PKCS #7 padding (RFC 8018 §6.2.2 / RFC 5652 §6.3), or `undefined` when
 * the ciphertext is not whole blocks or the padding is wrong.
 */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  try {
    return cbc(key, iv).decrypt(ciphertext);
  } catch {
    return undefined;
  }
}

/** Bytes of a passphrase: a string as UTF-8 (as Node passes it to OpenSSL), bytes as given. */
export function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  return typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : passphrase;
}
