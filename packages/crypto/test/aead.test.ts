/**
 * AEAD through both providers: Wycheproof AES-GCM and ChaCha20-Poly1305 (every case), RFC 8439
 * §2.8.2 / A.5, and the `AeadKey` contract (output buffers, in place, unaligned views, misuse).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AeadAlgorithm, AeadKey } from '../src/provider';
import { PROVIDERS, hex, loadJson, toHex, wycheproof, wycheproofCases, type WycheproofTest } from './vectors';

interface AeadCase extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}

const FILES = [
  { file: 'aes_gcm_test', algorithm: (keySize: number): AeadAlgorithm | null => (keySize === 128 ? 'aes-128-gcm' : keySize === 256 ? 'aes-256-gcm' : null) },
  { file: 'chacha20_poly1305_test', algorithm: (keySize: number): AeadAlgorithm | null => (keySize === 256 ? 'chacha20-poly1305' : null) },
] as const;

/** Case counts, printed once all suites ran. */
const log: string[] = [];
afterAll(() => {
  for (const line of log) console.log(line);
});

describe.each(PROVIDERS)('AEAD ($name)', ({ name, create }) => {
  const p = create();

  for (const { file, algorithm } of FILES) {
    it(`wycheproof ${file}`, () => {
      const data = wycheproof<AeadCase>(file);
      let run = 0, sealedAndOpened = 0, rejectedBadTag = 0, rejectedNonce = 0, skippedKeySize = 0;
      const validButNonce: number[] = [];
      for (const { group, test: t } of wycheproofCases(data)) {
        const id = `${file} tcId ${t.tcId} (${t.comment}) [${t.flags.join(',')}]`;
        const alg = algorithm(group['keySize'] as number);
        if (alg === null) {
          // AES-192: no TLS suite uses it, and the AeadAlgorithm type has no such member.
          skippedKeySize++;
          expect(group['keySize'], id).toBe(192);
          continue;
        }
        run++;
        const key = p.createAead(alg, hex(t.key));
        const iv = hex(t.iv);
        const aad = hex(t.aad);
        const msg = hex(t.msg);
        const sealed = hex(t.ct + t.tag);
        if (iv.length !== 12) {
          // TLS nonces are always 12 bytes (RFC 8446 §5.3): other sizes are API misuse.
          expect(() => key.seal(iv, aad, msg), id).toThrow(RangeError);
          expect(() => key.open(iv, aad, sealed), id).toThrow(RangeError);
          rejectedNonce++;
          if (t.result === 'valid') validButNonce.push(t.tcId);
          continue;
        }
        if ((group['tagSize'] as number) !== 128) throw new Error(`${id}: unexpected tag size ${String(group['tagSize'])}`);
        const opened = key.open(iv, aad, sealed);
        if (t.result === 'valid') {
          expect(toHex(key.seal(iv, aad, msg)), id).toBe(t.ct + t.tag);
          // The node provider also seals into fresh pieces (sent as they are by the record layer).
          expect(typeof key.sealDetached, id).toBe(name === 'node' ? 'function' : 'undefined');
          if (key.sealDetached) {
            const d = key.sealDetached(iv, aad, msg);
            expect([toHex(d.ciphertext), toHex(d.tag)], id).toEqual([t.ct, t.tag]);
          }
          expect(opened && toHex(opened), id).toBe(t.msg);
          sealedAndOpened++;
        } else {
          // No "acceptable" AEAD cases exist in these files; "invalid" means the tag must not verify.
          expect(t.result, id).toBe('invalid');
          expect(opened, id).toBeNull();
          rejectedBadTag++;
        }
      }
      expect(run + skippedKeySize).toBe(data.numberOfTests);
      log.push(
        `wycheproof ${file}: ${run} cases × ${name} (${sealedAndOpened} valid sealed+opened, ${rejectedBadTag} invalid rejected as null, ` +
          `${rejectedNonce} non-12-byte IV rejected with RangeError` +
          (validButNonce.length ? `; ${validButNonce.length} of these are marked valid by Wycheproof (tcId ${validButNonce[0]}…${validButNonce.at(-1)}): deliberate` : '') +
          `)` +
          (skippedKeySize ? `; ${skippedKeySize} AES-192 cases not run (no AES-192 in TLS or in AeadAlgorithm)` : ''),
      );
    });
  }

  it('RFC 8439 §2.8.2 AEAD example and A.5 decryption', () => {
    const v = loadJson<Record<'section_2_8_2' | 'appendix_a_5', Record<string, string>>>('rfc8439-chacha20-poly1305.json');
    const get = (section: 'section_2_8_2' | 'appendix_a_5', k: string): string => {
      const s = v[section][k];
      if (typeof s !== 'string') throw new Error(`rfc8439-chacha20-poly1305.json: no ${section}.${k}`);
      return s;
    };
    const s = (k: string): string => get('section_2_8_2', k);
    const aead = p.createAead('chacha20-poly1305', hex(s('key')));
    const sealed = aead.seal(hex(s('nonce')), hex(s('aad')), hex(s('plaintext')));
    expect(toHex(sealed)).toBe(s('ciphertext') + s('tag'));
    const a = (k: string): string => get('appendix_a_5', k);
    const a5 = p.createAead('chacha20-poly1305', hex(a('key')));
    const pt = a5.open(hex(a('nonce')), hex(a('aad')), hex(a('ciphertext') + a('received_tag')));
    expect(pt && toHex(pt)).toBe(a('plaintext'));
    log.push(`RFC 8439 ChaCha20-Poly1305: 2 cases × ${name}`);
  });

  describe.each(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const)('%s contract', (alg) => {
    const keyLen = alg === 'aes-128-gcm' ? 16 : 32;
    const key = Uint8Array.from({ length: keyLen }, (_, i) => i * 7 + 1);
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    const aad = Uint8Array.of(23, 3, 3, 0, 0x31);
    const sizes = [0, 1, 15, 16, 17, 33, 1000, 16384 + 1];
    const reference = (k: AeadKey, pt: Uint8Array): Uint8Array => k.seal(nonce, aad, pt);

    it('round trips, honours output buffers, in place and unaligned views', () => {
      const k = p.createAead(alg, key);
      expect(k.algorithm).toBe(alg);
      for (const n of sizes) {
        const pt = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
        const sealed = reference(k, pt);
        expect(sealed.length).toBe(n + 16);
        expect(toHex(k.open(nonce, aad, sealed)!)).toBe(toHex(pt));

        // output larger than needed: result is a view at its start
        const out = new Uint8Array(n + 40).fill(0xee);
        const r = k.seal(nonce, aad, pt, out);
        expect(r.buffer).toBe(out.buffer);
        expect(r.byteOffset).toBe(0);
        expect(toHex(r)).toBe(toHex(sealed));
        expect(out[n + 16]).toBe(0xee);

        // in place: plaintext at the start of the record buffer, sealed over itself
        const buf = new Uint8Array(n + 16);
        buf.set(pt);
        const inPlace = k.seal(nonce, aad, buf.subarray(0, n), buf);
        expect(toHex(inPlace)).toBe(toHex(sealed));
        const opened = k.open(nonce, aad, buf, buf);
        expect(opened).not.toBeNull();
        expect(opened!.buffer).toBe(buf.buffer);
        expect(toHex(opened!)).toBe(toHex(pt));

        // unaligned input and output views (noble's u32 fast paths need 4-byte alignment)
        const backing = new Uint8Array(2 * n + 64);
        const ptU = backing.subarray(1, 1 + n);
        ptU.set(pt);
        const outU = backing.subarray(n + 3, n + 3 + n + 16);
        expect(toHex(k.seal(nonce, aad, ptU, outU))).toBe(toHex(sealed));
        const outU2 = new Uint8Array(n + 7).subarray(3, 3 + n);
        expect(toHex(k.open(nonce, aad, outU, outU2)!)).toBe(toHex(pt));
      }
    });

    it('open returns null (never throws) for a bad tag, a flipped bit, wrong aad or a short input', () => {
      const k = p.createAead(alg, key);
      const pt = new Uint8Array(100).fill(7);
      const sealed = k.seal(nonce, aad, pt);
      for (const i of [0, 50, 99, 100, 115]) {
        const bad = sealed.slice();
        bad[i]! ^= 1;
        expect(k.open(nonce, aad, bad), `bit flip at ${i}`).toBeNull();
      }
      expect(k.open(nonce, Uint8Array.of(1), sealed)).toBeNull();
      expect(k.open(nonce, aad, sealed.subarray(0, 15))).toBeNull();
      expect(k.open(nonce, aad, new Uint8Array(0))).toBeNull();
      // a failed open leaves the caller's output untouched
      const out = new Uint8Array(100).fill(0x55);
      const bad = sealed.slice();
      bad[3]! ^= 0x80;
      expect(k.open(nonce, aad, bad, out)).toBeNull();
      expect(out.every((b) => b === 0x55)).toBe(true);
      // and the key still works afterwards
      expect(toHex(k.open(nonce, aad, sealed)!)).toBe(toHex(pt));
    });

    it('throws RangeError / TypeError for API misuse', () => {
      expect(() => p.createAead(alg, key.subarray(1))).toThrow(RangeError);
      expect(() => p.createAead('aes-192-gcm' as AeadAlgorithm, new Uint8Array(24))).toThrow(RangeError);
      const k = p.createAead(alg, key);
      expect(() => k.seal(new Uint8Array(8), aad, new Uint8Array(1))).toThrow(/nonce.*12/);
      expect(() => k.seal(new Uint8Array(16), aad, new Uint8Array(1))).toThrow(RangeError);
      expect(() => k.open(new Uint8Array(11), aad, new Uint8Array(32))).toThrow(RangeError);
      expect(() => k.seal(nonce, aad, new Uint8Array(10), new Uint8Array(25))).toThrow(/needs 26 bytes/);
      expect(() => k.open(nonce, aad, new Uint8Array(26), new Uint8Array(9))).toThrow(/needs 10 bytes/);
      k.clean();
      expect(() => k.seal(nonce, aad, new Uint8Array(1))).toThrow(/after clean/);
      expect(() => k.open(nonce, aad, new Uint8Array(17))).toThrow(/after clean/);
    });

    it('does not keep a reference to the caller key', () => {
      const mine = key.slice();
      const k = p.createAead(alg, mine);
      const before = k.seal(nonce, aad, Uint8Array.of(1, 2, 3));
      mine.fill(0);
      expect(toHex(k.seal(nonce, aad, Uint8Array.of(1, 2, 3)))).toBe(toHex(before));
    });
  });
});
