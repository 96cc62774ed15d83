/**
 * Hashes, HashContext forking, HMAC and HKDF through both providers: Wycheproof HMAC-SHA256/384 and
 * HKDF-SHA256/384 (every case), RFC 5869 Appendix A (the SHA-256 cases) and FIPS 180 examples.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { equalConstantTime } from '../src/bytes';
import type { HashAlgorithm } from '../src/provider';
import { PROVIDERS, hex, loadJson, toHex, wycheproof, wycheproofCases, type WycheproofTest } from './vectors';

interface HmacCase extends WycheproofTest {
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
}
interface HkdfCase extends WycheproofTest {
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
}
interface Rfc5869Case {
  readonly test_case: number;
  readonly hash: string;
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly L: number;
  readonly prk: string;
  readonly okm: string;
}

const log: string[] = [];
afterAll(() => {
  for (const line of log) console.log(line);
});

/** FIPS 180-2 Appendix B/D: "abc". */
const ABC = Uint8Array.of(0x61, 0x62, 0x63);
const ABC_DIGEST: Record<HashAlgorithm, string> = {
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha384: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
};

describe.each(PROVIDERS)('hash, HMAC, HKDF ($name)', ({ name, create }) => {
  const p = create();

  describe.each(['sha256', 'sha384'] as const)('%s', (alg) => {
    it('hashes "abc" one-shot and incrementally (FIPS 180-2)', () => {
      expect(toHex(p.hash(alg, ABC))).toBe(ABC_DIGEST[alg]);
      const h = p.createHash(alg);
      expect(h.algorithm).toBe(alg);
      expect(toHex(h.update(ABC.subarray(0, 1)).update(ABC.subarray(1)).digest())).toBe(ABC_DIGEST[alg]);
    });

    it('clone() forks the running state; digest() finalises only its own context', () => {
      const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      const h = p.createHash(alg).update(data.subarray(0, 100));
      const fork = h.clone();
      expect(fork.algorithm).toBe(alg);
      expect(toHex(fork.digest())).toBe(toHex(p.hash(alg, data.subarray(0, 100))));
      h.update(data.subarray(100));
      const fork2 = h.clone();
      expect(toHex(h.digest())).toBe(toHex(p.hash(alg, data)));
      expect(toHex(fork2.update(ABC).digest())).toBe(toHex(p.hash(alg, new Uint8Array([...data, ...ABC]))));
    });

    it(`wycheproof hmac_${alg}_test`, () => {
      const file = wycheproof<HmacCase>(`hmac_${alg}_test`);
      let valid = 0, invalid = 0, truncated = 0;
      for (const { group, test: t } of wycheproofCases(file)) {
        const id = `hmac_${alg} tcId ${t.tcId} (${t.comment})`;
        const tagBytes = (group['tagSize'] as number) / 8;
        const mac = p.hmac(alg, hex(t.key), hex(t.msg));
        // Truncated tags (RFC 2104 §5): compare the leftmost tagSize bits.
        const ok = equalConstantTime(mac.subarray(0, tagBytes), hex(t.tag));
        if (tagBytes < mac.length) truncated++;
        if (t.result === 'valid') {
          expect(toHex(mac.subarray(0, tagBytes)), id).toBe(t.tag);
          valid++;
        } else {
          expect(ok, id).toBe(false);
          invalid++;
        }
      }
      expect(valid + invalid).toBe(file.numberOfTests);
      log.push(`wycheproof hmac_${alg}_test: ${valid + invalid} cases × ${name} (${valid} valid, ${invalid} modified tags rejected, ${truncated} with truncated tags)`);
    });

    it(`wycheproof hkdf_${alg}_test`, () => {
      const file = wycheproof<HkdfCase>(`hkdf_${alg}_test`);
      let valid = 0, tooLarge = 0;
      for (const { test: t } of wycheproofCases(file)) {
        const id = `hkdf_${alg} tcId ${t.tcId} (${t.comment})`;
        const prk = p.hkdfExtract(alg, hex(t.salt), hex(t.ikm));
        if (t.result === 'valid') {
          expect(toHex(p.hkdfExpand(alg, prk, hex(t.info), t.size)), id).toBe(t.okm);
          valid++;
        } else {
          // The only invalid cases are SizeTooLarge: L > 255 · HashLen (RFC 5869 §2.3).
          expect(t.flags, id).toContain('SizeTooLarge');
          expect(() => p.hkdfExpand(alg, prk, hex(t.info), t.size), id).toThrow(RangeError);
          tooLarge++;
        }
      }
      expect(valid + tooLarge).toBe(file.numberOfTests);
      log.push(`wycheproof hkdf_${alg}_test: ${valid + tooLarge} cases × ${name} (${valid} valid, ${tooLarge} SizeTooLarge rejected with RangeError)`);
    });

    it('hkdfExpand: length 0 and the 255 · HashLen boundary; bad lengths are RangeErrors', () => {
      const prk = p.hkdfExtract(alg, new Uint8Array(0), Uint8Array.of(1, 2, 3));
      const hashLen = alg === 'sha256' ? 32 : 48;
      expect(p.hkdfExpand(alg, prk, new Uint8Array(0), 0).length).toBe(0);
      expect(p.hkdfExpand(alg, prk, new Uint8Array(0), 255 * hashLen).length).toBe(255 * hashLen);
      for (const bad of [255 * hashLen + 1, -1, 1.5, Number.NaN]) {
        expect(() => p.hkdfExpand(alg, prk, new Uint8Array(0), bad), String(bad)).toThrow(RangeError);
      }
      // RFC 5869 §2.2: an absent salt is HashLen zeros
      expect(toHex(p.hkdfExtract(alg, new Uint8Array(0), ABC))).toBe(toHex(p.hkdfExtract(alg, new Uint8Array(hashLen), ABC)));
    });
  });

  it('RFC 5869 Appendix A (SHA-256 cases 1-3)', () => {
    const cases = loadJson<{ tests: Rfc5869Case[] }>('rfc5869-hkdf.json').tests;
    let run = 0;
    const notRun: number[] = [];
    for (const c of cases) {
      if (c.hash !== 'SHA-256') {
        // Cases 4-7 are HKDF-SHA-1; HashAlgorithm has no SHA-1 (no TLS 1.2/1.3 KDF uses it).
        notRun.push(c.test_case);
        continue;
      }
      const prk = p.hkdfExtract('sha256', hex(c.salt), hex(c.ikm));
      expect(toHex(prk), `case ${c.test_case} PRK`).toBe(c.prk);
      expect(toHex(p.hkdfExpand('sha256', prk, hex(c.info), c.L)), `case ${c.test_case} OKM`).toBe(c.okm);
      run++;
    }
    expect(run).toBe(3);
    log.push(`RFC 5869 HKDF: ${run} cases × ${name} (SHA-1 cases ${notRun.join(', ')} not run: no SHA-1 in HashAlgorithm)`);
  });

  it('unknown hash algorithms are RangeErrors', () => {
    const md5 = 'md5' as HashAlgorithm;
    expect(() => p.hash(md5, ABC)).toThrow(RangeError);
    expect(() => p.createHash(md5)).toThrow(RangeError);
    expect(() => p.hmac(md5, ABC, ABC)).toThrow(RangeError);
  });
});
