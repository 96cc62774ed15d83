import { describe, expect, it } from 'vitest';
import { HandshakeJoiner, MAX_HANDSHAKE_MESSAGE_LENGTH, type HandshakeMessage } from '../src/index';
import { concat, expectTlsError, handshakeMessage, pattern } from './helpers';

function feed(j: HandshakeJoiner, content: Uint8Array): HandshakeMessage[] {
  j.push(content);
  const out: HandshakeMessage[] = [];
  for (let m = j.next(); m !== null; m = j.next()) out.push(m);
  return out;
}

describe('HandshakeJoiner', () => {
  const m1 = handshakeMessage(1, pattern(300, 1));
  const m2 = handshakeMessage(2, new Uint8Array(0)); // a header-only message (like ServerHelloDone)
  const m3 = handshakeMessage(11, pattern(17000, 3)); // larger than one record
  const all = concat(m1, m2, m3);

  it('yields several messages of one record as views of it, with their raw header', () => {
    const j = new HandshakeJoiner();
    const small = concat(m1, m2);
    const msgs = feed(j, small);
    expect(msgs.map((m) => m.type)).toEqual([1, 2]);
    expect(msgs[0]!.raw).toEqual(m1);
    expect(msgs[0]!.body).toEqual(m1.subarray(4));
    expect(msgs[0]!.raw.buffer).toBe(small.buffer);
    expect(msgs[1]!.body.length).toBe(0);
    expect(j.isEmpty).toBe(true);
  });

  it('reassembles messages spanning records, for every split of the header and body', { timeout: 30_000 }, () => {
    for (const size of [1, 2, 3, 4, 5, 7, 301, 16384]) {
      const j = new HandshakeJoiner();
      const got: HandshakeMessage[] = [];
      for (let i = 0; i < all.length; i += size) got.push(...feed(j, all.subarray(i, i + size)));
      expect(got.map((m) => m.type)).toEqual([1, 2, 11]);
      expect(concat(...got.map((m) => m.raw))).toEqual(all);
      expect(j.isEmpty).toBe(true);
    }
  });

  it('reports a partial message and unread content', () => {
    const j = new HandshakeJoiner();
    expect(feed(j, m1.subarray(0, 2))).toEqual([]);
    expect(j.hasPartialMessage).toBe(true);
    expect(j.isEmpty).toBe(false);
    j.push(concat(m1.subarray(2), m2));
    expect(j.next()!.type).toBe(1);
    expect(j.hasPartialMessage).toBe(false);
    expect(j.isEmpty).toBe(false); // m2 not read yet
    expect(() => j.push(m2)).toThrow(RangeError);
  });

  it('caps a message at the configured size → decode_error, from its header alone', () => {
    const j = new HandshakeJoiner(1000);
    expect(feed(j, handshakeMessage(11, pattern(1000))).length).toBe(1);
    expectTlsError(() => feed(j, new Uint8Array([11, 0, 0x03, 0xe9])), 'decode_error', 'MessageTooLarge');
    // split header: still checked before any body is buffered
    const k = new HandshakeJoiner(1000);
    feed(k, new Uint8Array([11, 0x00]));
    expectTlsError(() => feed(k, new Uint8Array([0x03, 0xe9])), 'decode_error', 'MessageTooLarge');
    // the default cap is the length field's range (no cap)
    expect(new HandshakeJoiner().maxMessageLength).toBe(MAX_HANDSHAKE_MESSAGE_LENGTH);
    expect(MAX_HANDSHAKE_MESSAGE_LENGTH).toBe(2 ** 24 - 1);
    expect(() => new HandshakeJoiner(-1)).toThrow(RangeError);
    expect(() => new HandshakeJoiner(2 ** 24)).toThrow(RangeError);
  });
});
