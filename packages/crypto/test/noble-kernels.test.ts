/**
 * The noble provider's own kernels — the 4-bit-table GHASH behind AES-GCM (src/noble/ghash.ts) and
 * the allocation-free HMAC/HKDF engine (src/noble/hmac.ts) — against OpenSSL (`node:crypto`) over
 * every length class: empty, partial and several blocks, keys shorter and longer than a hash block,
 * multi-block HKDF output. Inputs are derived from the case index, so a failure reproduces.
 */
import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNobleProvider, type HashAlgorithm } from '../src/index';

const noble = createNobleProvider();

/** Deterministic bytes for case `i` (xorshift32). */
function bytes(n: number, i: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (i + 1) * 0x9e3779b1;
  for (let k = 0; k < n; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[k] = x & 0xff;
  }
  return out;
}

describe('noble AES-GCM (own GHASH) equals OpenSSL', () => {
  for (const algorithm of ['aes-128-gcm', 'aes-256-gcm'] as const) {
    it(`${algorithm}: seal and open for plaintext 0..80 and AAD 0..40 bytes`, () => {
      let cases = 0;
      for (let ptLen = 0; ptLen <= 80; ptLen += 7) {
        for (let aadLen = 0; aadLen <= 40; aadLen += 13) {
          const i = ptLen * 100 + aadLen;
          const key = bytes(algorithm === 'aes-128-gcm' ? 16 : 32, i);
          const nonce = bytes(12, i + 1);
          const aad = bytes(aadLen, i + 2);
          const pt = bytes(ptLen, i + 3);
          const c = createCipheriv(algorithm, key, nonce);
          c.setAAD(aad);
          const expected = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
          const k = noble.createAead(algorithm, key);
          expect(Buffer.from(k.seal(nonce, aad, pt))).toEqual(expected);
          expect(Buffer.from(k.open(nonce, aad, new Uint8Array(expected))!)).toEqual(Buffer.from(pt));
          const tampered = new Uint8Array(expected);
          tampered[tampered.length - 1]! ^= 1;
          expect(k.open(nonce, aad, tampered)).toBeNull();
          cases++;
        }
      }
      expect(cases).toBe(48);
    });
  }
  it('one key over many records (the GHASH state is reset per record)', () => {
    const key = bytes(16, 7);
    const k = noble.createAead('aes-128-gcm', key);
    for (let r = 0; r < 20; r++) {
      const nonce = bytes(12, 100 + r), aad = bytes(13, 200 + r), pt = bytes(1000 + r, 300 + r);
      const c = createCipheriv('aes-128-gcm', key, nonce);
      c.setAAD(aad);
      expect(Buffer.from(k.seal(nonce, aad, pt))).toEqual(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
    }
  });
});

describe('noble HMAC / HKDF engine equals OpenSSL', () => {
  for (const hash of ['sha256', 'sha384'] as HashAlgorithm[]) {
    it(`${hash}: HMAC for keys of 0..200 bytes (hashed when longer than a block) and data of 0..300`, () => {
      for (let keyLen = 0; keyLen <= 200; keyLen += 9) {
        for (let dataLen = 0; dataLen <= 300; dataLen += 37) {
          const i = keyLen * 1000 + dataLen;
          const key = bytes(keyLen, i), data = bytes(dataLen, i + 1);
          expect(Buffer.from(noble.hmac(hash, key, data))).toEqual(createHmac(hash, key).update(data).digest());
        }
      }
    });
    it(`${hash}: HKDF extract and expand, output 1..600 bytes (several blocks)`, () => {
      for (let len = 1; len <= 600; len += 23) {
        const ikm = bytes(32, len), salt = bytes(len % 3 === 0 ? 0 : 32, len + 1), info = bytes(len % 40, len + 2);
        const prk = noble.hkdfExtract(hash, salt, ikm);
        expect(Buffer.from(noble.hkdfExpand(hash, prk, info, len))).toEqual(Buffer.from(hkdfSync(hash, ikm, salt, info, len)));
      }
    });
  }
});
