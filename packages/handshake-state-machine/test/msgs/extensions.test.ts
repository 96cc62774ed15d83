import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '@puretls/record-layer';
import {
  ExtensionType,
  readAlpn,
  readCertificateAuthorities,
  readCookie,
  readEarlyDataNewSessionTicket,
  readEcPointFormats,
  readEmptyExtension,
  readExtensions,
  readKeyShareClientHello,
  readKeyShareHelloRetryRequest,
  readKeyShareServerHello,
  readMaxFragmentLength,
  readPreSharedKeyClientHello,
  readPreSharedKeyServerHello,
  readPskKeyExchangeModes,
  readRecordSizeLimit,
  readRenegotiationInfo,
  readServerName,
  readSignatureSchemeList,
  readStatusRequest,
  readSupportedGroups,
  readSupportedVersionsClientHello,
  readSupportedVersionsServerHello,
  writeAlpn,
  writeCertificateAuthorities,
  writeCookie,
  writeEarlyData,
  writeEcPointFormats,
  writeExtensions,
  writeKeyShareClientHello,
  writeKeyShareHelloRetryRequest,
  writeKeyShareServerHello,
  writePreSharedKeyClientHello,
  writePreSharedKeyServerHello,
  writePskKeyExchangeModes,
  writeRecordSizeLimit,
  writeRenegotiationInfo,
  writeServerName,
  writeSignatureSchemeList,
  writeSupportedGroups,
  writeSupportedVersionsClientHello,
  writeSupportedVersionsServerHello,
} from '../../src/internal';
import { expectTlsError, hex, unhex } from './helpers';

const sni = (...names: Array<[number, string]>) => {
  const w = new Writer();
  w.vec16((w) => names.forEach(([t, n]) => w.u8(t).vec16((w) => w.bytes(Buffer.from(n, 'latin1')))));
  return w.finish();
};

describe('extension list', () => {
  it('reads raw extensions in order and writes them back', () => {
    const w = new Writer();
    writeExtensions(w, [{ type: 0xfafa, data: new Uint8Array(0) }, { type: 51, data: unhex('0102') }]);
    const bytes = w.finish();
    expect(hex(bytes)).toBe('000a' + 'fafa0000' + '003300020102');
    const r = new Reader(bytes);
    const exts = readExtensions(r, 'test');
    expect(exts.map((e) => [e.type, hex(e.data)])).toEqual([[0xfafa, ''], [51, '0102']]);
  });
  it('duplicate → DuplicateExtension', () =>
    expectTlsError(() => readExtensions(new Reader(unhex('0008002b0000002b0000')), 'x'), 'illegal_parameter', 'DuplicateExtension'));
  it('truncated extension data', () => expectTlsError(() => readExtensions(new Reader(unhex('0005002b000201')), 'x'), 'decode_error', 'Truncated'));
  it('writer rejects duplicates (our bug)', () =>
    expect(() => writeExtensions(new Writer(), [{ type: 1, data: new Uint8Array(0) }, { type: 1, data: new Uint8Array(0) }])).toThrow(TypeError));
});

describe('server_name (RFC 6066 §3)', () => {
  it('round trip', () => expect(readServerName(writeServerName('www.example.com').data)).toBe('www.example.com'));
  it('server acknowledgement is empty', () => expect(writeServerName().data.length).toBe(0));
  it('skips unknown name types', () => expect(readServerName(sni([7, 'xx'], [0, 'a.example']))).toBe('a.example'));
  it('only unknown name types → undefined', () => expect(readServerName(sni([7, 'xx']))).toBeUndefined());
  it('empty list', () => expectTlsError(() => readServerName(unhex('0000')), 'decode_error', 'EmptyVector'));
  it('empty host_name (outside HostName<1..2^16-1>)', () => expectTlsError(() => readServerName(sni([0, ''])), 'decode_error', 'EmptyVector'));
  it('two host_names', () => expectTlsError(() => readServerName(sni([0, 'a.example'], [0, 'b.example'])), 'illegal_parameter', 'DuplicateServerName'));
  it('trailing dot → illegal_parameter (syntax fine, not a host name)', () => expectTlsError(() => readServerName(sni([0, 'example.com.'])), 'illegal_parameter', 'BadServerName'));
  it('non-ASCII → illegal_parameter (syntax fine, not a host name)', () => expectTlsError(() => readServerName(sni([0, 'exämple.com'])), 'illegal_parameter', 'BadServerName'));
  it('NUL byte → illegal_parameter (syntax fine, not a host name)', () => expectTlsError(() => readServerName(sni([0, 'evil.com\0.example'])), 'illegal_parameter', 'BadServerName'));
  it('too long → illegal_parameter (syntax fine, not a host name)', () => expectTlsError(() => readServerName(sni([0, 'a'.repeat(254)])), 'illegal_parameter', 'BadServerName'));
  it.each([
    ['BEL', 'localhos\x07t'],
    ['ANSI colour escape', 'localhost\x1b[31mBAD\x1b[0;37m'],
    ['space', 'a b.example'],
    ['DEL', 'a\x7f.example'],
  ])('%s → illegal_parameter', (_name, host) => expectTlsError(() => readServerName(sni([0, host])), 'illegal_parameter', 'BadServerName'));
  it('trailing bytes after the list', () => expectTlsError(() => readServerName(Uint8Array.of(...sni([0, 'a']), 0)), 'decode_error', 'TrailingData'));
  it('writer rejects bad names', () => expect(() => writeServerName('a b')).toThrow(RangeError));
});

describe('key_share (RFC 8446 §4.2.8)', () => {
  const x = { group: 29, keyExchange: new Uint8Array(32).fill(1) };
  const p = { group: 23, keyExchange: new Uint8Array(65).fill(4) };
  it('ClientHello round trip (and empty list)', () => {
    expect(readKeyShareClientHello(writeKeyShareClientHello([x, p]).data).map((e) => [e.group, hex(e.keyExchange)])).toEqual([
      [29, hex(x.keyExchange)],
      [23, hex(p.keyExchange)],
    ]);
    expect(readKeyShareClientHello(unhex('0000'))).toEqual([]);
  });
  it('ServerHello and HRR round trips', () => {
    expect(hex(readKeyShareServerHello(writeKeyShareServerHello(x).data).keyExchange)).toBe(hex(x.keyExchange));
    expect(readKeyShareHelloRetryRequest(writeKeyShareHelloRetryRequest(23).data)).toBe(23);
  });
  it('duplicate group', () =>
    expectTlsError(() => readKeyShareClientHello(writeKeyShareClientHello([x, p, { ...x }]).data), 'illegal_parameter', 'DuplicateKeyShare'));
  it('zero-length key_exchange', () => expectTlsError(() => readKeyShareClientHello(unhex('0004001d0000')), 'decode_error', 'EmptyVector'));
  it('zero-length key_exchange in ServerHello', () => expectTlsError(() => readKeyShareServerHello(unhex('001d0000')), 'decode_error', 'EmptyVector'));
  it('HRR trailing', () => expectTlsError(() => readKeyShareHelloRetryRequest(unhex('001700')), 'decode_error', 'TrailingData'));
  it('truncated entry', () => expectTlsError(() => readKeyShareClientHello(unhex('0003001d00')), 'decode_error', 'Truncated'));
});

describe('pre_shared_key (RFC 8446 §4.2.11)', () => {
  const id = { identity: unhex('0102030405'), obfuscatedTicketAge: 0xdeadbeef };
  it('round trip with bindersOffset', () => {
    const e = writePreSharedKeyClientHello({ identities: [id, id], binders: [new Uint8Array(32).fill(1), new Uint8Array(48).fill(2)] });
    const psk = readPreSharedKeyClientHello(e.data);
    expect(psk.identities.map((i) => [hex(i.identity), i.obfuscatedTicketAge])).toEqual([['0102030405', 0xdeadbeef], ['0102030405', 0xdeadbeef]]);
    expect(psk.binders.map((b) => b.length)).toEqual([32, 48]);
    expect(psk.bindersOffset).toBe(2 + 2 * (2 + 5 + 4));
  });
  it('identity/binder count mismatch', () => {
    const w = new Writer();
    w.vec16((w) => w.vec16((w) => w.bytes(id.identity)).u32(1).vec16((w) => w.bytes(id.identity)).u32(2));
    w.vec16((w) => w.vec8((w) => w.bytes(new Uint8Array(32))));
    expectTlsError(() => readPreSharedKeyClientHello(w.finish()), 'illegal_parameter', 'PskIdentityBinderMismatch');
  });
  it('empty identity', () => {
    const w = new Writer();
    w.vec16((w) => w.vec16(() => {}).u32(1).vec16(() => {}).u32(1));
    w.vec16((w) => w.vec8((w) => w.bytes(new Uint8Array(32))));
    expectTlsError(() => readPreSharedKeyClientHello(w.finish()), 'decode_error', 'EmptyVector');
  });
  it('identities list shorter than 7', () =>
    expectTlsError(() => readPreSharedKeyClientHello(unhex('0000' + '0021' + '20' + '00'.repeat(32))), 'decode_error', 'EmptyVector'));
  it('binder shorter than 32', () => {
    const w = new Writer();
    w.vec16((w) => w.vec16((w) => w.bytes(id.identity)).u32(1));
    w.vec16((w) => w.vec8((w) => w.bytes(new Uint8Array(31))).u8(0));
    expectTlsError(() => readPreSharedKeyClientHello(w.finish()), 'decode_error', 'BadVectorLength');
  });
  it('trailing bytes', () => {
    const e = writePreSharedKeyClientHello({ identities: [id], binders: [new Uint8Array(32)] });
    expectTlsError(() => readPreSharedKeyClientHello(Uint8Array.of(...e.data, 0)), 'decode_error', 'TrailingData');
  });
  it('ServerHello selected_identity', () => {
    expect(readPreSharedKeyServerHello(writePreSharedKeyServerHello(0).data)).toBe(0);
    expectTlsError(() => readPreSharedKeyServerHello(unhex('00')), 'decode_error', 'Truncated');
  });
});

describe('small extensions', () => {
  it('supported_groups', () => {
    expect(readSupportedGroups(writeSupportedGroups([29, 23]).data)).toEqual([29, 23]);
    expectTlsError(() => readSupportedGroups(unhex('0000')), 'decode_error', 'EmptyVector');
    expectTlsError(() => readSupportedGroups(unhex('0003001d00')), 'decode_error', 'BadVectorLength');
  });
  it('signature_algorithms(_cert)', () => {
    const e = writeSignatureSchemeList([0x0403, 0x0804], ExtensionType.signature_algorithms_cert);
    expect(e.type).toBe(50);
    expect(readSignatureSchemeList(e.data)).toEqual([0x0403, 0x0804]);
    expectTlsError(() => readSignatureSchemeList(unhex('0001ff')), 'decode_error', 'BadVectorLength');
  });
  it('supported_versions', () => {
    expect(readSupportedVersionsClientHello(writeSupportedVersionsClientHello([0x0304, 0x0303]).data)).toEqual([0x0304, 0x0303]);
    expect(readSupportedVersionsServerHello(writeSupportedVersionsServerHello(0x0304).data)).toBe(0x0304);
    expectTlsError(() => readSupportedVersionsClientHello(unhex('00')), 'decode_error', 'EmptyVector');
    expectTlsError(() => readSupportedVersionsClientHello(unhex('0303')), 'decode_error', 'BadVectorLength');
    expectTlsError(() => readSupportedVersionsClientHello(unhex('ff' + '00'.repeat(255))), 'decode_error', 'BadVectorLength');
    expectTlsError(() => readSupportedVersionsServerHello(unhex('030400')), 'decode_error', 'TrailingData');
  });
  it('psk_key_exchange_modes', () => {
    expect(readPskKeyExchangeModes(writePskKeyExchangeModes([1, 0]).data)).toEqual([1, 0]);
    expectTlsError(() => readPskKeyExchangeModes(unhex('00')), 'decode_error', 'EmptyVector');
  });
  it('early_data', () => {
    expect(readEmptyExtension(writeEarlyData().data, 'early_data')).toBe(true);
    expect(readEarlyDataNewSessionTicket(writeEarlyData(0x4000).data)).toBe(0x4000);
    expectTlsError(() => readEmptyExtension(unhex('00'), 'early_data'), 'decode_error', 'TrailingData');
    expectTlsError(() => readEarlyDataNewSessionTicket(unhex('000040')), 'decode_error', 'Truncated');
  });
  it('cookie', () => {
    expect(hex(readCookie(writeCookie(unhex('abcd')).data))).toBe('abcd');
    expectTlsError(() => readCookie(unhex('0000')), 'decode_error', 'EmptyVector');
    expect(() => writeCookie(new Uint8Array(0))).toThrow(RangeError);
  });
  it('ALPN (RFC 7301)', () => {
    const names = [Buffer.from('h2'), Buffer.from('http/1.1')].map((b) => new Uint8Array(b));
    expect(readAlpn(writeAlpn(names).data).map((p) => Buffer.from(p).toString())).toEqual(['h2', 'http/1.1']);
    expectTlsError(() => readAlpn(unhex('000300' + '0161')), 'decode_error', 'EmptyAlpnProtocol');
    expectTlsError(() => readAlpn(unhex('0000')), 'decode_error', 'EmptyVector');
    expectTlsError(() => readAlpn(unhex('0001' + '01')), 'decode_error', 'BadVectorLength');
    expectTlsError(() => readAlpn(unhex('0003' + '0361')), 'decode_error', 'Truncated');
    expect(() => writeAlpn([new Uint8Array(0)])).toThrow(RangeError);
  });
  it('record_size_limit (RFC 8449 §4)', () => {
    expect(readRecordSizeLimit(writeRecordSizeLimit(64).data)).toBe(64);
    expect(readRecordSizeLimit(unhex('4001'))).toBe(0x4001);
    expectTlsError(() => readRecordSizeLimit(unhex('003f')), 'illegal_parameter', 'BadRecordSizeLimit');
    expectTlsError(() => readRecordSizeLimit(unhex('0040ff')), 'decode_error', 'TrailingData');
    expect(() => writeRecordSizeLimit(63)).toThrow(RangeError);
  });
  it('max_fragment_length (RFC 6066 §4)', () => {
    expect(readMaxFragmentLength(unhex('04'))).toBe(4);
    expectTlsError(() => readMaxFragmentLength(unhex('05')), 'illegal_parameter', 'BadMaxFragmentLength');
    expectTlsError(() => readMaxFragmentLength(unhex('00')), 'illegal_parameter', 'BadMaxFragmentLength');
  });
  it('status_request is parsed loosely', () => {
    expect(readStatusRequest(unhex('0100000000'))).toMatchObject({ statusType: 1 });
    expect(readStatusRequest(unhex('01ff')).statusType).toBe(1);
    expectTlsError(() => readStatusRequest(new Uint8Array(0)), 'decode_error', 'Truncated');
  });
  it('renegotiation_info (RFC 5746)', () => {
    expect(readRenegotiationInfo(writeRenegotiationInfo().data).length).toBe(0);
    expect(hex(writeRenegotiationInfo().data)).toBe('00');
    expectTlsError(() => readRenegotiationInfo(unhex('0001')), 'decode_error', 'TrailingData');
    expectTlsError(() => readRenegotiationInfo(unhex('02aa')), 'decode_error', 'Truncated');
  });
  it('ec_point_formats', () => {
    expect(readEcPointFormats(writeEcPointFormats().data)).toEqual([0]);
    expectTlsError(() => readEcPointFormats(unhex('00')), 'decode_error', 'EmptyVector');
  });
  it('extended_master_secret / encrypt_then_mac / post_handshake_auth must be empty', () => {
    expect(readEmptyExtension(new Uint8Array(0), 'extended_master_secret')).toBe(true);
    expectTlsError(() => readEmptyExtension(unhex('00'), 'extended_master_secret'), 'decode_error', 'TrailingData');
  });
  it('certificate_authorities', () => {
    const names = [unhex('300a'), unhex('3000')];
    expect(readCertificateAuthorities(writeCertificateAuthorities(names).data).map(hex)).toEqual(['300a', '3000']);
    expectTlsError(() => readCertificateAuthorities(unhex('0002' + '0000')), 'decode_error', 'BadVectorLength');
  });
});
