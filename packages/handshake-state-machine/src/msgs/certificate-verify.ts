/**
 * CertificateVerify (RFC 8446 §4.4.3) and its signed content; the same wire shape is TLS 1.2's
 * `DigitallySigned` (RFC 5246 §4.7), used by CertificateVerify and ServerKeyExchange.
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.4.3  struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } CertificateVerify;
/** A decoded CertificateVerify; `signature` is a view. */
export interface CertificateVerify {
  /** `SignatureScheme` code (GREASE/unknown possible; the state machine checks it was offered). */
  readonly algorithm: number;
  readonly signature: Uint8Array;
}

/**
 * Reads a CertificateVerify body (TLS 1.3, or TLS 1.2 with signature_algorithms).
 *
 * @throws TlsError `TrailingData`/`Truncated` (decode_error).
 */
export function readCertificateVerify(body: Uint8Array): CertificateVerify {
  return new Reader(body, 'CertificateVerify').all('CertificateVerify', (r) => ({
    algorithm: r.u16(),
    signature: r.vec16().rest(),
  }));
}

/**
 * Writes a CertificateVerify handshake message (header included).
 *
 * @throws TlsError `Internal` (internal_error) for a signature longer than 2^16-1 bytes.
 */
export function writeCertificateVerify(cv: CertificateVerify): Uint8Array {
  return writeHandshake(HandshakeType.certificate_verify, (w) => w.u16(cv.algorithm).vec16((w) => w.bytes(cv.signature)));
}

const SERVER_CONTEXT = 'TLS 1.3, server CertificateVerify';
const CLIENT_CONTEXT = 'TLS 1.3, client CertificateVerify';

/**
 * The content a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3): "a string that consists of
 * octet 32 (0x20) repeated 64 times", the context string ("TLS 1.3, server CertificateVerify" or
 * "TLS 1.3, client CertificateVerify"), "a single 0 byte which serves as the separator", then
 * Transcript-Hash(Handshake Context, Certificate).
 *
 * @throws TypeError when `transcriptHash` is empty (API misuse).
 */
export function certificateVerifyContent(server: boolean, transcriptHash: Uint8Array): Uint8Array {
  if (transcriptHash.length === 0) throw new TypeError('certificateVerifyContent: empty transcript hash');
  const context = server ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  for (let i = 0; i < context.length; i++) out[64 + i] = context.charCodeAt(i);
  out[64 + context.length] = 0;
  out.set(transcriptHash, 64 + context.length + 1);
  return out;
}
