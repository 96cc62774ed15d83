/**
 * Certificate (RFC 8446 §4.4.2; RFC 5246 §7.4.2 for TLS 1.2). The server writes its chain and
 * reads the client's (client authentication). Both versions decode to the same shape so the chain
 * is `entries.map((e) => e.certData)` either way.
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { readExtensions, writeExtensions, writeOcspStatus, type Extension } from './extensions';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.4.2  enum { X509(0), RawPublicKey(2), (255) } CertificateType;
//   struct {
//       select (certificate_type) {
//           case RawPublicKey: opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
//           case X509:         opaque cert_data<1..2^24-1>;
//       };
//       Extension extensions<0..2^16-1>;
//   } CertificateEntry;
/** One certificate of a chain (leaf first). Views into the message. */
export interface CertificateEntry {
  /** DER certificate (or SubjectPublicKeyInfo for raw public keys). */
  readonly certData: Uint8Array;
  /** Per-entry extensions (status_request, signed_certificate_timestamp); always empty in TLS 1.2. */
  readonly extensions: readonly Extension[];
}

// RFC 8446 §4.4.2  struct {
//       opaque certificate_request_context<0..2^8-1>;
//       CertificateEntry certificate_list<0..2^24-1>;
//   } Certificate;
// RFC 5246 §7.4.2  opaque ASN.1Cert<1..2^24-1>;
//   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
/** A decoded Certificate. An empty `entries` is a client declining to authenticate. */
export interface Certificate {
  /** TLS 1.3: the CertificateRequest's context echoed (empty in the handshake). TLS 1.2: empty. */
  readonly requestContext: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

/**
 * Reads a TLS 1.3 Certificate body (a client's certificate, or the server's in tests).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error) for
 *   bad lengths or an empty cert_data; `DuplicateExtension` (illegal_parameter) in an entry.
 */
export function readCertificate13(body: Uint8Array): Certificate {
  return new Reader(body, 'Certificate').all('Certificate', (r) => ({
    requestContext: r.vec8().rest(),
    entries: r.vec24().list((r) => ({
      certData: r.vec24({ min: 1 }).rest(),
      extensions: readExtensions(r, 'CertificateEntry'),
    })),
  }));
}

/**
 * Reads a TLS 1.2 Certificate body.
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error).
 */
export function readCertificate12(body: Uint8Array): Certificate {
  return new Reader(body, 'Certificate').all('Certificate', (r) => ({
    requestContext: new Uint8Array(0),
    entries: r.vec24().list((r) => ({ certData: r.vec24({ min: 1 }).rest(), extensions: [] })),
  }));
}

/**
 * Writes a TLS 1.3 Certificate handshake message (header included).
 *
 * @throws RangeError for an empty cert_data or a context longer than 255 bytes.
 */
export function writeCertificate13(cert: Certificate): Uint8Array {
  if (cert.requestContext.length > 0xff) throw new RangeError('writeCertificate13: request context longer than 255');
  return writeHandshake(HandshakeType.certificate, (w) => {
    w.vec8((w) => w.bytes(cert.requestContext));
    w.vec24((w) => {
      for (const e of cert.entries) {
        if (e.certData.length === 0) throw new RangeError('writeCertificate13: empty cert_data');
        w.vec24((w) => w.bytes(e.certData));
        writeExtensions(w, e.extensions);
      }
    });
  });
}

/**
 * Writes a TLS 1.2 Certificate handshake message (header included) from DER certificates, leaf first.
 *
 * @throws RangeError for an empty certificate.
 */
export function writeCertificate12(chain: readonly Uint8Array[]): Uint8Array {
  return writeHandshake(HandshakeType.certificate, (w) =>
    w.vec24((w) => {
      for (const c of chain) {
        if (c.length === 0) throw new RangeError('writeCertificate12: empty certificate');
        w.vec24((w) => w.bytes(c));
      }
    }),
  );
}

/**
 * The server's Certificate message for a chain, built once per chain and version: it is the same
 * in every full handshake (TLS 1.3: empty certificate_request_context, no extensions), so a
 * handshake need not re-encode kilobytes of certificates. Keyed by the chain array (the
 * `CertifiedKey` holds it for the context's lifetime). The message is shared: read it, never write it.
 */
const serverCertificateMessages = new WeakMap<readonly Uint8Array[], { tls12?: Uint8Array; tls13?: Uint8Array }>();

/**
 * RFC 8446 §4.4.2.1: the server's Certificate with an OCSP response in the leaf's entry ("the
 * status_request extension … in the CertificateEntry"), the other entries without extensions. Not
 * cached: the response belongs to one connection.
 */
export function serverCertificate13WithStatus(chain: readonly Uint8Array[], ocspResponse: Uint8Array): Uint8Array {
  return writeCertificate13({
    requestContext: new Uint8Array(0),
    entries: chain.map((certData, i) => ({ certData, extensions: i === 0 ? [writeOcspStatus(ocspResponse)] : [] })),
  });
}

/** `writeCertificate13({ requestContext: empty, entries: chain without extensions })`, cached per chain. */
export function serverCertificate13(chain: readonly Uint8Array[]): Uint8Array {
  let m = serverCertificateMessages.get(chain);
  if (m === undefined) serverCertificateMessages.set(chain, (m = {}));
  return (m.tls13 ??= writeCertificate13({ requestContext: new Uint8Array(0), entries: chain.map((certData) => ({ certData, extensions: [] })) }));
}

/** `writeCertificate12(chain)`, cached per chain. */
export function serverCertificate12(chain: readonly Uint8Array[]): Uint8Array {
  let m = serverCertificateMessages.get(chain);
  if (m === undefined) serverCertificateMessages.set(chain, (m = {}));
  return (m.tls12 ??= writeCertificate12(chain));
}
