/**
 * Encrypted private keys: PKCS #8 `EncryptedPrivateKeyInfo` (RFC 5958 §3, PBES2 from
 * `./pbes2`) and OpenSSL's traditional PEM encryption (RFC 1421 headers `Proc-Type:
 * 4,ENCRYPTED` and `DEK-Info: AES-256-CBC,<hex IV>`, key from `EVP_BytesToKey` with MD5, one
 * iteration, the first 8 IV bytes as salt). A wrong passphrase is `KeyError('BadDecrypt')` with
 * OpenSSL's words ("bad decrypt"), also when the wrong key happens to give valid padding (about
 * 1 in 256) but no key.
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm EncryptionAlgorithmIdentifier,
 *     encryptedData OCTET STRING }
 */
import { md5 } from '@noble/hashes/legacy.js';
import { DerReader } from '../asn1/der';
import { hexToBytes, wipe } from '../bytes';
import { KeyError } from '../errors';
import type { PemBlock } from '../pem';
import { aesCbcDecrypt, passphraseBytes, readPasswordEncryption } from './pbes2';

/** A passphrase as Node takes it: a string (UTF-8) or bytes. */
export type Passphrase = string | Uint8Array;

function required(what: string): KeyError {
  return new KeyError('PassphraseRequired', `passphrase required for encrypted key (${what})`);
}

function badDecrypt(what: string): KeyError {
  return new KeyError('BadDecrypt', `bad decrypt: wrong passphrase for the encrypted private key (${what})`);
}

/**
 * Decrypts and parses: `parse` gets the plaintext DER, which is wiped afterwards. A plaintext
 * that does not parse means the passphrase was wrong.
 */
function parseDecrypted<K>(plain: Uint8Array | undefined, what: string, parse: (der: Uint8Array) => K): K {
  if (plain === undefined) throw badDecrypt(what);
  try {
    return parse(plain);
  } catch (e) {
    if (e instanceof KeyError && e.reason === 'MalformedDer') throw badDecrypt(what);
    throw e;
  } finally {
    wipe(plain);
  }
}

/**
 * Decrypts an `EncryptedPrivateKeyInfo` and hands the PKCS #8 plaintext to `parse`.
 * @throws KeyError('MalformedDer') for a malformed structure, ('UnsupportedEncryption') for a
 *   scheme other than PBES2/PBKDF2/AES-CBC, ('PassphraseRequired') without `passphrase`,
 *   ('BadDecrypt') for a wrong one; whatever `parse` throws for the key itself.
 */
export function decryptEncryptedPkcs8<K>(der: Uint8Array, passphrase: Passphrase | undefined, parse: (pkcs8: Uint8Array) => K): K {
  const outer = new DerReader(der, 'EncryptedPrivateKeyInfo');
  const seq = outer.sequence('EncryptedPrivateKeyInfo');
  outer.end();
  const encryption = readPasswordEncryption(seq.sequence('encryptionAlgorithm'));
  const data = seq.octetString('encryptedData');
  seq.end();
  const what = `ENCRYPTED PRIVATE KEY, ${encryption.description}`;
  if (passphrase === undefined) throw required(what);
  return parseDecrypted(encryption.decrypt(passphraseBytes(passphrase), data), what, parse);
}

/** DEK-Info ciphers OpenSSL writes that puretls decrypts, with their key lengths. */
const LEGACY_CIPHERS = new Map<string, number>([
  ['AES-128-CBC', 16],
  ['AES-192-CBC', 24],
  ['AES-256-CBC', 32],
]);

/** `EVP_BytesToKey(cipher, md5, salt, pass, count = 1)`: D_i = MD5(D_{i-1} ‖ pass ‖ salt), concatenated. */
function evpBytesToKey(pass: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let prev = new Uint8Array(0);
  for (let off = 0; off < length; ) {
    const input = new Uint8Array(prev.length + pass.length + salt.length);
    input.set(prev, 0);
    input.set(pass, prev.length);
    input.set(salt, prev.length + pass.length);
    prev = md5(input);
    wipe(input);
    const n = Math.min(prev.length, length - off);
    out.set(prev.subarray(0, n), off);
    off += n;
  }
  wipe(prev);
  return out;
}

/**
 * Decrypts a traditional encrypted PEM block (`RSA PRIVATE KEY` / `EC PRIVATE KEY` with
 * `Proc-Type: 4,ENCRYPTED`) and hands the DER to `parse`.
 * @throws KeyError('MalformedDer') for a missing or malformed `DEK-Info`,
 *   ('UnsupportedEncryption') for a cipher other than AES-128/192/256-CBC (DES, DES-EDE3,
 *   …), ('PassphraseRequired'), ('BadDecrypt').
 */
export function decryptLegacyPem<K>(block: PemBlock, passphrase: Passphrase | undefined, parse: (der: Uint8Array) => K): K {
  const dek = block.headers.get('DEK-Info');
  if (dek === undefined) throw new KeyError('MalformedDer', `"${block.label}" has Proc-Type: 4,ENCRYPTED but no DEK-Info header`);
  const m = /^([A-Za-z0-9-]+),([0-9A-Fa-f]+)$/.exec(dek.trim());
  if (!m) throw new KeyError('MalformedDer', `invalid DEK-Info header ${JSON.stringify(dek)}`);
  const cipher = m[1]!.toUpperCase();
  const keyLength = LEGACY_CIPHERS.get(cipher);
  if (keyLength === undefined) {
    throw new KeyError('UnsupportedEncryption', `unsupported key encryption ${cipher} (DEK-Info): use AES-256-CBC (openssl pkcs8 -topk8 -v2 aes-256-cbc)`);
  }
  const iv = hexToBytes(m[2]!.length % 2 ? `0${m[2]!}` : m[2]!);
  if (iv.length !== 16) throw new KeyError('MalformedDer', `DEK-Info IV of ${iv.length} bytes (expected 16)`);
  const what = `${block.label}, ${cipher}`;
  if (passphrase === undefined) throw required(what);
  const key = evpBytesToKey(passphraseBytes(passphrase), iv.subarray(0, 8), keyLength);
  try {
    return parseDecrypted(aesCbcDecrypt(key, iv, block.der), what, parse);
  } finally {
    wipe(key);
  }
}
