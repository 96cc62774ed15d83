/**
 * Key exchange through both providers: Wycheproof X25519 and P-256/P-384 (raw-point files, every
 * case), RFC 7748 §5.2 / §6.1, the X25519MLKEM768 hybrid, and the malformed-peer-key edge cases.
 * Private keys are injected with `scriptedRandom`, exactly where the engine draws them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { isCryptoError, type CryptoErrorReason } from '../src/errors';
import type { CryptoProvider, NamedGroup } from '../src/provider';
import { scriptedRandom, seededRandom, type RandomSource } from '../src/random';
import { concatBytes } from '../src/bytes';
import { PROVIDERS, hex, loadJson, toHex, wycheproof, wycheproofCases, type WycheproofTest } from './vectors';

interface EcdhCase extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}

const log: string[] = [];
afterAll(() => {
  for (const line of log) console.log(line);
});

/** Runs `fn` and asserts it throws a `CryptoError` with `reason`; returns the error. */
export function expectCryptoError(fn: () => unknown, reason: CryptoErrorReason, label = ''): Error {
  try {
    fn();
  } catch (e) {
    if (!isCryptoError(e)) throw new Error(`${label}: expected CryptoError(${reason}), got ${String(e)}`, { cause: e });
    expect(e.reason, label).toBe(reason);
    return e;
  }
  throw new Error(`${label}: expected CryptoError(${reason}), nothing was thrown`);
}

/** Wycheproof private keys are ASN.1 INTEGER contents: strip a sign byte / left-pad to `len`. */
function scalarBytes(h: string, len: number): Uint8Array {
  const raw = hex(h);
  let start = 0;
  while (raw.length - start > len && raw[start] === 0) start++;
  if (raw.length - start > len) throw new Error(`private key ${h} longer than ${len} bytes`);
  const out = new Uint8Array(len);
  out.set(raw.subarray(start), len - (raw.length - start));
  return out;
}

/** A provider whose next `random` answers are the given (bytes, purpose) entries. */
function withScript(create: (r?: RandomSource) => CryptoProvider, ...entries: [Uint8Array, string][]): CryptoProvider & { remaining: () => number } {
  const src = scriptedRandom(entries.map(([bytes, purpose]) => ({ bytes, purpose })));
  return Object.assign(create(src), { remaining: () => src.remaining });
}

/** A source that answers whatever `next` holds (for the 1,000-iteration RFC 7748 loop). */
function settableRandom(): RandomSource & { next: Uint8Array } {
  return {
    next: new Uint8Array(0),
    random(n: number): Uint8Array {
      if (n !== this.next.length) throw new Error(`asked for ${n} bytes, have ${this.next.length}`);
      return this.next.slice();
    },
  };
}

describe.each(PROVIDERS)('key exchange ($name)', ({ name, create }) => {
  it('wycheproof x25519_test', { timeout: 30_000 }, () => {
    const file = wycheproof<EcdhCase>('x25519_test');
    const counts = { valid: 0, acceptableAgreed: 0, zeroRejected: 0 };
    for (const { test: t } of wycheproofCases(file)) {
      const id = `x25519 tcId ${t.tcId} (${t.comment}) [${t.flags.join(',')}] ${t.result}`;
      const p = withScript(create, [hex(t.private), 'x25519']);
      const pair = p.generateKeyPair('x25519');
      expect(p.remaining(), id).toBe(0);
      // public key derivation is not what these vectors test: check it on a sample only (speed)
      if (t.tcId % 16 === 1) expect(toHex(pair.publicKey), id).toBe(toHex(x25519.getPublicKey(hex(t.private))));
      if (t.flags.includes('ZeroSharedSecret')) {
        // RFC 8446 §7.4.2: implementations "MUST check whether the computed Diffie-Hellman shared
        // secret is the all-zero value and abort if so". Wycheproof: "acceptable" either way.
        expect(t.shared, id).toBe('00'.repeat(32));
        expectCryptoError(() => pair.agree(hex(t.public)), 'InvalidPeerKey', id);
        counts.zeroRejected++;
      } else {
        // Twist points, non-canonical u (≥ 2^255 - 19, RFC 7748 §5 reduces them) and the other
        // "acceptable" edge cases have a defined, non-zero X25519 result: we compute it.
        expect(t.result === 'valid' || t.result === 'acceptable', id).toBe(true);
        expect(toHex(pair.agree(hex(t.public))), id).toBe(t.shared);
        if (t.result === 'valid') counts.valid++;
        else counts.acceptableAgreed++;
      }
    }
    expect(counts.valid + counts.acceptableAgreed + counts.zeroRejected).toBe(file.numberOfTests);
    log.push(
      `wycheproof x25519_test: ${file.numberOfTests} cases × ${name} (${counts.valid} valid agreed, ${counts.acceptableAgreed} acceptable ` +
        `[twist/non-canonical/special] agreed, ${counts.zeroRejected} acceptable ZeroSharedSecret rejected with InvalidPeerKey)`,
    );
  });

  describe.each([
    { group: 'secp256r1', file: 'ecdh_secp256r1_ecpoint_test', len: 32, curve: p256 },
    { group: 'secp384r1', file: 'ecdh_secp384r1_ecpoint_test', len: 48, curve: p384 },
  ] as const)('$group', ({ group, file, len, curve }) => {
    // noble's P-384 needs ~20 ms per variable-base multiplication: 790 cases take ~15 s (more on a
    // loaded machine); OpenSSL's generic P-384 in Node 20 ~7 ms.
    it(`wycheproof ${file}`, { timeout: 120_000 }, () => {
      const data = wycheproof<EcdhCase>(file);
      let agreed = 0, rejected = 0, compressedAcceptable = 0;
      for (const { test: t } of wycheproofCases(data)) {
        const id = `${file} tcId ${t.tcId} (${t.comment}) [${t.flags.join(',')}] ${t.result}`;
        const d = scalarBytes(t.private, len);
        const p = withScript(create, [d, group]);
        const pair = p.generateKeyPair(group);
        expect(p.remaining(), id).toBe(0);
        if (t.tcId % 16 === 1) expect(toHex(pair.publicKey), id).toBe(toHex(curve.getPublicKey(d, false)));
        if (t.result === 'valid') {
          expect(toHex(pair.agree(hex(t.public))), id).toBe(t.shared);
          agreed++;
        } else {
          // invalid: off-curve, wrong curve, bad encodings. acceptable: only the one compressed
          // point — RFC 8446 §4.2.8.2 allows only the uncompressed form, so we refuse it.
          if (t.result === 'acceptable') {
            expect(t.flags, id).toContain('CompressedPublic');
            compressedAcceptable++;
          }
          expectCryptoError(() => pair.agree(hex(t.public)), 'InvalidPeerKey', id);
          rejected++;
        }
      }
      expect(agreed + rejected).toBe(data.numberOfTests);
      log.push(
        `wycheproof ${file}: ${data.numberOfTests} cases × ${name} (${agreed} valid agreed, ${rejected} rejected with InvalidPeerKey, ` +
          `of which ${compressedAcceptable} "acceptable" compressed point: deliberate, TLS needs uncompressed)`,
      );
    });

    it('rejects malformed peer points with InvalidPeerKey', () => {
      const p = create(seededRandom(7));
      const pair = p.generateKeyPair(group);
      const other = p.generateKeyPair(group).publicKey;
      expect(pair.publicKey.length).toBe(1 + 2 * len);
      expect(pair.publicKey[0]).toBe(4);
      const compressed = curve.Point.fromBytes(other).toBytes(true);
      const offCurve = other.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      const hybrid = other.slice();
      hybrid[0] = 6 | (other[other.length - 1]! & 1);
      const bad: [string, Uint8Array][] = [
        ['empty', new Uint8Array(0)],
        ['infinity (single 0x00)', Uint8Array.of(0)],
        ['all zeros, right length', new Uint8Array(1 + 2 * len)],
        ['0x04 ‖ 0…0 (not on curve)', concatBytes(Uint8Array.of(4), new Uint8Array(2 * len))],
        ['compressed', compressed],
        ['hybrid 0x06/0x07', hybrid],
        ['one byte short', other.subarray(0, other.length - 1)],
        ['one byte long', concatBytes(other, Uint8Array.of(0))],
        ['Y flipped (off curve)', offCurve],
        ['X,Y ≥ p', concatBytes(Uint8Array.of(4), new Uint8Array(2 * len).fill(0xff))],
      ];
      for (const [what, peer] of bad) {
        expectCryptoError(() => pair.agree(peer), 'InvalidPeerKey', `${group} ${what}`);
        expectCryptoError(() => p.keyShare(group, peer), 'InvalidPeerKey', `${group} keyShare ${what}`);
      }
      // and a good point still works on the same pair afterwards
      expect(pair.agree(other).length).toBe(len);
    });

    it('redraws the private scalar while it is not in [1, n-1]', () => {
      const n = curve.Point.Fn.ORDER;
      const nBytes = hex(n.toString(16).padStart(2 * len, '0'));
      const good = new Uint8Array(len).fill(0x11);
      const p = withScript(create, [new Uint8Array(len), group], [nBytes, group], [new Uint8Array(len).fill(0xff), group], [good, group]);
      const pair = p.generateKeyPair(group);
      expect(p.remaining()).toBe(0);
      expect(toHex(pair.publicKey)).toBe(toHex(curve.getPublicKey(good, false)));
      // n - 1 is the largest valid scalar
      const nMinus1 = hex((n - 1n).toString(16).padStart(2 * len, '0'));
      const q = withScript(create, [nMinus1, group]);
      expect(toHex(q.generateKeyPair(group).publicKey)).toBe(toHex(curve.getPublicKey(nMinus1, false)));
    });

    it('keyShare agrees with the client side', () => {
      const client = create(seededRandom(1)).generateKeyPair(group);
      const result = create(seededRandom(2)).keyShare(group, client.publicKey);
      expect(result.serverShare.length).toBe(1 + 2 * len);
      expect(toHex(client.agree(result.serverShare))).toBe(toHex(result.sharedSecret));
    });
  });

  it('RFC 7748 §5.2 vectors, §6.1 Alice/Bob, and 1,000 iterations', { timeout: 30_000 }, () => {
    const v = loadJson<{
      section_5_2: { vectors: { input_scalar: string; input_u_coordinate: string; output_u_coordinate: string }[]; iterated: Record<string, string> };
      section_6_1: Record<string, string>;
    }>('rfc7748-x25519.json');
    let run = 0;
    for (const c of v.section_5_2.vectors) {
      const p = withScript(create, [hex(c.input_scalar), 'x25519']);
      expect(toHex(p.generateKeyPair('x25519').agree(hex(c.input_u_coordinate)))).toBe(c.output_u_coordinate);
      run++;
    }
    const s = v.section_6_1;
    const alice = withScript(create, [hex(s['alice_private_key']!), 'x25519']).generateKeyPair('x25519');
    const bob = withScript(create, [hex(s['bob_private_key']!), 'x25519']).generateKeyPair('x25519');
    expect(toHex(alice.publicKey)).toBe(s['alice_public_key']);
    expect(toHex(bob.publicKey)).toBe(s['bob_public_key']);
    expect(toHex(alice.agree(bob.publicKey))).toBe(s['shared_secret']);
    expect(toHex(bob.agree(alice.publicKey))).toBe(s['shared_secret']);
    run++;

    const it = v.section_5_2.iterated;
    const src = settableRandom();
    const p = create(src);
    let k = hex(it['initial_k_and_u']!);
    let u = k;
    for (let i = 1; i <= 1000; i++) {
      src.next = k;
      const next = p.generateKeyPair('x25519').agree(u);
      u = k;
      k = next;
      if (i === 1) expect(toHex(k)).toBe(it['after_1_iteration']);
    }
    expect(toHex(k)).toBe(it['after_1000_iterations']);
    run += 2;
    log.push(`RFC 7748 X25519: ${run} cases × ${name} (2 §5.2 vectors, §6.1 Alice/Bob, 1 and 1,000 iterations; the 1,000,000-iteration case is not run: too slow for the suite)`);
  });

  describe('x25519 edge cases', () => {
    it('rejects wrong lengths and low-order points with InvalidPeerKey', () => {
      const p = create(seededRandom(3));
      const pair = p.generateKeyPair('x25519');
      expect(pair.publicKey.length).toBe(32);
      const lowOrder = [
        new Uint8Array(32), // u = 0
        concatBytes(Uint8Array.of(1), new Uint8Array(31)), // u = 1
        hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // u = p - 1
        hex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'), // order 8
        hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), // u = p (non-canonical 0)
      ];
      for (const peer of lowOrder) {
        expectCryptoError(() => pair.agree(peer), 'InvalidPeerKey', `low order ${toHex(peer)}`);
        expectCryptoError(() => p.keyShare('x25519', peer), 'InvalidPeerKey', `keyShare low order ${toHex(peer)}`);
      }
      for (const n of [0, 31, 33, 65]) {
        expectCryptoError(() => pair.agree(new Uint8Array(n).fill(9)), 'InvalidPeerKey', `${n} bytes`);
        expectCryptoError(() => p.keyShare('x25519', new Uint8Array(n).fill(9)), 'InvalidPeerKey', `keyShare ${n} bytes`);
      }
    });

    it('keyShare draws the scalar as random(32, "x25519") and agrees with the client', () => {
      const client = create(seededRandom(4)).generateKeyPair('x25519');
      const scalar = new Uint8Array(32).fill(0x42);
      const p = withScript(create, [scalar, 'x25519']);
      const r = p.keyShare('x25519', client.publicKey);
      expect(p.remaining()).toBe(0);
      expect(toHex(r.serverShare)).toBe(toHex(x25519.getPublicKey(scalar)));
      expect(toHex(r.sharedSecret)).toBe(toHex(client.agree(r.serverShare)));
    });
  });

  describe('X25519MLKEM768', () => {
    const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
    const kem = ml_kem768.keygen(seed);
    const clientX = new Uint8Array(32).fill(0x77);
    const clientShare = concatBytes(kem.publicKey, x25519.getPublicKey(clientX));

    it('round trips against noble decapsulation and X25519, with random(32, "mlkem") then random(32, "x25519")', () => {
      const m = new Uint8Array(32).fill(0x5a);
      const serverX = new Uint8Array(32).fill(0x33);
      const p = withScript(create, [m, 'mlkem'], [serverX, 'x25519']);
      const r = p.keyShare('X25519MLKEM768', clientShare);
      expect(p.remaining()).toBe(0);
      expect(r.serverShare.length).toBe(1088 + 32);
      expect(r.sharedSecret.length).toBe(64);
      const ct = r.serverShare.subarray(0, 1088);
      const expected = ml_kem768.encapsulate(kem.publicKey, m);
      expect(toHex(ct)).toBe(toHex(expected.cipherText));
      expect(toHex(r.sharedSecret.subarray(0, 32))).toBe(toHex(ml_kem768.decapsulate(ct, kem.secretKey)));
      expect(toHex(r.serverShare.subarray(1088))).toBe(toHex(x25519.getPublicKey(serverX)));
      expect(toHex(r.sharedSecret.subarray(32))).toBe(toHex(x25519.getSharedSecret(clientX, r.serverShare.subarray(1088))));
    });

    it('with system randomness the client recovers the same secret', () => {
      const r = create().keyShare('X25519MLKEM768', clientShare);
      const ss = ml_kem768.decapsulate(r.serverShare.subarray(0, 1088), kem.secretKey);
      const xs = x25519.getSharedSecret(clientX, r.serverShare.subarray(1088));
      expect(toHex(r.sharedSecret)).toBe(toHex(concatBytes(ss, xs)));
    });

    it('rejects bad lengths, a failed FIPS 203 modulus check and a low-order X25519 half', () => {
      const p = create(scriptedRandom([])); // no randomness may be drawn for these
      for (const n of [0, 32, 1184, 1215, 1217, 1184 + 65]) {
        expectCryptoError(() => p.keyShare('X25519MLKEM768', new Uint8Array(n)), 'InvalidPeerKey', `${n} bytes`);
      }
      // first coefficient = 0xfff ≥ q = 3329
      const badModulus = clientShare.slice();
      badModulus[0] = 0xff;
      badModulus[1] = badModulus[1]! | 0x0f;
      expectCryptoError(() => p.keyShare('X25519MLKEM768', badModulus), 'InvalidPeerKey', 'modulus');
      // last coefficient of t̂ (bytes 1149..1151) = 3329 exactly
      const q = clientShare.slice();
      q[1150] = (q[1150]! & 0x0f) | ((3329 & 0x0f) << 4);
      q[1151] = 3329 >>> 4;
      expectCryptoError(() => p.keyShare('X25519MLKEM768', q), 'InvalidPeerKey', 'modulus (last coefficient = q)');
      const lowOrder = concatBytes(kem.publicKey, new Uint8Array(32));
      const withRandom = create(seededRandom(5));
      expectCryptoError(() => withRandom.keyShare('X25519MLKEM768', lowOrder), 'InvalidPeerKey', 'x25519 half all zero');
    });
  });

  it('the same scripted randomness gives the same shares on every group', () => {
    const groups: NamedGroup[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];
    const clientKem = ml_kem768.keygen(new Uint8Array(64).fill(1));
    for (const g of groups) {
      const c = create(seededRandom(10));
      const share =
        g === 'X25519MLKEM768' ? concatBytes(clientKem.publicKey, c.generateKeyPair('x25519').publicKey) : c.generateKeyPair(g).publicKey;
      const a = create(seededRandom(99)).keyShare(g, share);
      const b = create(seededRandom(99)).keyShare(g, share);
      expect(toHex(a.serverShare), g).toBe(toHex(b.serverShare));
      expect(toHex(a.sharedSecret), g).toBe(toHex(b.sharedSecret));
    }
  });

  it('unknown groups are RangeErrors', () => {
    const p = create();
    expect(() => p.generateKeyPair('x448' as 'x25519')).toThrow(RangeError);
    expect(() => p.keyShare('ffdhe2048' as NamedGroup, new Uint8Array(256))).toThrow(RangeError);
  });
});

describe('providers agree with each other', () => {
  it('same scripted randomness → byte-identical key shares on every group', () => {
    const [a, b] = PROVIDERS;
    if (!a || !b) return; // a single provider is checked against the vectors alone
    const clientKem = ml_kem768.keygen(new Uint8Array(64).fill(2));
    for (const g of ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'] as const) {
      const c = a.create(seededRandom(20));
      const share =
        g === 'X25519MLKEM768' ? concatBytes(clientKem.publicKey, c.generateKeyPair('x25519').publicKey) : c.generateKeyPair(g).publicKey;
      const ra = a.create(seededRandom(21)).keyShare(g, share);
      const rb = b.create(seededRandom(21)).keyShare(g, share);
      expect(toHex(rb.serverShare), g).toBe(toHex(ra.serverShare));
      expect(toHex(rb.sharedSecret), g).toBe(toHex(ra.sharedSecret));
    }
  });
});
