/**
 * TLS 1.2 client certificate authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): the server's
 * CertificateRequest, and the states it adds to the full handshake:
 *
 *   … ServerKeyExchange CertificateRequest ServerHelloDone ─▶ ExpectCertificate12
 *     ─▶ ExpectClientKeyExchange ─(a chain)─▶ ExpectCertificateVerify12 ─▶ ExpectChangeCipherSpec12
 *                                └──(empty)──────────────────────────────▶ ExpectChangeCipherSpec12
 *
 * Both states are generic in the state they hand over to (the states of `server-states.ts`,
 * which imports this file).
 */
import { type CryptoProvider, type PublicKey } from '@puretls/crypto';
import type { ClientAuthConfig } from '../client-auth-config';
import type { HandshakeMessage } from '../handshake-message';
import { ClientCertificateType, HandshakeType } from '../msgs/enums';
import { writeCertificateRequest12 } from '../msgs/certificate-request';
import { readCertificate12 } from '../msgs/certificate';
import { readCertificateVerify } from '../msgs/certificate-verify';
import { expect } from '../common/state';
import type { Transcript } from '../common/transcript';
import { CLIENT_SIGNATURE_SCHEMES12, checkClientSignature, processClientCertificate, type ClientCertificate } from '../common/client-certificate';

/** A state that holds secrets to wipe when the connection ends in it. */
export interface Cleanable12 {
  clean(): void;
}

/** The state after the client's Certificate: it takes the outcome (and the key to check) along. */
export interface AwaitsClientCertificate12<Next extends Cleanable12> {
  /** The same state, carrying the client's certificate. */
  withClientCertificate(certificate: ClientCertificate): Next;
  clean(): void;
}

/** The CertificateRequest of a configuration, built once (the CA names may be kilobytes). */
const requests = new WeakMap<ClientAuthConfig, Uint8Array>();

/**
 * Our CertificateRequest (RFC 5246 §7.4.4): certificate_types rsa_sign and ecdsa_sign (the latter
 * also covers Ed25519, RFC 8422 §5.5), supported_signature_algorithms — the CertificateVerify
 * schemes we verify, which also bound the chain's signatures ("the server is able to verify") —
 * and certificate_authorities, the configured CA names (empty: "the client MAY send any
 * certificate"). The message is shared: read it, never write it.
 */
export function certificateRequest12(auth: ClientAuthConfig): Uint8Array {
  let m = requests.get(auth);
  if (m === undefined) {
    m = writeCertificateRequest12({
      certificateTypes: [ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign],
      signatureAlgorithms: CLIENT_SIGNATURE_SCHEMES12,
      certificateAuthorities: auth.certificateAuthorities,
    });
    requests.set(auth, m);
  }
  return m;
}

/**
 * After ServerHelloDone, with a CertificateRequest sent: waiting for the client's Certificate, the
 * "first message the client can send after receiving a ServerHelloDone message" (RFC 5246 §7.4.6;
 * "If no suitable certificate is available, the client MUST send a certificate message containing
 * no certificates").
 */
export class ExpectCertificate12<Next extends Cleanable12> {
  readonly kind = 'ExpectCertificate12';
  constructor(
    private readonly auth: ClientAuthConfig,
    private readonly transcript: Transcript,
    private readonly next: AwaitsClientCertificate12<Next>,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message) for anything but a
   *   Certificate (a ClientKeyExchange without one included); its decode errors; the errors of
   *   `processClientCertificate` (handshake_failure for none under `rejectUnauthorized`, the
   *   verdict's alert, decode_error, unsupported_certificate).
   */
  handle(msg: HandshakeMessage): Next {
    expect(msg, HandshakeType.certificate, this.kind);
    const cert = readCertificate12(msg.body);
    const certificate = processClientCertificate(
      this.auth,
      cert.entries.map((e) => e.certData),
      'NoClientCertificate',
    );
    this.transcript.add(msg.raw);
    return this.next.withClientCertificate(certificate);
  }

  /** Best-effort wipe of what the next state holds (our ephemeral key). */
  clean(): void {
    this.next.clean();
  }
}

/**
 * After the ClientKeyExchange of a client that sent a chain: waiting for its CertificateVerify
 * (RFC 5246 §7.4.8: "This message is only sent following a client certificate that has signing
 * capability"; it comes before the ChangeCipherSpec, so a CCS here is unexpected).
 */
export class ExpectCertificateVerify12<Next extends Cleanable12> {
  readonly kind = 'ExpectCertificateVerify12';
  constructor(
    private readonly provider: CryptoProvider,
    private readonly transcript: Transcript,
    private readonly leafKey: PublicKey,
    private readonly next: Next,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message); decode errors; the errors
   *   of `checkClientSignature` (illegal_parameter, decrypt_error).
   */
  handle(msg: HandshakeMessage): Next {
    expect(msg, HandshakeType.certificate_verify, this.kind);
    const cv = readCertificateVerify(msg.body);
    // RFC 5246 §7.4.8: `digitally-signed struct { opaque handshake_messages[handshake_messages_length]; }`
    // — "all handshake messages sent or received, starting at client hello and up to, but not
    // including, this message".
    checkClientSignature(this.provider, 'tls12', this.leafKey, cv, this.transcript.messages());
    this.transcript.add(msg.raw);
    this.transcript.forgetMessages();
    return this.next;
  }

  /** Best-effort wipe of the secrets the next state holds. */
  clean(): void {
    this.next.clean();
  }
}
