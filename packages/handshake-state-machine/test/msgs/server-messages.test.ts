import { createHash, constants, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DOWNGRADE_SENTINEL_TLS11,
  DOWNGRADE_SENTINEL_TLS12,
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  certificateVerifyContent,
  readCertificate12,
  readCertificate13,
  readCertificateRequest12,
  readCertificateRequest13,
  readCertificateVerify,
  readCookie,
  readEarlyDataNewSessionTicket,
  readEmptyExtension,
  readEncryptedExtensions,
  readEndOfEarlyData,
  readFinished,
  readHandshake,
  readKeyShareHelloRetryRequest,
  readKeyShareServerHello,
  readKeyUpdate,
  readNewSessionTicket12,
  readNewSessionTicket13,
  readPreSharedKeyServerHello,
  readRecordSizeLimit,
  readServerHello,
  readSupportedGroups,
  withDowngradeSentinel,
  writeCertificate12,
  writeCertificate13,
  writeCertificateRequest12,
  writeCertificateRequest13,
  writeCertificateVerify,
  writeCookie,
  writeEarlyData,
  writeEmptyExtension,
  writeEncryptedExtensions,
  writeEndOfEarlyData,
  writeFinished,
  writeHelloRetryRequest,
  writeKeyShareHelloRetryRequest,
  writeKeyShareServerHello,
  writeKeyUpdate,
  writeMessageHash,
  writeNewSessionTicket12,
  writeNewSessionTicket13,
  writePreSharedKeyServerHello,
  writeRecordSizeLimit,
  writeServerHello,
  writeServerName,
  writeSignatureSchemeList,
  writeSupportedGroups,
  writeSupportedVersionsServerHello,
  readSignatureSchemeList,
  readSupportedVersionsServerHello,
  type Extension,
} from '../../src/internal';
import { expectTlsError, hex, unhex, vec } from './helpers';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  parts.forEach((p) => h.update(p));
  return new Uint8Array(h.digest());
};
const body = (raw: Uint8Array, type: number) => {
  const f = readHandshake(raw);
  expect(f.type).toBe(type);
  return f.body;
};

/** Re-encodes a ServerHello / HRR / EE extension from its decoded value with the typed writer. */
function reencodeServerExtension(e: Extension, hrr: boolean): Extension {
  switch (e.type) {
    case ExtensionType.key_share:
      return hrr ? writeKeyShareHelloRetryRequest(readKeyShareHelloRetryRequest(e.data)) : writeKeyShareServerHello(readKeyShareServerHello(e.data));
    case ExtensionType.supported_versions:
      return writeSupportedVersionsServerHello(readSupportedVersionsServerHello(e.data));
    case ExtensionType.pre_shared_key:
      return writePreSharedKeyServerHello(readPreSharedKeyServerHello(e.data));
    case ExtensionType.cookie:
      return writeCookie(readCookie(e.data));
    case ExtensionType.supported_groups:
      return writeSupportedGroups(readSupportedGroups(e.data));
    case ExtensionType.record_size_limit:
      return writeRecordSizeLimit(readRecordSizeLimit(e.data));
    case ExtensionType.server_name:
      expect(e.data.length).toBe(0);
      return writeServerName();
    case ExtensionType.early_data:
      readEmptyExtension(e.data, 'early_data');
      return writeEmptyExtension(ExtensionType.early_data);
    case ExtensionType.signature_algorithms:
      return writeSignatureSchemeList(readSignatureSchemeList(e.data));
    default:
      throw new Error(`no typed writer for ${e.type}`);
  }
}

describe('ServerHello / HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4)', () => {
  for (const [section, key] of [[3, 'server.hello'], [4, 'server.hello'], [5, 'server.hello'], [6, 'server.hello'], [7, 'server.hello']] as const) {
    it(`RFC 8448 §${section} ${key} re-encodes byte for byte`, () => {
      const raw = vec(section, key);
      const sh = readServerHello(body(raw, HandshakeType.server_hello));
      expect(sh.isHelloRetryRequest).toBe(false);
      expect(sh.selectedVersion).toBe(ProtocolVersion.TLSv1_3);
      expect(sh.legacyVersion).toBe(0x0303);
      const again = writeServerHello({
        random: sh.random,
        legacySessionIdEcho: sh.legacySessionIdEcho,
        cipherSuite: sh.cipherSuite,
        extensions: sh.extensions.map((e) => reencodeServerExtension(e, false)),
      });
      expect(hex(again)).toBe(hex(raw));
    });
  }
  it('§3 server key share is server.x25519.public; §4 selects PSK identity 0', () => {
    const sh3 = readServerHello(body(vec(3, 'server.hello'), 2));
    const ks = readKeyShareServerHello(sh3.extensions.find((e) => e.type === ExtensionType.key_share)!.data);
    expect(ks.group).toBe(NamedGroup.x25519);
    expect(hex(ks.keyExchange)).toBe(hex(vec(3, 'server.x25519.public')));
    const sh4 = readServerHello(body(vec(4, 'server.hello'), 2));
    expect(readPreSharedKeyServerHello(sh4.extensions.find((e) => e.type === ExtensionType.pre_shared_key)!.data)).toBe(0);
  });
  it('§7 echoes the 32-byte legacy_session_id', () => {
    const sh = readServerHello(body(vec(7, 'server.hello'), 2));
    const chBody = readHandshake(vec(7, 'client.hello')).body;
    expect(hex(sh.legacySessionIdEcho)).toBe(hex(chBody.subarray(35, 67)));
  });
  it('RFC 8448 §5 HelloRetryRequest is written byte for byte', () => {
    const raw = vec(5, 'server.hello_retry_request');
    const hrr = readServerHello(body(raw, HandshakeType.server_hello));
    expect(hrr.isHelloRetryRequest).toBe(true);
    expect(hex(hrr.random)).toBe('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');
    expect(readKeyShareHelloRetryRequest(hrr.extensions[0]!.data)).toBe(NamedGroup.secp256r1);
    const again = writeHelloRetryRequest({
      legacySessionIdEcho: hrr.legacySessionIdEcho,
      cipherSuite: hrr.cipherSuite,
      extensions: hrr.extensions.map((e) => reencodeServerExtension(e, true)),
    });
    expect(hex(again)).toBe(hex(raw));
    expect(hex(HELLO_RETRY_REQUEST_RANDOM)).toBe(hex(hrr.random));
  });
  it('TLS 1.2 ServerHello: no extensions block, downgrade sentinel', () => {
    const random = withDowngradeSentinel(new Uint8Array(32).fill(0xab), ProtocolVersion.TLSv1_2);
    expect(hex(random.subarray(24))).toBe('444f574e47524401');
    expect(hex(withDowngradeSentinel(new Uint8Array(32), ProtocolVersion.TLSv1_1).subarray(24))).toBe(hex(DOWNGRADE_SENTINEL_TLS11));
    expect(hex(DOWNGRADE_SENTINEL_TLS12)).toBe('444f574e47524401');
    expect(() => withDowngradeSentinel(random, ProtocolVersion.TLSv1_3)).toThrow(RangeError);
    const raw = writeServerHello({ random, legacySessionIdEcho: new Uint8Array(32).fill(3), cipherSuite: 0xc02f, extensions: [], omitEmptyExtensions: true });
    expect(raw.length).toBe(4 + 2 + 32 + 33 + 2 + 1);
    const sh = readServerHello(readHandshake(raw).body);
    expect(sh.extensions).toEqual([]);
    expect(sh.selectedVersion).toBeUndefined();
    expect(sh.cipherSuite).toBe(0xc02f);
    const withEmpty = writeServerHello({ random, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0xc02f, extensions: [] });
    expect(hex(withEmpty.subarray(-2))).toBe('0000');
  });
  it('rejects', () => {
    const raw = vec(3, 'server.hello');
    expectTlsError(() => readServerHello(Uint8Array.of(...raw.subarray(4), 0)), 'decode_error', 'TrailingData');
    expectTlsError(() => readServerHello(raw.subarray(4, 40)), 'decode_error', 'Truncated');
    expect(() => writeServerHello({ random: new Uint8Array(31), legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, extensions: [] })).toThrow(RangeError);
  });
});

describe('EncryptedExtensions (RFC 8446 §4.3.1)', () => {
  for (const section of [3, 4, 5, 6, 7] as const) {
    it(`RFC 8448 §${section} re-encodes byte for byte`, () => {
      const raw = vec(section, 'server.encrypted_extensions');
      const ee = readEncryptedExtensions(body(raw, HandshakeType.encrypted_extensions));
      expect(hex(writeEncryptedExtensions(ee.extensions.map((e) => reencodeServerExtension(e, false))))).toBe(hex(raw));
    });
  }
  it('§4 accepts early data', () => {
    const ee = readEncryptedExtensions(body(vec(4, 'server.encrypted_extensions'), 8));
    expect(ee.extensions.map((e) => e.type)).toContain(ExtensionType.early_data);
  });
  it('rejects duplicates and trailing data', () => {
    expectTlsError(() => readEncryptedExtensions(unhex('0008000000000000' + '0000')), 'illegal_parameter', 'DuplicateExtension');
    expectTlsError(() => readEncryptedExtensions(unhex('000000')), 'decode_error', 'TrailingData');
  });
});

describe('Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.2)', () => {
  const certDer = unhex((JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test-vectors/rfc8448-section3.json', import.meta.url)), 'utf8')) as { derived: { server_certificate_der: string } }).derived.server_certificate_der);
  for (const [section, key] of [[3, 'server.certificate'], [5, 'server.certificate'], [6, 'server.certificate'], [6, 'client.certificate']] as const) {
    it(`RFC 8448 §${section} ${key} re-encodes byte for byte`, () => {
      const raw = vec(section, key);
      const c = readCertificate13(body(raw, HandshakeType.certificate));
      expect(c.requestContext.length).toBe(0);
      expect(c.entries.length).toBe(1);
      expect(hex(writeCertificate13(c))).toBe(hex(raw));
    });
  }
  it('§3 leaf is the RSA certificate', () => {
    const c = readCertificate13(body(vec(3, 'server.certificate'), 11));
    expect(hex(c.entries[0]!.certData)).toBe(hex(certDer));
  });
  it('empty list (client without a certificate) and TLS 1.2 shape', () => {
    expect(readCertificate13(unhex('00000000')).entries).toEqual([]);
    const raw12 = writeCertificate12([certDer, unhex('3000')]);
    const c12 = readCertificate12(readHandshake(raw12).body);
    expect(c12.entries.map((e) => hex(e.certData))).toEqual([hex(certDer), '3000']);
    expect(readCertificate12(unhex('000000')).entries).toEqual([]);
  });
  it('rejects', () => {
    expectTlsError(() => readCertificate13(unhex('00000005000000' + '0000')), 'decode_error', 'EmptyVector');
    expectTlsError(() => readCertificate13(unhex('0000000300')), 'decode_error', 'Truncated');
    expectTlsError(() => readCertificate13(unhex('0000000000')), 'decode_error', 'TrailingData');
    expectTlsError(() => readCertificate12(unhex('000003000000')), 'decode_error', 'EmptyVector');
    expectTlsError(
      () => readCertificate13(unhex('00' + '00000f' + '0000023000' + '0008' + '00050000' + '00050000')),
      'illegal_parameter',
      'DuplicateExtension',
    );
  });
});

describe('CertificateRequest (RFC 8446 §4.3.2, RFC 5246 §7.4.4)', () => {
  it('RFC 8448 §6 re-encodes byte for byte', () => {
    const raw = vec(6, 'server.certificate_request');
    const cr = readCertificateRequest13(body(raw, HandshakeType.certificate_request));
    expect(hex(writeCertificateRequest13({ requestContext: cr.requestContext, extensions: cr.extensions.map((e) => reencodeServerExtension(e, false)) }))).toBe(hex(raw));
  });
  it('TLS 1.2 round trip', () => {
    const cr = { certificateTypes: [1, 64], signatureAlgorithms: [0x0403, 0x0804], certificateAuthorities: [unhex('3000')] };
    const back = readCertificateRequest12(readHandshake(writeCertificateRequest12(cr)).body);
    expect({ ...back, certificateAuthorities: back.certificateAuthorities.map(hex) }).toEqual({ ...cr, certificateAuthorities: ['3000'] });
  });
  it('rejects', () => {
    expectTlsError(() => readCertificateRequest13(unhex('000000')), 'decode_error', 'EmptyVector');
    expect(() => writeCertificateRequest13({ requestContext: new Uint8Array(0), extensions: [] })).toThrow(RangeError);
  });
});

describe('CertificateVerify (RFC 8446 §4.4.3)', () => {
  for (const [section, key] of [[3, 'server.certificate_verify'], [5, 'server.certificate_verify'], [6, 'server.certificate_verify'], [6, 'client.certificate_verify'], [7, 'server.certificate_verify']] as const) {
    it(`RFC 8448 §${section} ${key} re-encodes byte for byte`, () => {
      const raw = vec(section, key);
      expect(hex(writeCertificateVerify(readCertificateVerify(body(raw, HandshakeType.certificate_verify))))).toBe(hex(raw));
    });
  }
  it('certificateVerifyContent: the §3 RSA-PSS signature verifies over it', () => {
    const transcript = sha256(...['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate'].map((k) => vec(3, k)));
    const content = certificateVerifyContent(true, transcript);
    expect(content.length).toBe(64 + 33 + 1 + 32);
    expect(hex(content.subarray(0, 64))).toBe('20'.repeat(64));
    expect(Buffer.from(content.subarray(64, 97)).toString()).toBe('TLS 1.3, server CertificateVerify');
    expect(content[97]).toBe(0);
    const cv = readCertificateVerify(body(vec(3, 'server.certificate_verify'), 15));
    expect(cv.algorithm).toBe(0x0804);
    const pem = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test-vectors/rfc8448-section3.json', import.meta.url)), 'utf8')) as { derived: { server_certificate_pem: string } }).derived.server_certificate_pem;
    const ok = verify('sha256', content, { key: pem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, cv.signature);
    expect(ok).toBe(true);
    expect(Buffer.from(certificateVerifyContent(false, transcript).subarray(64, 97)).toString()).toBe('TLS 1.3, client CertificateVerify');
  });
  it('rejects', () => {
    expectTlsError(() => readCertificateVerify(unhex('0804000200')), 'decode_error', 'Truncated');
    expectTlsError(() => readCertificateVerify(unhex('080400')), 'decode_error', 'Truncated');
    expectTlsError(() => readCertificateVerify(unhex('08040000ff')), 'decode_error', 'TrailingData');
  });
});

describe('Finished, NewSessionTicket, KeyUpdate, EndOfEarlyData, message_hash', () => {
  it('Finished: RFC 8448 verify_data, fixed length', () => {
    for (const s of [3, 4, 5, 7] as const) {
      for (const side of ['server', 'client']) {
        const raw = vec(s, `${side}.finished`);
        const fin = readFinished(body(raw, HandshakeType.finished), 32);
        expect(hex(fin.verifyData)).toBe(hex(vec(s, `${side}.finished.verify_data`)));
        expect(hex(writeFinished(fin.verifyData))).toBe(hex(raw));
      }
    }
    expectTlsError(() => readFinished(new Uint8Array(31), 32), 'decode_error', 'BadLength');
    expectTlsError(() => readFinished(new Uint8Array(13), 12), 'decode_error', 'BadLength');
  });
  it('NewSessionTicket: RFC 8448 §3 re-encodes byte for byte', () => {
    const raw = vec(3, 'server.new_session_ticket');
    const nst = readNewSessionTicket13(body(raw, HandshakeType.new_session_ticket));
    expect(nst.ticketLifetime).toBe(30);
    expect(nst.ticketAgeAdd).toBe(0xfad6aac5);
    expect(hex(nst.ticketNonce)).toBe('0000');
    expect(nst.ticket.length).toBe(178);
    expect(readEarlyDataNewSessionTicket(nst.extensions[0]!.data)).toBe(0x400);
    const again = writeNewSessionTicket13({ ...nst, extensions: [writeEarlyData(readEarlyDataNewSessionTicket(nst.extensions[0]!.data))] });
    expect(hex(again)).toBe(hex(raw));
  });
  it('NewSessionTicket: rules', () => {
    expectTlsError(() => readNewSessionTicket13(unhex('00000001' + '00000002' + '00' + '0000' + '0000')), 'decode_error', 'EmptyVector');
    expectTlsError(() => readNewSessionTicket13(unhex('00000001' + '00000002' + '00' + '000101' + '0000' + '00')), 'decode_error', 'TrailingData');
    expect(() => writeNewSessionTicket13({ ticketLifetime: 604801, ticketAgeAdd: 0, ticketNonce: new Uint8Array(0), ticket: new Uint8Array(1), extensions: [] })).toThrow(RangeError);
    const t12 = { ticketLifetimeHint: 7200, ticket: unhex('aabbcc') };
    const back = readNewSessionTicket12(readHandshake(writeNewSessionTicket12(t12)).body);
    expect([back.ticketLifetimeHint, hex(back.ticket)]).toEqual([7200, 'aabbcc']);
    expect(readNewSessionTicket12(unhex('000000000000')).ticket.length).toBe(0);
  });
  it('KeyUpdate', () => {
    expect(hex(writeKeyUpdate(false))).toBe('1800000100');
    expect(hex(writeKeyUpdate(true))).toBe('1800000101');
    expect(readKeyUpdate(unhex('01')).requestUpdate).toBe(1);
    expect(readKeyUpdate(unhex('00')).requestUpdate).toBe(0);
    expectTlsError(() => readKeyUpdate(unhex('02')), 'illegal_parameter', 'KeyUpdateBadValue');
    expectTlsError(() => readKeyUpdate(unhex('ff')), 'illegal_parameter', 'KeyUpdateBadValue');
    expectTlsError(() => readKeyUpdate(unhex('')), 'decode_error', 'Truncated');
    expectTlsError(() => readKeyUpdate(unhex('0000')), 'decode_error', 'TrailingData');
  });
  it('EndOfEarlyData: RFC 8448 §4', () => {
    expect(hex(writeEndOfEarlyData())).toBe(hex(vec(4, 'client.end_of_early_data')));
    expect(readEndOfEarlyData(new Uint8Array(0))).toEqual({});
    expectTlsError(() => readEndOfEarlyData(unhex('00')), 'decode_error', 'TrailingData');
  });
  it('message_hash: RFC 8448 §5 handshake transcript after HRR', () => {
    const ch1 = vec(5, 'client.hello_1');
    const transcript = sha256(writeMessageHash(sha256(ch1)), vec(5, 'server.hello_retry_request'), vec(5, 'client.hello_2'), vec(5, 'server.hello'));
    expect(hex(transcript)).toBe(hex(vec(5, 'secret.client_handshake_traffic.hash')));
    expect(hex(writeMessageHash(new Uint8Array(48)).subarray(0, 4))).toBe('fe000030');
  });
});
