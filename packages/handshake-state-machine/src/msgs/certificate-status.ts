/**
 * CertificateStatus (RFC 6066 §8): the TLS 1.2 message that carries a stapled OCSP response,
 * right after the server's Certificate. (TLS 1.3 carries the same `CertificateStatus` struct in
 * the leaf's CertificateEntry extensions instead, `writeOcspStatus`, RFC 8446 §4.4.2.1.)
 */
import { Reader, TlsError } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 6066 §8  struct { CertificateStatusType status_type;
//   select (status_type) { case ocsp: OCSPResponse; } response; } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
/** A decoded CertificateStatus: `statusType` 1 (ocsp) and the response (a view). */
export interface CertificateStatus {
  readonly statusType: number;
  readonly ocspResponse: Uint8Array;
}

/**
 * Writes a CertificateStatus handshake message (header included) with an OCSP response.
 * @throws RangeError when the response is empty (`OCSPResponse<1..2^24-1>`).
 */
export function writeCertificateStatus(ocspResponse: Uint8Array): Uint8Array {
  if (ocspResponse.length === 0) throw new RangeError('writeCertificateStatus: empty OCSP response');
  return writeHandshake(HandshakeType.certificate_status, (w) => w.u8(1).vec24((w) => w.bytes(ocspResponse)));
}

/**
 * Reads a CertificateStatus body (what a client does; the server only writes it).
 * @throws TlsError decode errors; `IllegalParameter` (illegal_parameter) for a status_type other than ocsp.
 */
export function readCertificateStatus(body: Uint8Array): CertificateStatus {
  return new Reader(body, 'CertificateStatus').all('CertificateStatus', (r) => {
    const statusType = r.u8();
    if (statusType !== 1) throw new TlsError('IllegalParameter', `CertificateStatus: status_type ${statusType}, only ocsp(1) is defined`);
    return { statusType, ocspResponse: r.vec24({ min: 1 }).rest() };
  });
}
