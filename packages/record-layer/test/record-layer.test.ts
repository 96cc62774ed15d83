import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AEAD_KEY_UPDATE_THRESHOLD,
  ContentType,
  MAX_CIPHERTEXT_TLS12,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  MAX_USELESS_RECORDS,
  MAX_WARNING_ALERTS,
  RecordLayer,
  RecordReader,
  TlsError,
  createEncrypter,
  isTlsError,
  padToMultipleOf,
  type RecordEvent,
  type TlsRecord,
  type TlsVersion,
  type TrafficKeys,
} from '../src/index';
import { KEY_LENGTH, PROVIDERS, concat, expectTlsError, handshakeMessage, pattern, plainRecord } from './helpers';

const provider = PROVIDERS[0]![1];

function keysFor(version: TlsVersion, seed = 1, algorithm: TrafficKeys['algorithm'] = 'aes-128-gcm'): TrafficKeys {
  const ivLength = version === 'tls12' && algorithm !== 'chacha20-poly1305' ? 4 : 12;
  return { version, algorithm, key: pattern(KEY_LENGTH[algorithm], seed), iv: pattern(ivLength, seed + 100) };
}

/** A receiving layer with `version` set and (optionally) read keys, and a sealer for the peer's records. */
function setup(version: TlsVersion, opts: { keys?: boolean; maxHandshakeMessageLength?: number } = {}) {
  const rl = new RecordLayer({ provider, ...(opts.maxHandshakeMessageLength ? { maxHandshakeMessageLength: opts.maxHandshakeMessageLength } : {}) });
  rl.setVersion(version);
  const k = keysFor(version);
  const enc = createEncrypter(provider, k);
  if (opts.keys !== false) rl.setReadProtection(k);
  /** A record protected with the peer's key, of real content type `type`. */
  const sealed = (type: ContentType, content: Uint8Array, padding = 0) => {
    const out = new Uint8Array(enc.recordLength(content.length, padding));
    enc.sealInto(type, content, padding, out, 0);
    return out;
  };
  const feed = (bytes: Uint8Array): RecordEvent[] => {
    rl.receive(bytes);
    return [...rl.events()];
  };
  return { rl, sealed, feed, keys: k };
}

function records(bytes: Uint8Array): TlsRecord[] {
  const r = new RecordReader();
  r.maxFragmentLength = MAX_CIPHERTEXT_TLS12;
  r.push(bytes);
  const out: TlsRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(rec);
  return out;
}

const hsKinds = (evs: RecordEvent[]) => evs.map((e) => (e.kind === 'handshake' ? `hs${e.type}` : e.kind));

describe('RecordLayer: reading', () => {
  it('yields handshake messages with their raw bytes, across and within records', () => {
    const rl = new RecordLayer({ provider });
    const m1 = handshakeMessage(1, pattern(500));
    const m2 = handshakeMessage(2, pattern(20000, 2));
    const m3 = handshakeMessage(14, new Uint8Array(0));
    const stream = concat(m1, m2, m3);
    const wire = concat(
      plainRecord(22, stream.subarray(0, 100), 0x0301),
      plainRecord(22, stream.subarray(100, 100 + MAX_PLAINTEXT)),
      plainRecord(22, stream.subarray(100 + MAX_PLAINTEXT)),
    );
    rl.receive(wire);
    const evs = [...rl.events()];
    expect(hsKinds(evs)).toEqual(['hs1', 'hs2', 'hs14']);
    expect(concat(...evs.map((e) => (e.kind === 'handshake' ? e.raw : new Uint8Array(0))))).toEqual(stream);
    expect(rl.wantsInput).toBe(true);
    expect(rl.hasPartialInput).toBe(false);
  });

  it('applies a key change between two records of one chunk (pull model)', () => {
    const rl = new RecordLayer({ provider });
    const hs = keysFor('tls13', 5);
    const app = keysFor('tls13', 6);
    const seal = (k: TrafficKeys, type: ContentType, c: Uint8Array) => {
      const e = createEncrypter(provider, k);
      const out = new Uint8Array(e.recordLength(c.length, 0));
      e.sealInto(type, c, 0, out, 0);
      return out;
    };
    const ch = plainRecord(22, handshakeMessage(1, pattern(50)), 0x0301);
    const fin = seal(hs, ContentType.handshake, handshakeMessage(20, pattern(32)));
    const data = seal(app, ContentType.application_data, pattern(10));
    rl.receive(concat(ch, fin, data));
    const e1 = rl.next()!;
    expect(e1.kind === 'handshake' && e1.type).toBe(1);
    rl.setVersion('tls13');
    rl.setReadProtection(hs);
    const e2 = rl.next()!;
    expect(e2.kind === 'handshake' && e2.type).toBe(20);
    rl.setReadProtection(app);
    expect(rl.next()).toEqual({ kind: 'applicationData', data: pattern(10) });
    expect(rl.next()).toBeNull();
  });

  describe('legacy_record_version', () => {
    it('accepts 0x0301 for ClientHellos (TLS 1.3 ignores the field, RFC 8446 §5.1), requires 0x0303 in TLS 1.2', () => {
      const rl = new RecordLayer({ provider });
      rl.receive(plainRecord(22, handshakeMessage(1, pattern(10)), 0x0301));
      expect(rl.next()!.kind).toBe('handshake');
      rl.setVersion('tls13');
      rl.receive(plainRecord(22, handshakeMessage(1, pattern(10)), 0x0301));
      expect(rl.next()!.kind).toBe('handshake');
      rl.receive(plainRecord(22, handshakeMessage(1, pattern(10)), 0x0201));
      expectTlsError(() => rl.next(), 'protocol_version', 'BadRecordVersion');
      const { feed } = setup('tls12', { keys: false });
      expectTlsError(() => feed(plainRecord(22, handshakeMessage(16, pattern(10)), 0x0302)), 'protocol_version', 'BadRecordVersion');
      expect(() => new RecordLayer({ provider }).setVersion('tls11' as never)).toThrow(RangeError);
    });
  });

  describe('length limits → record_overflow', () => {
    it('plaintext over 2^14', () => {
      const { feed } = setup('tls13', { keys: false });
      expectTlsError(() => feed(plainRecord(22, pattern(MAX_PLAINTEXT + 1))), 'record_overflow', 'RecordOverflow');
    });
    it('TLS 1.3 ciphertext over 2^14 + 256, TLS 1.2 over 2^14 + 2048', () => {
      expectTlsError(() => setup('tls13').feed(plainRecord(23, pattern(MAX_CIPHERTEXT_TLS13 + 1))), 'record_overflow', 'CiphertextOverflow');
      expectTlsError(() => setup('tls12').feed(plainRecord(23, pattern(MAX_CIPHERTEXT_TLS12 + 1))), 'record_overflow', 'CiphertextOverflow');
      // at the limit: framing passes, authentication decides
      expectTlsError(() => setup('tls13').feed(plainRecord(23, pattern(MAX_CIPHERTEXT_TLS13))), 'bad_record_mac', 'DecryptFailed');
      expectTlsError(() => setup('tls12').feed(plainRecord(23, pattern(MAX_CIPHERTEXT_TLS12))), 'bad_record_mac', 'DecryptFailed');
    });
    it('decrypted plaintext over 2^14, or over our record_size_limit (RFC 8449)', () => {
      for (const version of ['tls12', 'tls13'] as const) {
        const { sealed, feed } = setup(version);
        expectTlsError(() => feed(sealed(ContentType.application_data, pattern(MAX_PLAINTEXT + 1))), 'record_overflow', 'PlaintextOverflow');
        const s = setup(version);
        s.rl.setOwnRecordSizeLimit(100);
        const max = version === 'tls13' ? 99 : 100; // TLS 1.3 counts the content type byte
        expect(s.feed(s.sealed(ContentType.application_data, pattern(max)))).toHaveLength(1);
        expectTlsError(() => s.feed(s.sealed(ContentType.application_data, pattern(max + 1))), 'record_overflow', 'PlaintextOverflow');
      }
      expect(() => new RecordLayer({ provider }).setOwnRecordSizeLimit(63)).toThrow(RangeError);
    });
  });

  describe('content types and empty records', () => {
    it('unknown outer type → unexpected_message; unknown TLS 1.3 inner type too', () => {
      expectTlsError(() => setup('tls13').feed(plainRecord(24, pattern(3))), 'unexpected_message', 'UnknownContentType');
      const { sealed, feed } = setup('tls13');
      expectTlsError(() => feed(sealed(24 as ContentType, pattern(3))), 'unexpected_message', 'UnknownContentType');
    });
    it('zero-length handshake and alert records → unexpected_message (RFC 8446 §5.4), plaintext or protected, padded or not, both versions', () => {
      for (const v of ['tls12', 'tls13'] as const) {
        expectTlsError(() => setup(v, { keys: false }).feed(plainRecord(22, new Uint8Array(0))), 'unexpected_message', 'EmptyHandshakeRecord');
        expectTlsError(() => setup(v, { keys: false }).feed(plainRecord(21, new Uint8Array(0))), 'unexpected_message', 'EmptyAlertRecord');
        for (const padding of v === 'tls13' ? [0, 10] : [0]) {
          const a = setup(v);
          expectTlsError(() => a.feed(a.sealed(ContentType.handshake, new Uint8Array(0), padding)), 'unexpected_message', 'EmptyHandshakeRecord');
          const b = setup(v);
          expectTlsError(() => b.feed(b.sealed(ContentType.alert, new Uint8Array(0), padding)), 'unexpected_message', 'EmptyAlertRecord');
        }
      }
    });
    it('zero-length application data before the handshake completes is reported (the handshake judges it), and counted', () => {
      for (const v of ['tls12', 'tls13'] as const) {
        const { sealed, feed } = setup(v);
        expect(feed(sealed(ContentType.application_data, new Uint8Array(0)))).toEqual([{ kind: 'applicationData', data: new Uint8Array(0) }]);
        const plain = setup(v, { keys: false });
        expect(plain.feed(plainRecord(23, new Uint8Array(0)))).toEqual([{ kind: 'applicationData', data: new Uint8Array(0) }]);
      }
      const { sealed, feed } = setup('tls13');
      const empties = Array.from({ length: MAX_USELESS_RECORDS }, () => sealed(ContentType.application_data, new Uint8Array(0)));
      expect(feed(concat(...empties))).toHaveLength(MAX_USELESS_RECORDS);
      expectTlsError(() => feed(sealed(ContentType.application_data, new Uint8Array(0))), 'unexpected_message', 'TooManyEmptyRecords');
    });
    it('zero-length application data after the handshake reports nothing; a flood of them is refused', () => {
      const { rl, sealed, feed } = setup('tls13');
      rl.setHandshakeComplete();
      const empties = () => Array.from({ length: MAX_USELESS_RECORDS }, () => sealed(ContentType.application_data, new Uint8Array(0)));
      expect(feed(concat(...empties(), sealed(ContentType.application_data, pattern(1))))).toHaveLength(1);
      expect(feed(concat(...empties()))).toEqual([]);
      expectTlsError(() => feed(sealed(ContentType.application_data, new Uint8Array(0))), 'unexpected_message', 'TooManyEmptyRecords');
    });
    it('TLS 1.3: unprotected records while a key is in use → unexpected_message (a plaintext alert only until a record deprotects)', () => {
      expectTlsError(() => setup('tls13').feed(plainRecord(22, handshakeMessage(20, pattern(32)))), 'unexpected_message', 'UnexpectedPlaintextRecord');
      // a client that failed on our ServerHello has no keys and alerts in clear
      expect(setup('tls13').feed(plainRecord(21, new Uint8Array([2, 47])))).toEqual([{ kind: 'alert', level: 2, description: 47 }]);
      const { sealed, feed } = setup('tls13');
      feed(sealed(ContentType.handshake, handshakeMessage(20, pattern(32))));
      expectTlsError(() => feed(plainRecord(21, new Uint8Array([2, 40]))), 'unexpected_message', 'UnexpectedPlaintextRecord');
    });
    it('authentication failure → bad_record_mac', () => {
      for (const v of ['tls12', 'tls13'] as const) {
        const { sealed, feed } = setup(v);
        const rec = sealed(ContentType.application_data, pattern(40));
        rec[rec.length - 1]! ^= 1;
        expectTlsError(() => feed(rec), 'bad_record_mac', 'DecryptFailed');
        expectTlsError(() => setup(v).feed(plainRecord(23, pattern(5))), 'bad_record_mac', 'DecryptFailed');
      }
    });
    it('TLS 1.3: an all-zero inner plaintext → unexpected_message', () => {
      const { rl, keys } = setup('tls13');
      const aead = provider.createAead(keys.algorithm, keys.key);
      const header = new Uint8Array([23, 3, 3, 0, 16 + 8]);
      rl.receive(concat(header, aead.seal(keys.iv, header, new Uint8Array(8))));
      expectTlsError(() => rl.next(), 'unexpected_message', 'AllZeroInnerPlaintext');
    });
  });

  describe('ChangeCipherSpec', () => {
    it('TLS 1.3: the compatibility CCS (0x01) is dropped before the handshake ends', () => {
      const { rl, feed, sealed } = setup('tls13');
      expect(feed(concat(plainRecord(20, new Uint8Array([1])), sealed(ContentType.handshake, handshakeMessage(20, pattern(32)))))).toHaveLength(1);
      rl.setHandshakeComplete();
      expectTlsError(() => feed(plainRecord(20, new Uint8Array([1]))), 'unexpected_message', 'UnexpectedChangeCipherSpec');
    });
    it('TLS 1.3: any other CCS body, or a protected CCS → unexpected_message', () => {
      expectTlsError(() => setup('tls13').feed(plainRecord(20, new Uint8Array([2]))), 'unexpected_message', 'BadChangeCipherSpec');
      expectTlsError(() => setup('tls13').feed(plainRecord(20, new Uint8Array([1, 1]))), 'unexpected_message', 'BadChangeCipherSpec');
      expectTlsError(() => setup('tls13').feed(plainRecord(20, new Uint8Array(0))), 'unexpected_message', 'BadChangeCipherSpec');
      const { sealed, feed } = setup('tls13');
      expectTlsError(() => feed(sealed(ContentType.change_cipher_spec, new Uint8Array([1]))), 'unexpected_message', 'UnexpectedChangeCipherSpec');
    });
    it('TLS 1.2: CCS is an event; its body must be the single byte 0x01 (RFC 5246 §7.1), else unexpected_message', () => {
      const { feed } = setup('tls12', { keys: false });
      expect(feed(plainRecord(20, new Uint8Array([1])))).toEqual([{ kind: 'changeCipherSpec' }]);
      for (const body of [[0], [2], [1, 1], []]) {
        expectTlsError(() => setup('tls12', { keys: false }).feed(plainRecord(20, new Uint8Array(body))), 'unexpected_message', 'BadChangeCipherSpec');
      }
    });
  });

  describe('handshake reassembly rules', () => {
    it('a message spanning a key change → unexpected_message (partial or unread bytes), and the error sticks', () => {
      const a = setup('tls13', { keys: false });
      a.rl.receive(plainRecord(22, concat(handshakeMessage(1, pattern(20)), handshakeMessage(2, pattern(20)).subarray(0, 6))));
      expect(a.rl.next()!.kind).toBe('handshake');
      expect(a.rl.next()).toBeNull();
      const err = expectTlsError(() => a.rl.setReadProtection(a.keys), 'unexpected_message', 'MessageSpansKeyChange');
      expect(() => a.rl.next()).toThrow(err);
      expect(() => a.rl.receive(new Uint8Array(1))).toThrow(err);
      // a whole second message in the same record, not yet read, also crosses the boundary
      const b = setup('tls13', { keys: false });
      b.rl.receive(plainRecord(22, concat(handshakeMessage(1, pattern(20)), handshakeMessage(2, pattern(20)))));
      expect(b.rl.next()!.kind).toBe('handshake');
      expectTlsError(() => b.rl.setReadProtection(b.keys), 'unexpected_message', 'MessageSpansKeyChange');
    });
    it('other records inside a fragmented handshake message → unexpected_message', () => {
      const part = plainRecord(22, handshakeMessage(1, pattern(20)).subarray(0, 10));
      for (const other of [plainRecord(21, new Uint8Array([1, 0])), plainRecord(23, pattern(3)), plainRecord(20, new Uint8Array([1]))]) {
        expectTlsError(() => setup('tls12', { keys: false }).feed(concat(part, other)), 'unexpected_message', 'InterleavedHandshakeData');
        expectTlsError(() => setup('tls13', { keys: false }).feed(concat(part, other)), 'unexpected_message', 'InterleavedHandshakeData');
      }
    });
    it('caps the size of one handshake message (configurable) → decode_error', () => {
      const { feed } = setup('tls13', { keys: false, maxHandshakeMessageLength: 1000 });
      expect(feed(plainRecord(22, handshakeMessage(11, pattern(1000))))).toHaveLength(1);
      expectTlsError(() => feed(plainRecord(22, handshakeMessage(11, pattern(1001)))), 'decode_error', 'MessageTooLarge');
      // without a cap, a 2^24-1 header is buffered only as far as its bytes arrive
      const big = new RecordLayer({ provider });
      big.receive(plainRecord(22, new Uint8Array([11, 0xff, 0xff, 0xff, 1, 2])));
      expect(big.next()).toBeNull();
      expect(big.bufferedHandshakeBytes).toBeLessThanOrEqual(6);
    });
    it('a per-type bound is asked from the header alone; it may refuse the type', () => {
      const seen: number[] = [];
      const limit = (type: number) => {
        seen.push(type);
        if (type === 2) throw new TlsError('UnexpectedHandshakeMessage', 'type 2');
        return type === 1 ? 100 : 10;
      };
      const rl = new RecordLayer({ provider, handshakeMessageLimit: limit, maxHandshakeMessageLength: 50 });
      rl.receive(plainRecord(22, concat(handshakeMessage(1, pattern(50)), handshakeMessage(20, pattern(10)))));
      expect([...rl.events()].map((e) => e.kind === 'handshake' && e.type)).toEqual([1, 20]);
      expect(seen).toEqual([1, 20]);
      // the smaller bound applies: 50 (the cap) for type 1, 10 for type 20
      const a = new RecordLayer({ provider, handshakeMessageLimit: limit, maxHandshakeMessageLength: 50 });
      a.receive(plainRecord(22, new Uint8Array([1, 0, 0, 51])));
      expectTlsError(() => a.next(), 'decode_error', 'MessageTooLarge');
      const b = new RecordLayer({ provider, handshakeMessageLimit: limit });
      b.receive(plainRecord(22, new Uint8Array([20, 0, 0, 11])));
      expectTlsError(() => b.next(), 'decode_error', 'MessageTooLarge');
      const c = new RecordLayer({ provider, handshakeMessageLimit: limit });
      c.receive(plainRecord(22, new Uint8Array([2, 0xff, 0xff, 0xff])));
      expectTlsError(() => c.next(), 'unexpected_message', 'UnexpectedHandshakeMessage');
      expect(() => new RecordLayer({ provider, handshakeMessageLimit: 5 as never })).toThrow(TypeError);
    });
  });

  describe('alerts', () => {
    it('decodes alerts as events, plaintext and protected', () => {
      expect(setup('tls12', { keys: false }).feed(plainRecord(21, new Uint8Array([2, 40])))).toEqual([{ kind: 'alert', level: 2, description: 40 }]);
      const { sealed, feed } = setup('tls13');
      expect(feed(sealed(ContentType.alert, new Uint8Array([1, 0]), 30))).toEqual([{ kind: 'alert', level: 1, description: 0 }]);
    });
    it('rejects alert records that are not exactly one alert', () => {
      expectTlsError(() => setup('tls12', { keys: false }).feed(plainRecord(21, new Uint8Array([2, 40, 2, 40]))), 'decode_error', 'BadAlertMessage');
      const { sealed, feed } = setup('tls13');
      expectTlsError(() => feed(sealed(ContentType.alert, new Uint8Array([2]))), 'decode_error', 'BadAlertMessage');
    });
    it('tolerates a few consecutive warning alerts, not a flood', () => {
      const { feed } = setup('tls12', { keys: false });
      const warn = plainRecord(21, new Uint8Array([1, 90]));
      expect(feed(concat(...Array.from({ length: MAX_WARNING_ALERTS }, () => warn)))).toHaveLength(MAX_WARNING_ALERTS);
      expectTlsError(() => feed(warn), 'unexpected_message', 'TooManyWarningAlerts');
    });
  });

  describe('rejected early data (RFC 8446 §4.2.10)', () => {
    it('drops records that fail the handshake key, up to the limit, until one deprotects', () => {
      const { rl, sealed, feed } = setup('tls13');
      const early = createEncrypter(provider, keysFor('tls13', 77));
      const earlyRec = (n: number) => {
        const out = new Uint8Array(early.recordLength(n, 0));
        early.sealInto(ContentType.application_data, pattern(n), 0, out, 0);
        return out;
      };
      rl.setRejectEarlyData(1000);
      expect(rl.skippingEarlyData).toBe(true);
      const evs = feed(concat(earlyRec(400), plainRecord(20, new Uint8Array([1])), earlyRec(600), sealed(ContentType.handshake, handshakeMessage(20, pattern(32)))));
      expect(hsKinds(evs)).toEqual(['hs20']);
      expect(rl.skippingEarlyData).toBe(false);
      // after the first record that deprotects, failures are bad_record_mac again
      expectTlsError(() => feed(earlyRec(10)), 'bad_record_mac', 'DecryptFailed');
    });
    it('more than max_early_data_size → unexpected_message', () => {
      const { rl, feed } = setup('tls13');
      rl.setRejectEarlyData(100);
      expectTlsError(() => feed(plainRecord(23, pattern(17 + 101))), 'unexpected_message', 'TooMuchEarlyData');
      expect(() => rl.setRejectEarlyData(-1)).toThrow(RangeError);
    });
    it('after a HelloRetryRequest: unprotected application_data records are skipped until the second ClientHello', () => {
      const { rl, feed } = setup('tls13', { keys: false });
      rl.setRejectEarlyData(1 << 14);
      const evs = feed(concat(plainRecord(23, pattern(300)), plainRecord(20, new Uint8Array([1])), plainRecord(22, handshakeMessage(1, pattern(40)))));
      expect(hsKinds(evs)).toEqual(['hs1']);
      expect(rl.skippingEarlyData).toBe(false);
    });
  });

  it('errors stick; nothing but TlsError escapes next()', () => {
    const { rl } = setup('tls13');
    rl.receive(plainRecord(23, pattern(40)));
    const err = expectTlsError(() => rl.next(), 'bad_record_mac', 'DecryptFailed');
    expect(() => rl.next()).toThrow(err);
    // a provider that throws (a bug) is reported as internal_error
    const broken = new RecordLayer({
      provider: { ...provider, createAead: () => ({ algorithm: 'aes-128-gcm', seal: () => new Uint8Array(0), open: () => { throw new Error('boom'); }, clean() {} }) },
    });
    broken.setVersion('tls13');
    broken.setReadProtection(keysFor('tls13'));
    broken.receive(plainRecord(23, pattern(40)));
    const e = expectTlsError(() => broken.next(), 'internal_error', 'Internal');
    expect(isTlsError(e) && (e.cause as Error).message).toBe('boom');
  });

  it('checks its options once, in the constructor', () => {
    expect(() => new RecordLayer({} as never)).toThrow(TypeError);
    expect(() => new RecordLayer({ provider, maxHandshakeMessageLength: 2 ** 24 })).toThrow(RangeError);
  });
});

describe('RecordLayer: writing', () => {
  /** A writer and a reader sharing keys: what one writes, the other reads. */
  function pair(version: TlsVersion, algorithm: TrafficKeys['algorithm'] = 'aes-128-gcm') {
    const w = new RecordLayer({ provider });
    const r = new RecordLayer({ provider });
    w.setVersion(version);
    r.setVersion(version);
    const k = keysFor(version, 9, algorithm);
    w.setWriteProtection(k);
    r.setReadProtection(k);
    const read = () => {
      r.receive(w.takeOutput());
      return [...r.events()];
    };
    return { w, r, read };
  }

  it('fragments application data into records of at most 2^14 bytes', { timeout: 30_000 }, () => {
    for (const version of ['tls12', 'tls13'] as const) {
      const { w, r } = pair(version);
      const data = pattern(3 * MAX_PLAINTEXT + 5);
      w.writeApplicationData(data);
      w.writeApplicationData(new Uint8Array(0)); // nothing
      const chunks = w.takeOutputChunks();
      expect(chunks).toHaveLength(1);
      const recs = records(chunks[0]!.slice());
      expect(recs).toHaveLength(4);
      r.receive(chunks[0]!);
      const evs = [...r.events()];
      expect(evs.map((e) => (e.kind === 'applicationData' ? e.data.length : -1))).toEqual([MAX_PLAINTEXT, MAX_PLAINTEXT, MAX_PLAINTEXT, 5]);
      expect(concat(...evs.map((e) => (e.kind === 'applicationData' ? e.data : new Uint8Array(0))))).toEqual(data);
    }
  });

  it('with the node provider, large TLS 1.3 writes come out as header, ciphertext and tag per record; small ones as one chunk', () => {
    const node = PROVIDERS.find(([name]) => name === 'node')![1];
    const w = new RecordLayer({ provider: node });
    const r = new RecordLayer({ provider });
    w.setVersion('tls13');
    r.setVersion('tls13');
    const k = keysFor('tls13', 11);
    w.setWriteProtection(k);
    r.setReadProtection(k);
    const data = pattern(3 * MAX_PLAINTEXT + 5);
    w.writeApplicationData(data);
    const chunks = w.takeOutputChunks();
    expect(chunks.map((c) => c.length)).toEqual([5, MAX_PLAINTEXT + 1, 16, 5, MAX_PLAINTEXT + 1, 16, 5, MAX_PLAINTEXT + 1, 16, 5, 6, 16]);
    for (const c of chunks) r.receive(c);
    const evs = [...r.events()];
    expect(concat(...evs.map((e) => (e.kind === 'applicationData' ? e.data : new Uint8Array(0))))).toEqual(data);
    w.writeApplicationData(pattern(100));
    expect(w.takeOutputChunks()).toHaveLength(1);
    // TLS 1.2 records keep the one region per write.
    const w12 = new RecordLayer({ provider: node });
    w12.setVersion('tls12');
    w12.setWriteProtection(keysFor('tls12', 12));
    w12.writeApplicationData(data);
    expect(w12.takeOutputChunks()).toHaveLength(1);
  });

  it('honours the peer record_size_limit (RFC 8449) for protected records only', () => {
    const { w, read } = pair('tls13');
    w.setPeerRecordSizeLimit(1000);
    expect(w.maxFragmentLength).toBe(999); // TLS 1.3: the limit counts the content type
    w.writeApplicationData(pattern(2500));
    expect(read().map((e) => (e.kind === 'applicationData' ? e.data.length : -1))).toEqual([999, 999, 502]);
    const p12 = pair('tls12');
    p12.w.setPeerRecordSizeLimit(1000);
    expect(p12.w.maxFragmentLength).toBe(1000);
    const plain = new RecordLayer({ provider });
    plain.setPeerRecordSizeLimit(64);
    plain.writeHandshake(handshakeMessage(2, pattern(500)));
    expect(records(plain.takeOutput())).toHaveLength(1); // "Unprotected messages are not subject to this limit"
    expect(() => plain.setPeerRecordSizeLimit(63)).toThrow(RangeError);
  });

  it('property: under any peer record_size_limit and padding, no protected record exceeds it (RFC 8449 §4: TLS 1.3 counts type and padding)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TlsVersion>('tls12', 'tls13'),
        fc.integer({ min: 64, max: 0xffff }),
        fc.option(fc.integer({ min: 1, max: 512 }), { nil: null }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 4 }),
        (version, limit, pad, sizes) => {
          const { w } = pair(version);
          w.setPeerRecordSizeLimit(limit);
          if (pad !== null && version === 'tls13') w.setPaddingPolicy(padToMultipleOf(pad));
          for (const n of sizes) w.writeApplicationData(pattern(n));
          w.writeHandshake(handshakeMessage(4, pattern(3000)));
          w.writeAlert('close_notify');
          // Inner plaintext of each record: the ciphertext less the tag (and TLS 1.2 GCM's explicit nonce).
          const overhead = version === 'tls13' ? 16 : 16 + 8;
          const cap = version === 'tls13' ? Math.min(limit, MAX_PLAINTEXT + 1) : Math.min(limit, MAX_PLAINTEXT);
          for (const rec of records(w.takeOutput())) expect(rec.fragment.length - overhead).toBeLessThanOrEqual(cap);
        },
      ),
      { numRuns: 60, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('pads TLS 1.3 records by policy and never beyond the limit', () => {
    const { w, r } = pair('tls13');
    w.setPaddingPolicy(padToMultipleOf(256));
    w.writeApplicationData(pattern(10));
    w.writeAlert('close_notify');
    w.writeApplicationData(pattern(MAX_PLAINTEXT));
    const out = w.takeOutput();
    const recs = records(out.slice());
    expect(recs.map((r) => r.fragment.length)).toEqual([256 + 16, 256 + 16, MAX_PLAINTEXT + 1 + 16]);
    r.receive(out);
    expect([...r.events()]).toEqual([
      { kind: 'applicationData', data: pattern(10) },
      { kind: 'alert', level: 1, description: 0 },
      { kind: 'applicationData', data: pattern(MAX_PLAINTEXT) },
    ]);
    w.setPaddingPolicy(() => 1e6);
    expect(() => w.writeApplicationData(pattern(10))).toThrow(RangeError);
    expect(() => padToMultipleOf(0)).toThrow(RangeError);
    // TLS 1.2 cannot pad: the policy is ignored
    const p12 = pair('tls12');
    p12.w.setPaddingPolicy(padToMultipleOf(256));
    p12.w.writeApplicationData(pattern(10));
    expect(records(p12.w.takeOutput())[0]!.fragment.length).toBe(8 + 10 + 16);
  });

  it('coalesces handshake messages into as few records as fit, flushing before a key change', () => {
    const w = new RecordLayer({ provider });
    w.setVersion('tls13');
    const sh = handshakeMessage(2, pattern(90));
    w.writeHandshake(sh);
    const hsKeys = keysFor('tls13', 3);
    w.setWriteProtection(hsKeys); // ServerHello goes out in clear, before the key change
    const ee = handshakeMessage(8, pattern(10));
    const cert = handshakeMessage(11, pattern(20000));
    const cv = handshakeMessage(15, pattern(100));
    w.writeHandshake(ee);
    w.writeHandshake(cert, cv);
    w.writeHandshake(handshakeMessage(20, pattern(32)));
    w.writeChangeCipherSpec(); // TLS 1.3: plaintext even under protection
    expect(w.hasOutput).toBe(true);
    const recs = records(w.takeOutput());
    expect(recs.map((r) => [r.type, r.fragment.length])).toEqual([
      [22, sh.length],
      [23, MAX_PLAINTEXT + 1 + 16],
      [23, ee.length + cert.length + cv.length + 36 - MAX_PLAINTEXT + 1 + 16],
      [20, 1],
    ]);
    expect(w.hasOutput).toBe(false);
    expect(w.takeOutput()).toEqual(new Uint8Array(0));
    // the reader reassembles the four messages
    const r = new RecordLayer({ provider });
    r.setVersion('tls13');
    r.receive(concat(...recs.map((x) => concat(x.header, x.fragment))));
    expect(r.next()!.kind).toBe('handshake');
    r.setReadProtection(hsKeys);
    expect(hsKinds([...r.events()])).toEqual(['hs8', 'hs11', 'hs15', 'hs20']);
  });

  it('TLS 1.2: ChangeCipherSpec goes under the current protection, then the caller switches keys', () => {
    const w = new RecordLayer({ provider });
    w.setVersion('tls12');
    w.writeHandshake(handshakeMessage(2, pattern(50)), handshakeMessage(14, new Uint8Array(0)));
    w.writeChangeCipherSpec();
    w.setWriteProtection(keysFor('tls12', 4, 'chacha20-poly1305'));
    w.writeHandshake(handshakeMessage(20, pattern(12)));
    const recs = records(w.takeOutput());
    expect(recs.map((r) => [r.type, r.fragment.length])).toEqual([
      [22, 54 + 4],
      [20, 1],
      [22, 16 + 16],
    ]);
  });

  it('refuses application data without a write key, and sends alerts with the right level', () => {
    const w = new RecordLayer({ provider });
    expectTlsError(() => w.writeApplicationData(pattern(1)), 'internal_error', 'Internal');
    w.writeAlert('close_notify');
    w.writeAlert('handshake_failure');
    w.writeAlert(90);
    w.writeAlert('decode_error', 1);
    expect(records(w.takeOutput()).map((r) => [...r.fragment])).toEqual([[1, 0], [2, 40], [1, 90], [1, 50]]);
    expect(() => w.writeHandshake(new Uint8Array(3))).toThrow(TypeError);
    expect(() => w.writeAlert('nope' as never)).toThrow(RangeError);
  });

  it('hands out independent, fragment-aligned output buffers', () => {
    const w = new RecordLayer({ provider });
    w.setVersion('tls13');
    w.setWriteProtection(keysFor('tls13'));
    const outs: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      w.writeApplicationData(pattern(3000 + i));
      outs.push(w.takeOutput());
    }
    const copies = outs.map((o) => o.slice());
    for (const [i, o] of outs.entries()) {
      expect(o.byteOffset % 4).toBe(3); // the fragment starts 4-byte aligned
      o.fill(0xaa); // the caller owns its buffer: scribbling on it touches no other output
      outs.forEach((other, j) => j !== i && expect(Buffer.compare(other, copies[j]!)).toBe(0));
      o.set(copies[i]!);
    }
    const r = new RecordLayer({ provider });
    r.setVersion('tls13');
    r.setReadProtection(keysFor('tls13'));
    r.receive(concat(...outs));
    expect([...r.events()].map((e) => (e.kind === 'applicationData' ? e.data.length : -1))).toEqual(outs.map((_, i) => 3000 + i));
  });

  it('surfaces key usage so the connection can send a KeyUpdate in time', () => {
    const w = new RecordLayer({ provider });
    w.setVersion('tls13');
    const t = AEAD_KEY_UPDATE_THRESHOLD['aes-128-gcm'];
    w.setWriteProtection({ ...keysFor('tls13'), initialSequenceNumber: BigInt(t - 2) });
    w.writeApplicationData(pattern(10));
    expect(w.keyUpdateNeeded).toBe(false);
    w.writeApplicationData(pattern(10));
    expect(w.keyUpdateNeeded).toBe(true);
    expect(w.writeKeyUsage.records).toBe(t);
    w.setWriteProtection(keysFor('tls13', 2)); // the KeyUpdate: a new key starts at zero
    expect(w.keyUpdateNeeded).toBe(false);
    expect(w.writeKeyUsage.records).toBe(0);
  });

  it.each(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const)('round-trips every record type with %s through both providers', { timeout: 30_000 }, (alg) => {
    for (const [, p1] of PROVIDERS) {
      for (const [, p2] of PROVIDERS) {
        for (const version of ['tls12', 'tls13'] as const) {
          const w = new RecordLayer({ provider: p1 });
          const r = new RecordLayer({ provider: p2 });
          w.setVersion(version);
          r.setVersion(version);
          const k = keysFor(version, 11, alg);
          w.setWriteProtection(k);
          r.setReadProtection(k);
          w.writeHandshake(handshakeMessage(4, pattern(300)));
          w.writeApplicationData(pattern(17000, 5));
          w.writeAlert('close_notify');
          r.receive(w.takeOutput());
          const evs = [...r.events()];
          expect(evs.map((e) => e.kind)).toEqual(['handshake', 'applicationData', 'applicationData', 'alert']);
          expect(concat(...evs.flatMap((e) => (e.kind === 'applicationData' ? [e.data] : [])))).toEqual(pattern(17000, 5));
        }
      }
    }
  });
});
