import { describe, expect, it } from 'vitest';
import {
  AEAD_CONFIDENTIALITY_LIMIT,
  AEAD_KEY_UPDATE_THRESHOLD,
  ContentType,
  MAX_CIPHERTEXT_TLS12,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  NullDecrypter,
  NullEncrypter,
  RecordReader,
  createDecrypter,
  createEncrypter,
  type RecordEncrypter,
  type TlsRecord,
  type TlsVersion,
  type TrafficKeys,
} from '../src/index';
import { AEADS, KEY_LENGTH, PROVIDERS, expectTlsError, pattern } from './helpers';

function keysFor(version: TlsVersion, algorithm: TrafficKeys['algorithm'], seed = 7): TrafficKeys {
  const ivLength = version === 'tls12' && algorithm !== 'chacha20-poly1305' ? 4 : 12;
  return { version, algorithm, key: pattern(KEY_LENGTH[algorithm], seed), iv: pattern(ivLength, seed + 1) };
}

function seal(e: RecordEncrypter, type: ContentType, content: Uint8Array, padding = 0): Uint8Array {
  const out = new Uint8Array(e.recordLength(content.length, padding));
  expect(e.sealInto(type, content, padding, out, 0)).toBe(out.length);
  return out;
}

function parse(bytes: Uint8Array): TlsRecord {
  const r = new RecordReader();
  r.maxFragmentLength = MAX_CIPHERTEXT_TLS12;
  r.push(bytes);
  return r.next()!;
}

describe.each(PROVIDERS)('record protection with the %s provider', (_name, provider) => {
  describe.each(['tls12', 'tls13'] as const)('%s', (version) => {
    it.each(AEADS)('%s: seal → open round trip, decrypting in place', (alg) => {
      const keys = keysFor(version, alg);
      const enc = createEncrypter(provider, keys);
      const dec = createDecrypter(provider, keys);
      for (const n of [0, 1, 15, 16, 17, 1000, MAX_PLAINTEXT]) {
        const content = pattern(n, n + 3);
        const type = n === 0 ? ContentType.application_data : ContentType.handshake;
        const rec = parse(seal(enc, type, content));
        expect(rec.fragment.length).toBe(n + 16 + (version === 'tls13' ? 1 : alg === 'chacha20-poly1305' ? 0 : 8));
        expect(rec.type).toBe(version === 'tls13' ? ContentType.application_data : type);
        const opened = dec.open(rec)!;
        expect(opened.type).toBe(type);
        expect(opened.content).toEqual(content);
        expect(opened.content.buffer).toBe(rec.fragment.buffer); // in place
      }
      expect(enc.usage.records).toBe(7);
      expect(dec.usage.records).toBe(7);
      expect(enc.usage.limit).toBe(AEAD_CONFIDENTIALITY_LIMIT[alg]);
      expect(enc.needsKeyUpdate).toBe(false);
    });

    it.each(AEADS)('%s: any flipped bit, a wrong sequence number or a wrong key fails authentication', (alg) => {
      const keys = keysFor(version, alg);
      const enc = createEncrypter(provider, keys);
      const record = seal(enc, ContentType.application_data, pattern(50));
      // header bits that keep it parseable (type 23 ↔ 22, minor version) and fragment bits
      for (const i of [0, 2, 5, 12, 13, record.length - 17, record.length - 1]) {
        const bad = record.slice();
        bad[i]! ^= i === 0 ? 0x01 : 0x40;
        const rec = parse(bad);
        const dec = createDecrypter(provider, keys);
        expect(dec.open(rec)).toBeNull();
        expect(dec.usage.records).toBe(0); // the sequence number does not advance on failure
      }
      const wrongKey = createDecrypter(provider, keysFor(version, alg, 99));
      expect(wrongKey.open(parse(record.slice()))).toBeNull();
      const later = createDecrypter(provider, { ...keys, initialSequenceNumber: 1n });
      expect(later.open(parse(record.slice()))).toBeNull();
      const ok = createDecrypter(provider, keys);
      expect(ok.open(parse(record.slice()))).not.toBeNull();
      // a record too short to hold a tag cannot authenticate
      expect(ok.open({ ...parse(record.slice()), fragment: new Uint8Array(5) })).toBeNull();
    });

    it('sequence numbers: each record uses the next one, a new key starts at zero', () => {
      const keys = keysFor(version, 'aes-128-gcm');
      const enc = createEncrypter(provider, keys);
      const r0 = seal(enc, ContentType.application_data, pattern(10));
      const r1 = seal(enc, ContentType.application_data, pattern(10));
      expect(r0).not.toEqual(r1);
      const dec = createDecrypter(provider, keys);
      expect(dec.open(parse(r1.slice()))).toBeNull(); // out of order
      expect(dec.open(parse(r0.slice()))).not.toBeNull();
      expect(dec.open(parse(r1.slice()))).not.toBeNull();
      const fresh = createEncrypter(provider, keys); // key change → seq 0 again
      expect(seal(fresh, ContentType.application_data, pattern(10))).toEqual(r0);
    });

    it('stops hard before the sequence number wraps', () => {
      const keys = { ...keysFor(version, 'chacha20-poly1305'), initialSequenceNumber: 2n ** 64n - 2n };
      const enc = createEncrypter(provider, keys);
      const dec = createDecrypter(provider, keys);
      const a = seal(enc, ContentType.application_data, pattern(3));
      const b = seal(enc, ContentType.application_data, pattern(3)); // uses 2^64 - 1
      expectTlsError(() => seal(enc, ContentType.application_data, pattern(3)), 'internal_error', 'SequenceNumberExhausted');
      expect(dec.open(parse(a))).not.toBeNull();
      expect(dec.open(parse(b))).not.toBeNull();
      expectTlsError(() => dec.open(parse(b)), 'internal_error', 'SequenceNumberExhausted');
      expect(() => createEncrypter(provider, { ...keys, initialSequenceNumber: 2n ** 64n })).toThrow(RangeError);
    });

    it('tracks the RFC 8446 §5.5 key-usage limit for AES-GCM and refuses past it', () => {
      const limit = AEAD_CONFIDENTIALITY_LIMIT['aes-128-gcm'];
      const threshold = AEAD_KEY_UPDATE_THRESHOLD['aes-128-gcm'];
      expect(limit).toBe(Math.floor(2 ** 24.5));
      const before = createEncrypter(provider, { ...keysFor(version, 'aes-128-gcm'), initialSequenceNumber: BigInt(threshold - 1) });
      expect(before.needsKeyUpdate).toBe(false);
      seal(before, ContentType.application_data, pattern(1));
      expect(before.needsKeyUpdate).toBe(true);
      expect(before.usage.records).toBe(threshold);
      const enc = createEncrypter(provider, { ...keysFor(version, 'aes-256-gcm'), initialSequenceNumber: BigInt(limit - 1) });
      seal(enc, ContentType.application_data, pattern(1));
      expectTlsError(() => seal(enc, ContentType.application_data, pattern(1)), 'internal_error', 'KeyUsageLimitReached');
      // ChaCha20-Poly1305 has no such limit below the sequence number
      const cc = createEncrypter(provider, { ...keysFor(version, 'chacha20-poly1305'), initialSequenceNumber: BigInt(limit) });
      expect(() => seal(cc, ContentType.application_data, pattern(1))).not.toThrow();
      expect(cc.needsKeyUpdate).toBe(false);
    });

    it('rejects decrypted plaintext over the limit → record_overflow', () => {
      const keys = keysFor(version, 'aes-128-gcm');
      const enc = createEncrypter(provider, keys);
      const dec = createDecrypter(provider, keys);
      const max = version === 'tls13' ? MAX_CIPHERTEXT_TLS13 : MAX_CIPHERTEXT_TLS12;
      expect(dec.maxFragmentLength).toBe(max);
      // Build an over-long record by sealing directly (the encrypter does not police lengths).
      const big = seal(enc, ContentType.application_data, pattern(MAX_PLAINTEXT + 1));
      expectTlsError(() => dec.open(parse(big)), 'record_overflow', 'PlaintextOverflow');
      const dec2 = createDecrypter(provider, keys);
      dec2.plaintextLimit = 100;
      const enc2 = createEncrypter(provider, keys);
      expect(dec2.open(parse(seal(enc2, ContentType.application_data, pattern(100))))).not.toBeNull();
      expectTlsError(() => dec2.open(parse(seal(enc2, ContentType.application_data, pattern(101)))), 'record_overflow', 'PlaintextOverflow');
    });

    it('rejects bad iv lengths and padding where it cannot exist', () => {
      expect(() => createEncrypter(provider, { ...keysFor(version, 'aes-128-gcm'), iv: new Uint8Array(version === 'tls13' ? 4 : 12) })).toThrow(RangeError);
      expect(() => createDecrypter(provider, { ...keysFor(version, 'aes-128-gcm'), key: new Uint8Array(15) })).toThrow(RangeError);
      if (version === 'tls12') {
        const enc = createEncrypter(provider, keysFor(version, 'aes-128-gcm'));
        expect(enc.canPad).toBe(false);
        expect(() => seal(enc, ContentType.application_data, pattern(3), 1)).toThrow(RangeError);
      }
    });
  });

  describe('TLS 1.3 specifics', () => {
    it('pads with zeros and strips them; all-zero inner plaintext → unexpected_message', () => {
      const keys = keysFor('tls13', 'aes-128-gcm');
      const enc = createEncrypter(provider, keys);
      const dec = createDecrypter(provider, keys);
      const rec = parse(seal(enc, ContentType.alert, new Uint8Array([2, 0]), 100));
      expect(rec.fragment.length).toBe(2 + 1 + 100 + 16);
      expect(dec.open(rec)).toEqual({ type: ContentType.alert, content: new Uint8Array([2, 0]) });
      // A record whose inner plaintext is only zeros: build it by sealing zeros with the raw AEAD.
      const aead = provider.createAead('aes-128-gcm', keys.key);
      const header = new Uint8Array([23, 3, 3, 0, 20 + 16]);
      const nonce = keys.iv.slice();
      nonce[11]! ^= 1; // sequence number 1
      const body = aead.seal(nonce, header, new Uint8Array(20));
      const zeros = parse(Uint8Array.from([...header, ...body]));
      expectTlsError(() => dec.open(zeros), 'unexpected_message', 'AllZeroInnerPlaintext');
      // An empty inner plaintext (just a tag) is all zeros too
      const dec2 = createDecrypter(provider, keys);
      const h2 = new Uint8Array([23, 3, 3, 0, 16]);
      const empty = parse(Uint8Array.from([...h2, ...aead.seal(keys.iv, h2, new Uint8Array(0))]));
      expectTlsError(() => dec2.open(empty), 'unexpected_message', 'AllZeroInnerPlaintext');
    });

    it('uses nonce = iv XOR seq and the record header as AAD (checked against the raw AEAD)', () => {
      const keys = keysFor('tls13', 'chacha20-poly1305');
      const enc = createEncrypter(provider, { ...keys, initialSequenceNumber: 0x0102030405060708n });
      const out = seal(enc, ContentType.application_data, pattern(20));
      const nonce = keys.iv.slice();
      [1, 2, 3, 4, 5, 6, 7, 8].forEach((b, i) => (nonce[4 + i]! ^= b));
      const pt = provider.createAead('chacha20-poly1305', keys.key).open(nonce, out.subarray(0, 5), out.subarray(5));
      expect(pt).toEqual(Uint8Array.from([...pattern(20), 23]));
    });
  });

  describe('TLS 1.2 specifics', () => {
    it('AES-GCM: explicit nonce = seq on the wire, nonce = salt ‖ explicit, AAD = seq ‖ type ‖ version ‖ length', () => {
      const keys = keysFor('tls12', 'aes-128-gcm');
      const enc = createEncrypter(provider, { ...keys, initialSequenceNumber: 5n });
      const out = seal(enc, ContentType.handshake, pattern(30));
      expect([...out.subarray(0, 5)]).toEqual([22, 3, 3, 0, 8 + 30 + 16]);
      expect([...out.subarray(5, 13)]).toEqual([0, 0, 0, 0, 0, 0, 0, 5]);
      const nonce = Uint8Array.from([...keys.iv, ...out.subarray(5, 13)]);
      const aad = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 5, 22, 3, 3, 0, 30]);
      const pt = provider.createAead('aes-128-gcm', keys.key).open(nonce, aad, out.subarray(13));
      expect(pt).toEqual(pattern(30));
      // the receiver takes the explicit nonce from the record, whatever the sender chose
      const other = out.slice();
      const dec = createDecrypter(provider, { ...keys, initialSequenceNumber: 5n });
      expect(dec.open(parse(other))!.content).toEqual(pattern(30));
    });

    it('ChaCha20-Poly1305 (RFC 7905): nonce = iv XOR seq, no explicit nonce', () => {
      const keys = keysFor('tls12', 'chacha20-poly1305');
      const enc = createEncrypter(provider, { ...keys, initialSequenceNumber: 9n });
      const out = seal(enc, ContentType.alert, new Uint8Array([1, 0]));
      expect(out.length).toBe(5 + 2 + 16);
      const nonce = keys.iv.slice();
      nonce[11]! ^= 9;
      const aad = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 9, 21, 3, 3, 0, 2]);
      expect(provider.createAead('chacha20-poly1305', keys.key).open(nonce, aad, out.subarray(5))).toEqual(new Uint8Array([1, 0]));
    });
  });
});

describe('null protection', () => {
  it('frames content as is', () => {
    const e = new NullEncrypter();
    const out = seal(e, ContentType.handshake, pattern(7));
    expect([...out.subarray(0, 5)]).toEqual([22, 3, 3, 0, 7]);
    const d = new NullDecrypter();
    expect(d.open(parse(out))).toEqual({ type: 22, content: pattern(7) });
    expect(d.maxFragmentLength).toBe(MAX_PLAINTEXT);
    expect(() => seal(e, ContentType.handshake, pattern(7), 1)).toThrow(RangeError);
    expect(e.needsKeyUpdate).toBe(false);
  });
});
