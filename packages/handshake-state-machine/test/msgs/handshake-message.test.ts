import { describe, expect, it } from 'vitest';
import { Reader } from '@puretls/record-layer';
import {
  CipherSuite,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  decodeHandshake,
  enumName,
  expectHandshake,
  isGrease,
  isGreasePskMode,
  readHandshake,
  readHandshakeFrom,
  writeHandshake,
} from '../../src/internal';
import { expectTlsError, hex, unhex, vec } from './helpers';

describe('handshake framing (RFC 8446 §4)', () => {
  it('readHandshake keeps raw = header + body', () => {
    const raw = vec(3, 'client.hello');
    const f = readHandshake(raw);
    expect(f.type).toBe(HandshakeType.client_hello);
    expect(f.body.length).toBe(raw.length - 4);
    expect(hex(f.raw)).toBe(hex(raw));
    expect(f.raw.buffer).toBe(raw.buffer); // a view, not a copy
  });
  it('writeHandshake frames a body', () => {
    expect(hex(writeHandshake(20, (w) => w.u8(1).u8(2)))).toBe('1400000 20102'.replace(' ', ''));
    expect(() => writeHandshake(256, () => {})).toThrow(TypeError);
  });
  it('reads a coalesced flight message by message', () => {
    const flight = Uint8Array.of(...vec(3, 'server.encrypted_extensions'), ...vec(3, 'server.certificate'), ...vec(3, 'server.certificate_verify'), ...vec(3, 'server.finished'));
    const r = new Reader(flight);
    const types: number[] = [];
    while (!r.done) types.push(readHandshakeFrom(r).type);
    expect(types).toEqual([8, 11, 15, 20]);
  });
  it('rejects', () => {
    expectTlsError(() => readHandshake(unhex('010000')), 'decode_error', 'Truncated');
    expectTlsError(() => readHandshake(unhex('0100000500')), 'decode_error', 'Truncated');
    expectTlsError(() => readHandshake(unhex('0500000000')), 'decode_error', 'TrailingData');
    expectTlsError(() => readHandshake(unhex('01000005' + '00'.repeat(5)), { maxBodyLength: 4 }), 'decode_error', 'MessageTooLarge');
  });
});

describe('decodeHandshake / expectHandshake', () => {
  it('dispatches by type', () => {
    const m = decodeHandshake(readHandshake(vec(3, 'client.hello')), { version: 0x0304 });
    expect(m.type).toBe(HandshakeType.client_hello);
    if (m.type === HandshakeType.client_hello) expect(m.msg.ext.serverName).toBe('server');
    const fin = decodeHandshake(readHandshake(vec(3, 'client.finished')), { version: 0x0304, hashLength: 32 });
    expect(expectHandshake(fin, HandshakeType.finished).verifyData.length).toBe(32);
    expectTlsError(() => expectHandshake(fin, HandshakeType.client_hello), 'unexpected_message', 'UnexpectedHandshakeMessage');
    const cert12 = decodeHandshake(readHandshake(unhex('0b000003000000')), { version: 0x0303 });
    expect(expectHandshake(cert12, HandshakeType.certificate).entries).toEqual([]);
  });
  it('unknown or unreadable types → unexpected_message', () => {
    for (const t of [3, 99, HandshakeType.message_hash, HandshakeType.hello_request, HandshakeType.server_hello_done]) {
      expectTlsError(() => decodeHandshake(readHandshake(Uint8Array.of(t, 0, 0, 0)), { version: 0x0304 }), 'unexpected_message', 'UnexpectedHandshakeMessage');
    }
  });
  it('TLS 1.3 Finished without a hash length is API misuse', () => {
    expect(() => decodeHandshake(readHandshake(vec(3, 'client.finished')), { version: 0x0304 })).toThrow(TypeError);
  });
});

describe('enums', () => {
  it('GREASE (RFC 8701 §2)', () => {
    const all = Array.from({ length: 16 }, (_, i) => 0x0a0a + i * 0x1010);
    expect(all.every(isGrease)).toBe(true);
    let count = 0;
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) count++;
    expect(count).toBe(16);
    expect(isGrease(0x0a1a)).toBe(false);
    expect(isGrease(CipherSuite.TLS_AES_128_GCM_SHA256)).toBe(false);
    expect([0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4].every(isGreasePskMode)).toBe(true);
    expect(isGreasePskMode(0) || isGreasePskMode(1) || isGreasePskMode(0x0c)).toBe(false);
  });
  it('values and names', () => {
    expect(ExtensionType.renegotiation_info).toBe(0xff01);
    expect(ExtensionType.key_share).toBe(51);
    expect(HandshakeType.message_hash).toBe(254);
    expect(CipherSuite.TLS_FALLBACK_SCSV).toBe(0x5600);
    expect(enumName(NamedGroup, 29)).toBe('x25519');
    expect(enumName(ExtensionType, 0x1a1a)).toBe('GREASE(0x1a1a)');
    expect(enumName(ExtensionType, 0x1234)).toBe('unknown(0x1234)');
  });
});
