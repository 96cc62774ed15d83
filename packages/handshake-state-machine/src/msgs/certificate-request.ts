/**
 * CertificateRequest: TLS 1.3 (RFC 8446 §4.3.2) and TLS 1.2 (RFC 5246 §7.4.4).
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { readExtensions, writeExtensions, type Extension } from './extensions';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.3.2  struct {
//       opaque certificate_request_context<0..2^8-1>;
//       Extension extensions<2..2^16-1>;
//   } CertificateRequest;
/** A TLS 1.3 CertificateRequest. */
export interface CertificateRequest13 {
  /** Empty during the handshake (RFC 8446 §4.3.2). */
  readonly requestContext: Uint8Array;
  /** signature_algorithms (required), certificate_authorities, oid_filters, … in order. */
  readonly extensions: readonly Extension[];
}

/**
 * Reads a TLS 1.3 CertificateRequest body (tests and a future client).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength` (decode_error);
 *   `DuplicateExtension` (illegal_parameter).
 */
export function readCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  return new Reader(body, 'CertificateRequest').all('CertificateRequest', (r) => ({
    requestContext: r.vec8().rest(),
    extensions: readExtensions(r, 'CertificateRequest', { min: 2 }),
  }));
}

/**
 * Writes a TLS 1.3 CertificateRequest handshake message (header included).
 *
 * @throws RangeError without extensions (signature_algorithms is required) or with a context
 *   longer than 255 bytes.
 */
export function writeCertificateRequest13(cr: CertificateRequest13): Uint8Array {
  if (cr.extensions.length === 0) throw new RangeError('writeCertificateRequest13: signature_algorithms is required');
  if (cr.requestContext.length > 0xff) throw new RangeError('writeCertificateRequest13: context longer than 255');
  return writeHandshake(HandshakeType.certificate_request, (w) => {
    w.vec8((w) => w.bytes(cr.requestContext));
    writeExtensions(w, cr.extensions);
  });
}

// RFC 5246 §7.4.4  struct {
//       ClientCertificateType certificate_types<1..2^8-1>;
//       SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
//       DistinguishedName certificate_authorities<0..2^16-1>;
//   } CertificateRequest;
/** A TLS 1.2 CertificateRequest. */
export interface CertificateRequest12 {
  /** `ClientCertificateType` codes (rsa_sign 1, ecdsa_sign 64). */
  readonly certificateTypes: readonly number[];
  /** SignatureScheme codes. */
  readonly signatureAlgorithms: readonly number[];
  /** DER distinguished names (views when decoded). */
  readonly certificateAuthorities: readonly Uint8Array[];
}

/**
 * Reads a TLS 1.2 CertificateRequest body.
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error).
 */
export function readCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  return new Reader(body, 'CertificateRequest').all('CertificateRequest', (r) => ({
    certificateTypes: r.vec8({ min: 1 }).list((r) => r.u8()),
    signatureAlgorithms: r.vec16({ min: 2, max: 0xfffe, elem: 2 }).list((r) => r.u16()),
    certificateAuthorities: r.vec16().list((r) => r.vec16({ min: 1 }).rest()),
  }));
}

/**
 * Writes a TLS 1.2 CertificateRequest handshake message (header included).
 *
 * @throws RangeError when `certificateTypes` or `signatureAlgorithms` is empty.
 */
export function writeCertificateRequest12(cr: CertificateRequest12): Uint8Array {
  if (cr.certificateTypes.length === 0 || cr.signatureAlgorithms.length === 0) {
    throw new RangeError('writeCertificateRequest12: certificateTypes and signatureAlgorithms must not be empty');
  }
  return writeHandshake(HandshakeType.certificate_request, (w) => {
    w.vec8((w) => cr.certificateTypes.forEach((t) => w.u8(t)));
    w.vec16((w) => cr.signatureAlgorithms.forEach((s) => w.u16(s)));
    w.vec16((w) => cr.certificateAuthorities.forEach((n) => w.vec16((w) => w.bytes(n))));
  });
}
