/**
 * OCSP stapling codecs: the TLS 1.2 CertificateStatus message (RFC 6066 §8) and the TLS 1.3
 * Certificate whose leaf entry carries the same `CertificateStatus` struct (RFC 8446 §4.4.2.1).
 */
import { describe, expect, it } from 'vitest';
import {
  ExtensionType,
  HandshakeType,
  readCertificate13,
  readCertificateStatus,
  readHandshake,
  serverCertificate13WithStatus,
  writeCertificateStatus,
} from '@puretls/handshake-state-machine/internal';
import { expectTlsError, hex } from './helpers';

describe('CertificateStatus (RFC 6066 §8)', () => {
  it('writes type 22, status_type ocsp(1) and the uint24-prefixed response; reads it back', () => {
    const raw = writeCertificateStatus(Uint8Array.of(0xaa, 0xbb, 0xcc));
    expect(hex(raw)).toBe('16000007' + '01' + '000003' + 'aabbcc');
    const msg = readHandshake(raw);
    expect(msg.type).toBe(HandshakeType.certificate_status);
    const status = readCertificateStatus(msg.body);
    expect(status.statusType).toBe(1);
    expect(hex(status.ocspResponse)).toBe('aabbcc');
  });

  it('an empty response is not writable (OCSPResponse<1..2^24-1>); bad bodies are decode errors or illegal_parameter', () => {
    expect(() => writeCertificateStatus(new Uint8Array(0))).toThrow(RangeError);
    expectTlsError(() => readCertificateStatus(Uint8Array.of(1, 0, 0, 0)), 'decode_error', 'EmptyVector');
    expectTlsError(() => readCertificateStatus(Uint8Array.of(1, 0, 0, 1, 9, 9)), 'decode_error', 'TrailingData');
    expectTlsError(() => readCertificateStatus(Uint8Array.of(2, 0, 0, 1, 9)), 'illegal_parameter', 'IllegalParameter');
  });
});

describe('TLS 1.3 Certificate with a stapled response (RFC 8446 §4.4.2.1)', () => {
  it('only the leaf entry has status_request, holding CertificateStatus', () => {
    const chain = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)];
    const msg = readHandshake(serverCertificate13WithStatus(chain, Uint8Array.of(0xde, 0xad)));
    expect(msg.type).toBe(HandshakeType.certificate);
    const cert = readCertificate13(msg.body);
    expect(cert.requestContext.length).toBe(0);
    expect(cert.entries.map((e) => hex(e.certData))).toEqual(['010203', '0405']);
    expect(cert.entries[0]!.extensions.map((e) => [e.type, hex(e.data)])).toEqual([[ExtensionType.status_request, '01' + '000002' + 'dead']]);
    expect(cert.entries[1]!.extensions).toEqual([]);
  });
});
