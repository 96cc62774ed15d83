/**
 * RSA: the RFC 8448 §3 CertificateVerify re-signed byte for byte with both backends (the PSS salt
 * recovered from the published signature and injected through `scriptedRandom`), EMSA details,
 * blinding determinism and the fault check.
 */
import * as nodeCrypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { asciiBytes, concatBytes } from '../src/bytes';
import { parsePrivateKey, publicKeyOf, publicKeysEqual, rsaPrivateKeyFromComponents } from '../src/keys/parse';
import type { PrivateKey, RsaPrivateKey } from '../src/keys/types';
import { SignatureScheme } from '../src/provider';
import { scriptedRandom } from '../src/random';
import { emsaPssDecodeSalt, emsaPssEncode, emsaPkcs1v15Encode, mgf1, pssFits } from '../src/rsa/emsa';
import { modInverse, modPow, rsaPrivateOp, rsaPublicOp } from '../src/rsa/rsa';
import { NOBLE_DIGESTS, nobleSign, nobleVerify } from '../src/signatures/noble';
import { nodeSign, nodeVerify } from '../src/node/signatures';
import { recoverPssSalt } from '../src/signatures/pss-salt';
import { checkKeyMatchesCertificate, parseCertificateChain } from '../src/x509/certificate';
import { hex, loadJson, toHex } from './vectors';

interface Rfc8448 {
  values: Record<string, string>;
  derived: Record<string, string>;
}
const s2 = loadJson<Rfc8448>('rfc8448-section2.json');
const s3 = loadJson<Rfc8448>('rfc8448-section3.json');

const BACKENDS = [
  { name: 'noble', sign: nobleSign, verify: nobleVerify },
  {
    name: 'node',
    sign: (k: PrivateKey, s: number, m: Uint8Array, r: (n: number, p?: string) => Uint8Array) => nodeSign(k, s, m, r, nodeCrypto),
    verify: (k: Parameters<typeof nobleVerify>[0], s: number, m: Uint8Array, sig: Uint8Array) => nodeVerify(k, s, m, sig, nodeCrypto),
  },
] as const;

/** RFC 8446 §4.4.3: 64 × 0x20 ‖ context string ‖ 0x00 ‖ transcript hash. */
function certificateVerifyContent(transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(64).fill(0x20), asciiBytes('TLS 1.3, server CertificateVerify'), Uint8Array.of(0), transcriptHash);
}

describe('RFC 8448 §2 key and certificate', () => {
  it('the PKCS#8 PEM, the PKCS#1 PEM and the published components give the same key; it matches the certificate', () => {
    const fromPkcs8 = parsePrivateKey(s2.derived['server_private_key_pkcs8_pem']!, { allowWeakRsa: true }) as RsaPrivateKey;
    const fromPkcs1 = parsePrivateKey(s2.derived['server_private_key_pkcs1_pem']!, { allowWeakRsa: true }) as RsaPrivateKey;
    const v = s2.values;
    const big = (k: string): bigint => BigInt('0x' + v[`server.rsa.${k}`]!);
    const fromValues = rsaPrivateKeyFromComponents(
      { n: big('modulus'), e: big('publicExponent'), d: big('privateExponent'), p: big('prime1'), q: big('prime2'), dp: big('exponent1'), dq: big('exponent2'), qInv: big('coefficient') },
      { allowWeakRsa: true },
    );
    expect(fromPkcs8.bits).toBe(1024);
    for (const k of [fromPkcs1, fromValues]) {
      expect(k.d).toBe(fromPkcs8.d);
      expect(k.qInv).toBe(fromPkcs8.qInv);
    }
    const [cert] = parseCertificateChain(s2.derived['server_certificate_pem']!);
    expect(toHex(cert!.der)).toBe(s2.derived['server_certificate_der']);
    expect(cert!.subjectCommonName).toBe('rsa');
    checkKeyMatchesCertificate(fromPkcs8, cert!);
    expect(publicKeysEqual(publicKeyOf(fromValues), cert!.publicKey)).toBe(true);
  });
});

describe.each(BACKENDS)('RFC 8448 §3 CertificateVerify replay ($name)', (backend) => {
  it('recovers the salt, re-signs byte for byte, draws exactly one pss_salt', () => {
    const key = parsePrivateKey(s2.derived['server_private_key_pkcs8_pem']!, { allowWeakRsa: true });
    const [cert] = parseCertificateChain(hex(s3.derived['server_certificate_der']!));
    checkKeyMatchesCertificate(key, cert!);
    const v = s3.values;
    const cv = hex(v['server.certificate_verify']!);
    // RFC 8446 §4.4.3: Handshake header 0f 00 00 84, then SignatureScheme, then opaque signature<0..2^16-1>
    expect(toHex(cv.subarray(0, 4))).toBe('0f000084');
    const scheme = (cv[4]! << 8) | cv[5]!;
    expect(scheme).toBe(SignatureScheme.rsa_pss_rsae_sha256);
    const sigLen = (cv[6]! << 8) | cv[7]!;
    const signature = cv.subarray(8);
    expect(signature.length).toBe(sigLen);
    const transcript = sha256(concatBytes(hex(v['client.hello']!), hex(v['server.hello']!), hex(v['server.encrypted_extensions']!), hex(v['server.certificate']!)));
    const content = certificateVerifyContent(transcript);

    expect(backend.verify(cert!.publicKey, scheme, content, signature)).toBe(true);
    const salt = recoverPssSalt(cert!.publicKey, scheme, content, signature);
    expect(salt?.length).toBe(32);

    const source = scriptedRandom([{ bytes: salt!, purpose: 'pss_salt' }]);
    const resigned = backend.sign(key, scheme, content, (n, p) => source.random(n, p));
    expect(source.remaining).toBe(0);
    expect(toHex(resigned)).toBe(toHex(signature));
  });
});

describe('EMSA and RSA primitives', () => {
  const key = parsePrivateKey(s2.derived['server_private_key_pkcs8_pem']!, { allowWeakRsa: true }) as RsaPrivateKey;

  it('modPow / modInverse agree with naive arithmetic', () => {
    for (const [b, e, m] of [[3n, 0n, 7n], [2n, 10n, 1000n], [12345678901234567890n, 65537n, 2n ** 127n - 1n], [5n, 2n ** 70n + 3n, 1000003n]] as const) {
      let r = 1n;
      let base = b % m;
      for (let x = e; x > 0n; x >>= 1n, base = (base * base) % m) if (x & 1n) r = (r * base) % m;
      expect(modPow(b, e, m)).toBe(r);
    }
    expect(modInverse(3n, 7n)).toBe(5n);
    expect(modInverse(6n, 9n)).toBe(null);
  });

  it('private then public operation is the identity; blinding is deterministic (no randomness used)', () => {
    const em = new Uint8Array(128);
    em.set(sha256(asciiBytes('x')), 96);
    const s1 = rsaPrivateOp(key, em);
    const s2b = rsaPrivateOp(key, em);
    expect(toHex(s1)).toBe(toHex(s2b));
    expect(toHex(rsaPublicOp(key, s1)!)).toBe(toHex(em));
    // The result equals the textbook m^d mod n.
    const m = BigInt('0x' + toHex(em));
    expect(BigInt('0x' + toHex(s1))).toBe(modPow(m, key.d, key.n));
    expect(rsaPublicOp(key, new Uint8Array(127))).toBe(null); // wrong length
    expect(rsaPublicOp(key, new Uint8Array(128).fill(0xff))).toBe(null); // s >= n
  });

  it('a corrupted CRT component is caught by the fault check instead of leaking a bad signature', () => {
    const broken = { ...key, dp: key.dp ^ 2n };
    expect(() => rsaPrivateOp(broken, new Uint8Array(128).fill(1, 100))).toThrow(/consistency check/);
  });

  it('EMSA-PSS encode/decode round trip for every emBits mod 8, and the bad cases', () => {
    const d = NOBLE_DIGESTS.sha256;
    const mHash = sha256(asciiBytes('m'));
    for (let emBits = 600; emBits < 608; emBits++) {
      const salt = new Uint8Array(32).fill(emBits & 0xff);
      const em = emsaPssEncode(d, mHash, emBits, salt);
      expect(em.length).toBe(Math.ceil(emBits / 8));
      expect(toHex(emsaPssDecodeSalt(d, mHash, em, emBits)!)).toBe(toHex(salt));
      const bad = em.slice();
      bad[bad.length - 1] = 0xbd;
      expect(emsaPssDecodeSalt(d, mHash, bad, emBits)).toBe(null);
      const bad2 = em.slice();
      bad2[5]! ^= 1;
      expect(emsaPssDecodeSalt(d, mHash, bad2, emBits)).toBe(null);
    }
    expect(pssFits(1024, 64, 64)).toBe(false);
    expect(pssFits(1024, 48, 48)).toBe(true);
    expect(() => emsaPssEncode(NOBLE_DIGESTS.sha512, new Uint8Array(64), 1023, new Uint8Array(64))).toThrow(RangeError);
  });

  it('MGF1 and EMSA-PKCS1-v1_5 match node:crypto', () => {
    // MGF1-SHA-256 (RFC 8017 §B.2.1) computed by hand with node's SHA-256
    const seed = asciiBytes('seed');
    const manual = concatBytes(
      ...[0, 1].map((c) => new Uint8Array(nodeCrypto.createHash('sha256').update(seed).update(Uint8Array.of(0, 0, 0, c)).digest())),
    ).subarray(0, 40);
    expect(toHex(mgf1(NOBLE_DIGESTS.sha256, seed, 40))).toBe(toHex(manual));
    // PKCS#1 v1.5: our EM, raised to d, equals node's signature
    const msg = asciiBytes('pkcs1');
    const em = emsaPkcs1v15Encode(NOBLE_DIGESTS.sha256, sha256(msg), 128);
    const pem = s2.derived['server_private_key_pkcs8_pem']!;
    const nodeSig = nodeCrypto.sign('sha256', msg, pem);
    expect(toHex(rsaPrivateOp(key, em))).toBe(toHex(new Uint8Array(nodeSig)));
  });
});
