/**
 * Key loading: every supported format (PEM and DER), one test per KeyError reason, SPKI parsing,
 * public-key helpers, PKCS#8 export and P-256 key generation. Inputs are made at test time with
 * `node:crypto` and the `openssl` CLI.
 */
import * as nodeCrypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derBitString, derNull, derOctetString, derOid, derSequence, derTlv, derUint } from '../src/asn1/der';
import { Oid } from '../src/asn1/oids';
import { isKeyError, type KeyErrorReason } from '../src/errors';
import { encodePkcs8, encodeSpki, privateKeyToPem, publicKeyToPem } from '../src/keys/encode';
import { generateEcdsaP256Key } from '../src/keys/generate';
import { parsePrivateKey, parseSpki, publicKeyOf, publicKeysEqual } from '../src/keys/parse';
import type { EcPrivateKey, Ed25519PrivateKey, PrivateKey, RsaPrivateKey } from '../src/keys/types';
import { encodePem } from '../src/pem';
import { scriptedRandom } from '../src/random';
import { createNobleProvider } from '../src/noble/provider';
import { toHex } from './vectors';

function expectKeyError(fn: () => unknown, reason: KeyErrorReason): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isKeyError(err) ? err.reason : err, String(err)).toBe(reason);
}

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

const gen = {
  rsa: (bits: number) => nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits }).privateKey,
  ec: (namedCurve: string) => nodeCrypto.generateKeyPairSync('ec', { namedCurve }).privateKey,
  ed25519: () => nodeCrypto.generateKeyPairSync('ed25519').privateKey,
};
const rsa2048 = gen.rsa(2048);
const p256 = gen.ec('P-256');
const p384 = gen.ec('P-384');
const ed = gen.ed25519();
const pem = (k: nodeCrypto.KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1') => k.export({ format: 'pem', type } as nodeCrypto.KeyExportOptions<'pem'>) as string;
const der = (k: nodeCrypto.KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1') => new Uint8Array(k.export({ format: 'der', type } as nodeCrypto.KeyExportOptions<'der'>));

/** The public key node:crypto derives, as SPKI DER, to compare with ours. */
const nodeSpki = (k: nodeCrypto.KeyObject) => toHex(new Uint8Array(nodeCrypto.createPublicKey(k).export({ format: 'der', type: 'spki' })));

describe('parsePrivateKey: supported formats', () => {
  const cases: [string, nodeCrypto.KeyObject, string | Uint8Array, string][] = [
    ['RSA PKCS#8 PEM', rsa2048, pem(rsa2048, 'pkcs8'), 'rsa'],
    ['RSA PKCS#1 PEM', rsa2048, pem(rsa2048, 'pkcs1'), 'rsa'],
    ['RSA PKCS#8 DER', rsa2048, der(rsa2048, 'pkcs8'), 'rsa'],
    ['RSA PKCS#1 DER', rsa2048, der(rsa2048, 'pkcs1'), 'rsa'],
    ['P-256 PKCS#8 PEM', p256, pem(p256, 'pkcs8'), 'ec'],
    ['P-256 SEC1 PEM', p256, pem(p256, 'sec1'), 'ec'],
    ['P-256 SEC1 DER', p256, der(p256, 'sec1'), 'ec'],
    ['P-384 PKCS#8 DER', p384, der(p384, 'pkcs8'), 'ec'],
    ['P-384 SEC1 PEM', p384, pem(p384, 'sec1'), 'ec'],
    ['Ed25519 PKCS#8 PEM', ed, pem(ed, 'pkcs8'), 'ed25519'],
    ['Ed25519 PKCS#8 DER', ed, der(ed, 'pkcs8'), 'ed25519'],
    ['PEM given as bytes', p256, new TextEncoder().encode(pem(p256, 'pkcs8')), 'ec'],
  ];
  it.each(cases)('%s', (_name, nodeKey, input, kind) => {
    const key = parsePrivateKey(input);
    expect(key.kind).toBe(kind);
    expect(Object.isFrozen(key)).toBe(true);
    expect(toHex(encodeSpki(publicKeyOf(key)))).toBe(nodeSpki(nodeKey));
    // our PKCS#8 re-encoding is what node exports
    expect(toHex(encodePkcs8(key))).toBe(toHex(der(nodeKey, 'pkcs8')));
  });

  it('openssl ecparam -genkey output (EC PARAMETERS block first) and SEC1 without the public key', () => {
    const text = openssl(['ecparam', '-name', 'prime256v1', '-genkey']);
    expect(text).toContain('EC PARAMETERS');
    const key = parsePrivateKey(text) as EcPrivateKey;
    expect(key.curve).toBe('secp256r1');
    // SEC1 with parameters but no [1] publicKey: the public key is computed from d
    const noPub = derSequence(derUint(1n), derOctetString(key.d), derTlv(0xa0, derOid(Oid.prime256v1)));
    const k2 = parsePrivateKey(encodePem('EC PRIVATE KEY', noPub)) as EcPrivateKey;
    expect(toHex(k2.publicKey)).toBe(toHex(key.publicKey));
  });

  it('a PEM bundle with a certificate first and the key second; CRLF line endings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puretls-keys-'));
    writeFileSync(join(dir, 'key.pem'), pem(p256, 'pkcs8'));
    const cert = openssl(['req', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=t', '-days', '1']);
    rmSync(dir, { recursive: true });
    const bundle = (cert + pem(p256, 'pkcs8')).replace(/\n/g, '\r\n');
    expect(parsePrivateKey(bundle).kind).toBe('ec');
  });

  it('RSA-1024 loads with allowWeakRsa; RSA-3072 PKCS#1 loads', () => {
    expect((parsePrivateKey(pem(gen.rsa(1024), 'pkcs8'), { allowWeakRsa: true }) as RsaPrivateKey).bits).toBe(1024);
    expect((parsePrivateKey(pem(gen.rsa(3072), 'pkcs1')) as RsaPrivateKey).bits).toBe(3072);
  });
});

describe('parsePrivateKey: one test per KeyError reason', () => {
  it('NotPem: text without a PEM block; a block without its END line', () => {
    expectKeyError(() => parsePrivateKey('hello, this is not a key'), 'NotPem');
    expectKeyError(() => parsePrivateKey(pem(p256, 'pkcs8').split('-----END')[0]!), 'NotPem');
    expectKeyError(() => parsePrivateKey(''), 'NotPem');
  });

  it('UnknownPemLabel: a certificate or public key where a private key was expected, or a wrong label', () => {
    expectKeyError(() => parsePrivateKey(publicKeyToPem(parsePrivateKey(pem(p256, 'pkcs8')))), 'UnknownPemLabel');
    expectKeyError(() => parsePrivateKey(pem(p256, 'pkcs8').replace(/PRIVATE KEY/g, 'PRIVATE KEYS')), 'UnknownPemLabel');
  });

  it('PassphraseRequired: ENCRYPTED PRIVATE KEY (PKCS#8) and Proc-Type: 4,ENCRYPTED (legacy) without a passphrase (see keys-encrypted.test.ts)', () => {
    const enc8 = rsa2048.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(enc8).toContain('ENCRYPTED PRIVATE KEY');
    expectKeyError(() => parsePrivateKey(enc8), 'PassphraseRequired');
    const legacy = p256.export({ format: 'pem', type: 'sec1', cipher: 'aes-128-cbc', passphrase: 'x' }) as string;
    expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
    expectKeyError(() => parsePrivateKey(legacy), 'PassphraseRequired');
    const legacyRsa = rsa2048.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'x' }) as string;
    expectKeyError(() => parsePrivateKey(legacyRsa), 'PassphraseRequired');
  });

  it('MalformedDer: truncated DER, trailing garbage, non-minimal length, bad base64, random bytes', () => {
    const d = der(p256, 'pkcs8');
    expectKeyError(() => parsePrivateKey(d.subarray(0, d.length - 1)), 'MalformedDer');
    expectKeyError(() => parsePrivateKey(d.subarray(0, 10)), 'MalformedDer');
    const trailing = new Uint8Array(d.length + 2);
    trailing.set(d);
    expectKeyError(() => parsePrivateKey(trailing), 'MalformedDer');
    // 30 81 xx with xx < 0x80: a non-minimal (BER) length
    const ber = new Uint8Array(d.length + 1);
    ber.set([0x30, 0x81, d[1]!]);
    ber.set(d.subarray(2), 3);
    expectKeyError(() => parsePrivateKey(ber), 'MalformedDer');
    expectKeyError(() => parsePrivateKey('-----BEGIN PRIVATE KEY-----\nMIG$\n-----END PRIVATE KEY-----\n'), 'MalformedDer');
    expectKeyError(() => parsePrivateKey(encodePem('PRIVATE KEY', d.subarray(0, 50))), 'MalformedDer');
    expectKeyError(() => parsePrivateKey(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00])), 'MalformedDer');
  });

  it('UnsupportedAlgorithm: DSA (PKCS#8 and traditional), X25519, X448, Ed448, RSA-PSS keys, RSA above 8192 bits, multi-prime', () => {
    const dsa = nodeCrypto.generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey;
    expectKeyError(() => parsePrivateKey(pem(dsa, 'pkcs8')), 'UnsupportedAlgorithm');
    expectKeyError(() => parsePrivateKey(openssl(['pkey', '-traditional'], pem(dsa, 'pkcs8'))), 'UnsupportedAlgorithm');
    for (const type of ['x25519', 'x448', 'ed448'] as const) {
      expectKeyError(() => parsePrivateKey(pem(nodeCrypto.generateKeyPairSync(type as 'x25519').privateKey, 'pkcs8')), 'UnsupportedAlgorithm');
    }
    expectKeyError(() => parsePrivateKey(pem(nodeCrypto.generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey, 'pkcs8')), 'UnsupportedAlgorithm');
    // Size is checked before consistency, so a fabricated 8200-bit modulus suffices.
    const n = (1n << 8199n) + 1n;
    const huge = derSequence(derUint(0n), derUint(n), derUint(65537n), ...[3n, 5n, 7n, 9n, 11n, 13n].map((x) => derUint(x)));
    expectKeyError(() => parsePrivateKey(huge), 'UnsupportedAlgorithm');
    const multiPrime = derSequence(derUint(1n), derUint(n), derUint(65537n), ...[3n, 5n, 7n, 9n, 11n, 13n].map((x) => derUint(x)));
    expectKeyError(() => parsePrivateKey(multiPrime), 'UnsupportedAlgorithm');
  });

  it('UnsupportedCurve: SEC1 and PKCS#8 on secp256k1, P-521, explicit curve parameters', () => {
    const k1 = gen.ec('secp256k1');
    expectKeyError(() => parsePrivateKey(pem(k1, 'sec1')), 'UnsupportedCurve');
    expectKeyError(() => parsePrivateKey(pem(k1, 'pkcs8')), 'UnsupportedCurve');
    expectKeyError(() => parsePrivateKey(der(gen.ec('P-521'), 'pkcs8')), 'UnsupportedCurve');
    const explicit = openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-param_enc', 'explicit']);
    expectKeyError(() => parsePrivateKey(explicit), 'UnsupportedCurve');
    expectKeyError(() => parsePrivateKey(openssl(['pkey'], explicit)), 'UnsupportedCurve');
  });

  it('InvalidKey: n ≠ p·q, d·e ≢ 1, wrong CRT values, EC d out of range, public key not matching', () => {
    const k = parsePrivateKey(pem(rsa2048, 'pkcs8')) as RsaPrivateKey;
    const variants: Partial<RsaPrivateKey>[] = [
      { q: k.q + 2n }, // n ≠ p·q
      { d: k.d + 2n }, // d·e ≢ 1 (mod λ)
      { dp: k.dp ^ 1n },
      { dq: k.dq + 1n },
      { qInv: k.qInv + 1n },
      { e: 65539n },
    ];
    for (const v of variants) expectKeyError(() => parsePrivateKey(encodePkcs8({ ...k, ...v } as PrivateKey)), 'InvalidKey');

    const ec = parsePrivateKey(pem(p256, 'pkcs8')) as EcPrivateKey;
    const other = parsePrivateKey(pem(gen.ec('P-256'), 'pkcs8')) as EcPrivateKey;
    expectKeyError(() => parsePrivateKey(encodePkcs8({ ...ec, publicKey: other.publicKey })), 'InvalidKey');
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    for (const d of [0n, n, n + 5n]) {
      const dBytes = Uint8Array.from(d.toString(16).padStart(64, '0').match(/../g)!.map((x) => parseInt(x, 16)));
      const sec1 = derSequence(derUint(1n), derOctetString(dBytes), derTlv(0xa0, derOid(Oid.prime256v1)));
      expectKeyError(() => parsePrivateKey(sec1), 'InvalidKey');
    }
    // Ed25519 PKCS#8 v2 (RFC 5958) with a publicKey that does not belong to the seed
    const edKey = parsePrivateKey(pem(ed, 'pkcs8')) as Ed25519PrivateKey;
    const v2 = derSequence(derUint(1n), derSequence(derOid(Oid.ed25519)), derOctetString(derOctetString(edKey.seed)), derTlv(0x81, Uint8Array.of(0), new Uint8Array(32).fill(9)));
    expectKeyError(() => parsePrivateKey(v2), 'InvalidKey');
    const v2ok = derSequence(derUint(1n), derSequence(derOid(Oid.ed25519)), derOctetString(derOctetString(edKey.seed)), derTlv(0x81, Uint8Array.of(0), edKey.publicKey));
    expect(parsePrivateKey(v2ok).kind).toBe('ed25519');
  });

  it('WeakKey: RSA-1024 without allowWeakRsa; RSA-768 even with it', () => {
    const k1024 = pem(gen.rsa(1024), 'pkcs8');
    expectKeyError(() => parsePrivateKey(k1024), 'WeakKey');
    expectKeyError(() => parsePrivateKey(pem(gen.rsa(768), 'pkcs1'), { allowWeakRsa: true }), 'WeakKey');
  });
});

describe('parseSpki', () => {
  it('accepts RSA, P-256, P-384, Ed25519 SPKI as node exports them', () => {
    for (const k of [rsa2048, p256, p384, ed]) {
      const spki = new Uint8Array(nodeCrypto.createPublicKey(k).export({ format: 'der', type: 'spki' }));
      const pub = parseSpki(spki);
      expect(toHex(encodeSpki(pub))).toBe(toHex(spki));
      expect(publicKeysEqual(pub, parsePrivateKey(der(k, 'pkcs8')))).toBe(true);
    }
  });

  it('rejects explicit parameters, compressed and off-curve points, other curves and algorithms, trailing bytes', () => {
    const key = parsePrivateKey(pem(p256, 'pkcs8')) as EcPrivateKey;
    const spki = encodeSpki(key);
    const explicit = openssl(['ec', '-pubout', '-param_enc', 'explicit'], pem(p256, 'sec1'));
    const explicitDer = Uint8Array.from(Buffer.from(explicit.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expectKeyError(() => parseSpki(explicitDer), 'UnsupportedCurve');
    const compressed = Uint8Array.of(2 + (key.publicKey[64]! & 1), ...key.publicKey.subarray(1, 33));
    expectKeyError(() => parseSpki(derSequence(derSequence(derOid(Oid.ecPublicKey), derOid(Oid.prime256v1)), derBitString(compressed))), 'InvalidKey');
    const offCurve = key.publicKey.slice();
    offCurve[64]! ^= 1;
    expectKeyError(() => parseSpki(derSequence(derSequence(derOid(Oid.ecPublicKey), derOid(Oid.prime256v1)), derBitString(offCurve))), 'InvalidKey');
    expectKeyError(() => parseSpki(new Uint8Array(nodeCrypto.createPublicKey(gen.ec('secp256k1')).export({ format: 'der', type: 'spki' }))), 'UnsupportedCurve');
    expectKeyError(() => parseSpki(new Uint8Array(nodeCrypto.generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }))), 'UnsupportedAlgorithm');
    const trailing = new Uint8Array(spki.length + 1);
    trailing.set(spki);
    expectKeyError(() => parseSpki(trailing), 'MalformedDer');
    // RSA with missing NULL parameters is accepted (RFC 3279 says NULL; some encoders omit it), wrong params are not
    const rsa = publicKeyOf(parsePrivateKey(pem(rsa2048, 'pkcs8')));
    const bits = derSequence(derUint((rsa as { n: bigint }).n), derUint(65537n));
    expect(parseSpki(derSequence(derSequence(derOid(Oid.rsaEncryption)), derBitString(bits))).kind).toBe('rsa');
    expectKeyError(() => parseSpki(derSequence(derSequence(derOid(Oid.rsaEncryption), derOid(Oid.sha256)), derBitString(bits))), 'MalformedDer');
    expect(parseSpki(derSequence(derSequence(derOid(Oid.rsaEncryption), derNull()), derBitString(bits))).kind).toBe('rsa');
  });
});

describe('helpers', () => {
  it('publicKeyOf is stable; publicKeysEqual compares kinds and values', () => {
    const a = parsePrivateKey(pem(p256, 'pkcs8'));
    expect(publicKeyOf(a)).toBe(publicKeyOf(a));
    expect(publicKeysEqual(a, parsePrivateKey(pem(p256, 'sec1')))).toBe(true);
    expect(publicKeysEqual(a, parsePrivateKey(pem(p384, 'pkcs8')))).toBe(false);
    expect(publicKeysEqual(a, parsePrivateKey(pem(ed, 'pkcs8')))).toBe(false);
    expect(publicKeysEqual(parsePrivateKey(pem(rsa2048, 'pkcs1')), parsePrivateKey(pem(rsa2048, 'pkcs8')))).toBe(true);
  });

  it('privateKeyToPem round-trips through us and through openssl', () => {
    for (const k of [rsa2048, p256, p384, ed]) {
      const key = parsePrivateKey(pem(k, 'pkcs8'));
      const text = privateKeyToPem(key);
      expect(text).toBe(pem(k, 'pkcs8'));
      expect(publicKeysEqual(parsePrivateKey(text), key)).toBe(true);
      expect(openssl(['pkey', '-pubout'], text)).toBe(nodeCrypto.createPublicKey(k).export({ format: 'pem', type: 'spki' }));
    }
  });

  it('generateEcdsaP256Key draws from the provider and redraws out-of-range scalars', () => {
    const d = new Uint8Array(32).fill(0x11);
    const random = scriptedRandom([
      { bytes: new Uint8Array(32).fill(0xff), purpose: 'ecdsa_key' }, // ≥ n: rejected
      { bytes: new Uint8Array(32), purpose: 'ecdsa_key' }, // 0: rejected
      { bytes: d, purpose: 'ecdsa_key' },
    ]);
    const key = generateEcdsaP256Key(createNobleProvider({ random }));
    expect(random.remaining).toBe(0);
    expect(toHex(key.d)).toBe(toHex(d));
    const again = parsePrivateKey(privateKeyToPem(key)) as EcPrivateKey;
    expect(toHex(again.publicKey)).toBe(toHex(key.publicKey));
  });
});
