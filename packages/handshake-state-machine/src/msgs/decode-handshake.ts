/**
 * The decoded handshake message: a discriminated union on `type`, and one entry point that
 * dispatches a frame to its reader. Some readers depend on the negotiated version (Certificate,
 * CertificateRequest, NewSessionTicket) or the suite's hash (Finished), so the caller passes them.
 */
import { TlsError } from '@puretls/record-layer';
import { enumName, HandshakeType, ProtocolVersion } from './enums';
import { readCertificate12, readCertificate13, type Certificate } from './certificate';
import {
  readCertificateRequest12,
  readCertificateRequest13,
  type CertificateRequest12,
  type CertificateRequest13,
} from './certificate-request';
import { readCertificateVerify, type CertificateVerify } from './certificate-verify';
import { readClientHello, type ClientHello } from './client-hello';
import { readEncryptedExtensions, type EncryptedExtensions } from './encrypted-extensions';
import { readEndOfEarlyData } from './end-of-early-data';
import { readFinished, TLS12_VERIFY_DATA_LENGTH, type Finished } from './finished';
import type { HandshakeFrame } from './handshake-message';
import { readKeyUpdate, type KeyUpdate } from './key-update';
import {
  readNewSessionTicket12,
  readNewSessionTicket13,
  type NewSessionTicket12,
  type NewSessionTicket13,
} from './new-session-ticket';
import { readServerHello, type ServerHello } from './server-hello';

/** Decoded payload per handshake type (the types we can read). */
export interface HandshakePayloads {
  [HandshakeType.client_hello]: ClientHello;
  [HandshakeType.server_hello]: ServerHello;
  [HandshakeType.new_session_ticket]: NewSessionTicket13 | NewSessionTicket12;
  [HandshakeType.end_of_early_data]: Record<string, never>;
  [HandshakeType.encrypted_extensions]: EncryptedExtensions;
  [HandshakeType.certificate]: Certificate;
  [HandshakeType.certificate_request]: CertificateRequest13 | CertificateRequest12;
  [HandshakeType.certificate_verify]: CertificateVerify;
  [HandshakeType.finished]: Finished;
  [HandshakeType.key_update]: KeyUpdate;
}
export type DecodableHandshakeType = keyof HandshakePayloads;

/**
 * A decoded handshake message: `type` discriminates `msg`; `raw` is header + body for the
 * transcript (a view into the input).
 */
export type HandshakeMessage = {
  [T in DecodableHandshakeType]: { readonly type: T; readonly msg: HandshakePayloads[T]; readonly raw: Uint8Array };
}[DecodableHandshakeType];

/** What the decoder must know about the connection. */
export interface DecodeContext {
  /**
   * The negotiated version (`ProtocolVersion.TLSv1_2` or `TLSv1_3`); before negotiation, the
   * version whose shapes to assume (ClientHello reads the same either way).
   */
  readonly version: number;
  /** TLS 1.3: the cipher suite's Hash.length, the Finished length. Ignored for TLS 1.2 (12). */
  readonly hashLength?: number;
}

/**
 * Decodes a frame by its type into a {@link HandshakeMessage}.
 *
 * RFC 8446 §4: an unknown or unexpected handshake type cannot be processed: "unexpected_message".
 * (Whether a known type is expected *now* is the state machine's check.)
 *
 * @throws TlsError `UnexpectedHandshakeMessage` (unexpected_message) for a type without a reader
 *   here (unknown, message_hash, TLS 1.2 key exchange messages, hello_request); any error of the
 *   type's reader (see each `read…`).
 * @throws TypeError when a TLS 1.3 Finished is decoded without `ctx.hashLength` (API misuse).
 */
export function decodeHandshake(frame: HandshakeFrame, ctx: DecodeContext): HandshakeMessage {
  const { body, raw } = frame;
  const tls13 = ctx.version >= ProtocolVersion.TLSv1_3;
  switch (frame.type) {
    case HandshakeType.client_hello:
      return { type: frame.type, msg: readClientHello(body), raw };
    case HandshakeType.server_hello:
      return { type: frame.type, msg: readServerHello(body), raw };
    case HandshakeType.new_session_ticket:
      return { type: frame.type, msg: tls13 ? readNewSessionTicket13(body) : readNewSessionTicket12(body), raw };
    case HandshakeType.end_of_early_data:
      return { type: frame.type, msg: readEndOfEarlyData(body), raw };
    case HandshakeType.encrypted_extensions:
      return { type: frame.type, msg: readEncryptedExtensions(body), raw };
    case HandshakeType.certificate:
      return { type: frame.type, msg: tls13 ? readCertificate13(body) : readCertificate12(body), raw };
    case HandshakeType.certificate_request:
      return { type: frame.type, msg: tls13 ? readCertificateRequest13(body) : readCertificateRequest12(body), raw };
    case HandshakeType.certificate_verify:
      return { type: frame.type, msg: readCertificateVerify(body), raw };
    case HandshakeType.finished: {
      const len = tls13 ? ctx.hashLength : TLS12_VERIFY_DATA_LENGTH;
      if (len === undefined) throw new TypeError('decodeHandshake: TLS 1.3 Finished needs ctx.hashLength');
      return { type: frame.type, msg: readFinished(body, len), raw };
    }
    case HandshakeType.key_update:
      return { type: frame.type, msg: readKeyUpdate(body), raw };
    default:
      throw new TlsError('UnexpectedHandshakeMessage', `cannot process handshake message ${enumName(HandshakeType, frame.type)}`);
  }
}

/**
 * Returns `msg`'s payload if it has type `type` (the state machine's `expect`).
 *
 * @throws TlsError `UnexpectedHandshakeMessage` (unexpected_message) otherwise.
 */
export function expectHandshake<T extends DecodableHandshakeType>(msg: HandshakeMessage, type: T): HandshakePayloads[T] {
  if (msg.type !== type) {
    throw new TlsError(
      'UnexpectedHandshakeMessage',
      `expected ${enumName(HandshakeType, type)}, got ${enumName(HandshakeType, msg.type)}`,
    );
  }
  return msg.msg as HandshakePayloads[T];
}
