import { describe, expect, it } from 'vitest';
import { MAX_CIPHERTEXT_TLS12, MAX_CIPHERTEXT_TLS13, MAX_PLAINTEXT, MAX_RECORD_LENGTH, RecordReader, type TlsRecord } from '../src/index';
import { concat, expectTlsError, pattern, plainRecord } from './helpers';

function drain(r: RecordReader): TlsRecord[] {
  const out: TlsRecord[] = [];
  for (let rec = r.next(); rec !== null; rec = r.next()) out.push(rec);
  return out;
}
const summary = (recs: TlsRecord[]) => recs.map((r) => ({ type: r.type, version: r.version, fragment: [...r.fragment] }));

describe('RecordReader: framing', () => {
  const stream = concat(
    plainRecord(22, pattern(100, 1), 0x0301),
    plainRecord(23, new Uint8Array(0)),
    plainRecord(21, new Uint8Array([2, 40])),
    plainRecord(20, new Uint8Array([1])),
    plainRecord(23, pattern(MAX_PLAINTEXT, 2)),
  );
  const expected = (() => {
    const r = new RecordReader();
    r.push(stream);
    return summary(drain(r));
  })();

  it('yields every record of a multi-record chunk as views of the chunk (no copy)', () => {
    const r = new RecordReader();
    r.push(stream);
    const recs = drain(r);
    expect(recs.map((x) => x.type)).toEqual([22, 23, 21, 20, 23]);
    expect(recs[0]!.version).toBe(0x0301);
    expect(recs[4]!.fragment.length).toBe(MAX_PLAINTEXT);
    for (const rec of recs) expect(rec.fragment.buffer).toBe(stream.buffer);
    expect(recs[1]!.fragment.length).toBe(0);
    expect(recs[0]!.header).toEqual(stream.subarray(0, 5));
  });

  it('yields the same records when fed one byte at a time', () => {
    const r = new RecordReader();
    const got: TlsRecord[] = [];
    for (let i = 0; i < stream.length; i++) {
      r.push(stream.subarray(i, i + 1));
      got.push(...drain(r));
      expect(r.bufferedBytes).toBeLessThanOrEqual(MAX_RECORD_LENGTH);
    }
    expect(summary(got)).toEqual(expected);
    expect(r.hasPartialRecord).toBe(false);
    expect(r.bufferedBytes).toBe(0);
  });

  it('yields the same records when chunks are queued without draining', () => {
    const r = new RecordReader();
    for (let i = 0; i < stream.length; i += 777) r.push(stream.subarray(i, i + 777));
    expect(summary(drain(r))).toEqual(expected);
  });

  it('copies a record that spans chunks into its own buffer, so earlier views stay valid', () => {
    const a = plainRecord(23, pattern(10, 3));
    const r = new RecordReader();
    const chunk1 = a.slice(0, 7);
    r.push(chunk1);
    expect(r.next()).toBeNull();
    expect(r.hasPartialRecord).toBe(true);
    chunk1.fill(0xee); // the caller may reuse a chunk once next() returned null
    r.push(a.slice(7));
    const rec = r.next()!;
    expect([...rec.fragment]).toEqual([...a.subarray(5)]);
  });

  it('ignores empty chunks and holds only the partial record after draining', () => {
    const r = new RecordReader();
    r.push(new Uint8Array(0));
    expect(r.next()).toBeNull();
    r.push(plainRecord(23, pattern(4000)).subarray(0, 3000));
    expect(r.next()).toBeNull();
    expect(r.bufferedBytes).toBe(4005); // exactly one record's buffer
  });

  it('rejects a non-Uint8Array chunk as API misuse', () => {
    expect(() => new RecordReader().push('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('RecordReader: header validation', () => {
  const one = (bytes: Uint8Array, setup?: (r: RecordReader) => void) => () => {
    const r = new RecordReader();
    setup?.(r);
    r.push(bytes);
    drain(r);
  };
  it('unknown content type → unexpected_message, from the header alone', () => {
    for (const t of [0, 19, 24, 255]) expectTlsError(one(new Uint8Array([t, 3, 3, 0, 1])), 'unexpected_message', 'UnknownContentType');
  });
  it('legacy_record_version: 0x03XX before negotiation and in TLS 1.3 (RFC 8446 §5.1: ignored), exactly 0x0303 in TLS 1.2', () => {
    expectTlsError(one(plainRecord(22, pattern(4), 0x0201)), 'protocol_version', 'BadRecordVersion');
    expectTlsError(one(plainRecord(22, pattern(4), 0x1603)), 'protocol_version', 'BadRecordVersion');
    expect(() => one(plainRecord(22, pattern(4), 0x0301))()).not.toThrow();
    expect(() => one(plainRecord(22, pattern(4), 0x0300))()).not.toThrow();
    expectTlsError(one(plainRecord(22, pattern(4), 0x0301), (r) => (r.version = 'tls12')), 'protocol_version', 'BadRecordVersion');
    expect(() => one(plainRecord(22, pattern(4), 0x0303), (r) => (r.version = 'tls12'))()).not.toThrow();
    expect(() => one(plainRecord(22, pattern(4), 0x0301), (r) => (r.version = 'tls13'))()).not.toThrow();
    expectTlsError(one(plainRecord(22, pattern(4), 0x0201), (r) => (r.version = 'tls13')), 'protocol_version', 'BadRecordVersion');
  });
  it('plaintext longer than 2^14 → record_overflow before the body is buffered', () => {
    const r = new RecordReader();
    r.push(new Uint8Array([23, 3, 3, (MAX_PLAINTEXT + 1) >> 8, (MAX_PLAINTEXT + 1) & 0xff]));
    expectTlsError(() => r.next(), 'record_overflow', 'RecordOverflow');
    expect(() => one(plainRecord(23, pattern(MAX_PLAINTEXT)))()).not.toThrow();
  });
  it('ciphertext limits: 2^14+256 (TLS 1.3) and 2^14+2048 (TLS 1.2)', () => {
    for (const max of [MAX_CIPHERTEXT_TLS13, MAX_CIPHERTEXT_TLS12]) {
      const setup = (r: RecordReader) => {
        r.maxFragmentLength = max;
        r.protectedInput = true;
      };
      expect(() => one(plainRecord(23, pattern(max)), setup)()).not.toThrow();
      expectTlsError(one(new Uint8Array([23, 3, 3, (max + 1) >> 8, (max + 1) & 0xff]), setup), 'record_overflow', 'CiphertextOverflow');
    }
  });
  it('a header split across chunks is validated once complete', () => {
    const r = new RecordReader();
    r.push(new Uint8Array([23, 3]));
    expect(r.next()).toBeNull();
    r.push(new Uint8Array([3, 0xff, 0xff]));
    expectTlsError(() => r.next(), 'record_overflow', 'RecordOverflow');
  });
});
