/**
 * Encrypted private keys: encrypted PKCS#8 (PBES2/PBKDF2/AES-CBC) from `openssl pkcs8 -topk8
 * -v2 … -v2prf …` and from Node's `generateKeyPairSync(…, { privateKeyEncoding: { cipher,
 * passphrase } })`, and OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED`) from
 * `openssl` and Node, each compared with the same key unencrypted; wrong, missing and
 * unsupported encryption give the KeyError reason that names the problem, where Node fails too.
 */
import * as nodeCrypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DerReader, derOctetString, derOid, derSequence, derUint } from '../src/asn1/der';
import { Oid } from '../src/asn1/oids';
import { isKeyError, type KeyErrorReason } from '../src/errors';
import { encodePkcs8 } from '../src/keys/encode';
import { parsePrivateKey } from '../src/keys/parse';
import { MAX_KDF_ITERATIONS } from '../src/keys/pbes2';
import { decodePem, encodePem } from '../src/pem';
import { Pki } from './pki';

const pki = new Pki();
afterAll(() => pki.close());

function keyError(fn: () => unknown): { reason: KeyErrorReason; message: string } {
  try {
    fn();
  } catch (e) {
    if (isKeyError(e)) return { reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('no KeyError thrown');
}

/** What Node's `createPrivateKey` says about the same input: its error code, or 'ok'. */
function nodeSays(key: string | Uint8Array, passphrase?: string): string {
  try {
    const input = typeof key === 'string' ? { key, passphrase } : { key: Buffer.from(key), format: 'der' as const, type: 'pkcs8' as const, passphrase };
    nodeCrypto.createPrivateKey(input);
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const types = { p256: 'p256', p384: 'p384', rsa: 'rsa', ed25519: 'ed25519' } as const;
for (const [name, type] of Object.entries(types)) pki.key(name, type);
const plain = (name: string) => encodePkcs8(parsePrivateKey(pki.keyPem(name)));
const PASS = 'correct horse';

describe('encrypted PKCS#8 from openssl pkcs8 -topk8 -v2', () => {
  const ciphers = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'];
  const prfs = ['hmacWithSHA1', 'hmacWithSHA224', 'hmacWithSHA256', 'hmacWithSHA384', 'hmacWithSHA512'];
  const matrix = ciphers.flatMap((cipher) => prfs.map((prf) => ({ cipher, prf })));
  it.each(matrix)('$cipher with PBKDF2-$prf (PEM and DER)', ({ cipher, prf }) => {
    const args = ['pkcs8', '-topk8', '-in', 'p256.key', '-v2', cipher, '-v2prf', prf, '-passout', `pass:${PASS}`];
    const pem = pki.openssl(args);
    expect(pem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: PASS }))).toEqual(plain('p256'));
    const der = decodePem(pem)[0]!.der;
    expect(encodePkcs8(parsePrivateKey(der, { passphrase: PASS }))).toEqual(plain('p256'));
    expect(nodeSays(pem, PASS)).toBe('ok');
  });

  it.each(['p384', 'rsa', 'ed25519'])('%s key', (name) => {
    const pem = pki.openssl(['pkcs8', '-topk8', '-in', `${name}.key`, '-v2', 'aes-256-cbc', '-passout', `pass:${PASS}`]);
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: PASS }))).toEqual(plain(name));
  });

  it('a non-ASCII passphrase, as a string (UTF-8) or as bytes', () => {
    const pass = 'pässwörd ✓';
    const pem = pki.openssl(['pkcs8', '-topk8', '-in', 'p256.key', '-v2', 'aes-256-cbc', '-passout', `pass:${pass}`]);
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: pass }))).toEqual(plain('p256'));
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: new TextEncoder().encode(pass) }))).toEqual(plain('p256'));
  });
});

describe("Node's generateKeyPairSync privateKeyEncoding { cipher, passphrase }", () => {
  it.each([
    { type: 'rsa', opts: { modulusLength: 2048 } },
    { type: 'ec', opts: { namedCurve: 'P-256' } },
    { type: 'ec', opts: { namedCurve: 'P-384' } },
    { type: 'ed25519', opts: {} },
  ] as const)('$type $opts.namedCurve: PKCS#8 PEM and DER', ({ type, opts }) => {
    const { privateKey } = nodeCrypto.generateKeyPairSync(type as 'ec', opts as nodeCrypto.ECKeyPairKeyObjectOptions);
    const reference = encodePkcs8(parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: PASS }) as string;
    const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: PASS }));
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: PASS }))).toEqual(reference);
    expect(encodePkcs8(parsePrivateKey(der, { passphrase: PASS }))).toEqual(reference);
  });

  it.each(['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'])('traditional PEM (PKCS#1, SEC1) with %s', (cipher) => {
    for (const [type, opts, format] of [
      ['rsa', { modulusLength: 2048 }, 'pkcs1'],
      ['ec', { namedCurve: 'P-256' }, 'sec1'],
    ] as const) {
      const { privateKey } = nodeCrypto.generateKeyPairSync(type as 'ec', opts as nodeCrypto.ECKeyPairKeyObjectOptions);
      const pem = privateKey.export({ format: 'pem', type: format, cipher, passphrase: PASS }) as string;
      expect(pem).toContain(`DEK-Info: ${cipher.toUpperCase()},`);
      const reference = encodePkcs8(parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
      expect(encodePkcs8(parsePrivateKey(pem, { passphrase: PASS }))).toEqual(reference);
    }
  });
});

describe('traditional PEM from openssl', () => {
  it.each([
    ['rsa', ['rsa', '-traditional', '-aes256']],
    ['p256', ['ec', '-aes128']],
  ] as const)('%s: %s', (name, args) => {
    const pem = pki.openssl([...args, '-in', `${name}.key`, '-passout', `pass:${PASS}`]);
    expect(pem).toContain('Proc-Type: 4,ENCRYPTED');
    expect(encodePkcs8(parsePrivateKey(pem, { passphrase: PASS }))).toEqual(plain(name));
  });
});

describe('failures name what is wrong', () => {
  const enc8 = pki.openssl(['pkcs8', '-topk8', '-in', 'p256.key', '-v2', 'aes-256-cbc', '-passout', `pass:${PASS}`]);
  const legacy = pki.openssl(['ec', '-aes256', '-in', 'p256.key', '-passout', `pass:${PASS}`]);

  it('a wrong passphrase: BadDecrypt, "bad decrypt" (Node: ERR_OSSL_BAD_DECRYPT)', () => {
    for (const key of [enc8, legacy]) {
      const e = keyError(() => parsePrivateKey(key, { passphrase: 'wrong' }));
      expect(e.reason).toBe('BadDecrypt');
      expect(e.message).toMatch(/^bad decrypt: wrong passphrase/);
      expect(nodeSays(key, 'wrong')).toBe('ERR_OSSL_BAD_DECRYPT');
    }
    expect(keyError(() => parsePrivateKey(enc8, { passphrase: 'wrong' })).message).toContain('PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC, 2048 iterations)');
  });

  it('a wrong passphrase whose garbage happens to have valid padding is still BadDecrypt', () => {
    // One iteration, so that trying candidates is cheap; node:crypto finds one whose CBC padding checks out.
    const pem = pki.openssl(['pkcs8', '-topk8', '-in', 'p256.key', '-v2', 'aes-128-cbc', '-iter', '1', '-passout', `pass:${PASS}`]);
    const { salt, iv, data } = pbes2Fields(decodePem(pem)[0]!.der);
    let found: string | undefined;
    for (let i = 0; i < 20_000 && found === undefined; i++) {
      const candidate = `wrong-${i}`;
      const d = nodeCrypto.createDecipheriv('aes-128-cbc', nodeCrypto.pbkdf2Sync(candidate, salt, 1, 16, 'sha256'), iv);
      try {
        d.update(data);
        d.final();
        found = candidate;
      } catch {
        // bad padding: the next candidate
      }
    }
    expect(found).toBeDefined();
    expect(keyError(() => parsePrivateKey(pem, { passphrase: found! })).reason).toBe('BadDecrypt');
  });

  it('no passphrase: PassphraseRequired (Node fails too)', () => {
    for (const key of [enc8, legacy]) {
      const e = keyError(() => parsePrivateKey(key));
      expect(e.reason).toBe('PassphraseRequired');
      expect(e.message).toMatch(/^passphrase required for encrypted key/);
      expect(nodeSays(key)).not.toBe('ok');
    }
  });

  it.each([
    { what: 'PBES1 / PKCS#12 PBE (openssl -v1 PBE-SHA1-3DES)', args: ['pkcs8', '-topk8', '-in', 'p256.key', '-v1', 'PBE-SHA1-3DES'], name: 'pbeWithSHAAnd3-KeyTripleDES-CBC' },
    { what: 'PBES2 with DES-EDE3-CBC', args: ['pkcs8', '-topk8', '-in', 'p256.key', '-v2', 'des3'], name: 'DES-EDE3-CBC' },
    { what: 'PBES2 with scrypt', args: ['pkcs8', '-topk8', '-in', 'p256.key', '-scrypt'], name: 'scrypt' },
    { what: 'traditional DES-EDE3-CBC', args: ['ec', '-des3', '-in', 'p256.key'], name: 'DES-EDE3-CBC' },
    { what: 'PBES2 with AES-256-OFB', args: ['pkcs8', '-topk8', '-in', 'p256.key', '-v2', 'aes-256-ofb'], name: '2.16.840.1.101.3.4.1.43' },
  ])('$what: UnsupportedEncryption naming $name', ({ args, name }) => {
    const pem = pki.openssl([...args, '-passout', `pass:${PASS}`]);
    const e = keyError(() => parsePrivateKey(pem, { passphrase: PASS }));
    expect(e.reason).toBe('UnsupportedEncryption');
    expect(e.message).toContain(name);
  });

  it(`more than ${MAX_KDF_ITERATIONS} PBKDF2 iterations is refused before any work`, () => {
    const alg = derSequence(
      derOid(Oid.pbes2),
      derSequence(derSequence(derOid(Oid.pbkdf2), derSequence(derOctetString(new Uint8Array(8)), derUint(BigInt(MAX_KDF_ITERATIONS) + 1n))), derSequence(derOid(Oid.aes256Cbc), derOctetString(new Uint8Array(16)))),
    );
    const pem = encodePem('ENCRYPTED PRIVATE KEY', derSequence(alg, derOctetString(new Uint8Array(32))));
    expect(keyError(() => parsePrivateKey(pem, { passphrase: PASS })).reason).toBe('UnsupportedEncryption');
  });

  it('a passphrase for a key that is not encrypted is ignored (as in Node)', () => {
    expect(encodePkcs8(parsePrivateKey(pki.keyPem('p256'), { passphrase: 'unused' }))).toEqual(plain('p256'));
    expect(nodeSays(pki.keyPem('p256'), 'unused')).toBe('ok');
  });
});

/** Salt, IV and ciphertext of a PBES2/PBKDF2/AES-CBC EncryptedPrivateKeyInfo. */
function pbes2Fields(der: Uint8Array): { salt: Uint8Array; iv: Uint8Array; data: Uint8Array } {
  const info = new DerReader(der).sequence('EncryptedPrivateKeyInfo');
  const alg = info.sequence('alg');
  alg.oid('pbes2');
  const params = alg.sequence('PBES2-params');
  const kdf = params.sequence('kdf');
  kdf.oid('pbkdf2');
  const salt = kdf.sequence('PBKDF2-params').octetString('salt');
  const scheme = params.sequence('scheme');
  scheme.oid('aes');
  const iv = scheme.octetString('iv');
  return { salt, iv, data: info.octetString('encryptedData') };
}
