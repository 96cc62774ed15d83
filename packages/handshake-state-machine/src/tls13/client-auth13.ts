/**
 * TLS 1.3 client certificate authentication (RFC 8446 §4.3.2, §4.4.2, §4.4.3): the server's
 * CertificateRequest, and the states between our Finished and the client's:
 *
 *   sendFlight … CertificateRequest … Finished ─▶ ExpectCertificate ─(a chain)─▶ ExpectCertificateVerify ─▶ ExpectFinished
 *                                                        └──────────(empty)──────────────────────────────▶ ExpectFinished
 *
 * Both states are generic in the state they hand over to (`ExpectFinished`, which imports this
 * file): the verdict travels on in its `NegotiatedInfo` (`withClientAuth`).
 */
import { type CryptoProvider, type PublicKey } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import type { ClientAuthConfig } from '../client-auth-config';
import type { ClientAuthentication } from '../io';
import type { HandshakeMessage } from '../handshake-message';
import { ExtensionType, HandshakeType } from '../msgs/enums';
import { writeCertificateAuthorities, writeSignatureSchemeList, type Extension } from '../msgs/extensions';
import { writeCertificateRequest13 } from '../msgs/certificate-request';
import { readCertificate13 } from '../msgs/certificate';
import { certificateVerifyContent, readCertificateVerify } from '../msgs/certificate-verify';
import { expect, type StateContext } from '../common/state';
import type { Transcript } from '../common/transcript';
import { CLIENT_SIGNATURE_SCHEMES12, CLIENT_SIGNATURE_SCHEMES13, checkClientSignature, processClientCertificate } from '../common/client-certificate';

const EMPTY = new Uint8Array(0);

/** A state that holds secrets to wipe when the connection ends in it. */
export interface Cleanable {
  clean(): void;
}

/** The state after the client's authentication messages: it takes the outcome along. */
export interface AwaitsClientAuth<Next extends Cleanable> {
  /** The same state, its `NegotiatedInfo` carrying `auth`. */
  withClientAuth(auth: ClientAuthentication): Next;
  clean(): void;
}

/** The CertificateRequest of a configuration, built once (the CA names may be kilobytes). */
const requests = new WeakMap<ClientAuthConfig, Uint8Array>();

/**
 * Our CertificateRequest (RFC 8446 §4.3.2): certificate_request_context "SHALL be zero length
 * unless used for the post-handshake authentication exchanges"; signature_algorithms (the
 * CertificateVerify schemes we verify: "The "signature_algorithms" extension MUST be specified");
 * signature_algorithms_cert, since the certificate signatures we verify are more (§4.2.3: absent,
 * "the "signature_algorithms" extension also applies to signatures appearing in certificates");
 * certificate_authorities with the configured CA names (§4.2.4), when there are any.
 * The message is shared: read it, never write it.
 */
export function certificateRequest13(auth: ClientAuthConfig): Uint8Array {
  let m = requests.get(auth);
  if (m === undefined) {
    const extensions: Extension[] = [
      writeSignatureSchemeList(CLIENT_SIGNATURE_SCHEMES13),
      writeSignatureSchemeList(CLIENT_SIGNATURE_SCHEMES12, ExtensionType.signature_algorithms_cert),
    ];
    if (auth.certificateAuthorities.length > 0) extensions.push(writeCertificateAuthorities(auth.certificateAuthorities));
    m = writeCertificateRequest13({ requestContext: EMPTY, extensions });
    requests.set(auth, m);
  }
  return m;
}

/**
 * After our Finished, with a CertificateRequest sent: waiting for the client's Certificate (RFC
 * 8446 §4.4.2; "The client MUST send a Certificate message if and only if the server has
 * requested client authentication via a CertificateRequest message"), under the client
 * handshake traffic key.
 */
export class ExpectCertificate<Next extends Cleanable> {
  readonly kind = 'ExpectCertificate';
  constructor(
    private readonly ctx: StateContext,
    private readonly auth: ClientAuthConfig,
    private readonly transcript: Transcript,
    private readonly next: AwaitsClientAuth<Next>,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message) for anything but a
   *   Certificate; its decode errors; ClientCertificateContextMismatch (illegal_parameter) for a
   *   certificate_request_context that is not our empty one; UnrequestedCertificateExtension
   *   (unsupported_extension) for any CertificateEntry extension (we request none); the errors of
   *   `processClientCertificate` (certificate_required, the verdict's alert, decode_error,
   *   unsupported_certificate).
   */
  handle(msg: HandshakeMessage): Next | ExpectCertificateVerify<Next> {
    expect(msg, HandshakeType.certificate, this.kind);
    const cert = readCertificate13(msg.body);
    // RFC 8446 §4.4.2: the context of the CertificateRequest answered; ours is empty.
    if (cert.requestContext.length !== 0) throw new TlsError('ClientCertificateContextMismatch', 'client Certificate with a certificate_request_context we did not send');
    // RFC 8446 §4.4.2: "The extensions in the Certificate message from the client MUST correspond
    // to extensions in the CertificateRequest message from the server." We request none there.
    for (const e of cert.entries) {
      if (e.extensions.length > 0) throw new TlsError('UnrequestedCertificateExtension', `client CertificateEntry extension ${e.extensions[0]!.type}, which our CertificateRequest did not ask for`);
    }
    const { auth, leafKey } = processClientCertificate(
      this.auth,
      cert.entries.map((e) => e.certData),
      'ClientCertificateRequired',
    );
    this.transcript.add(msg.raw);
    const next = this.next.withClientAuth(auth);
    return leafKey === undefined ? next : new ExpectCertificateVerify(this.ctx.config.provider, this.transcript, leafKey, next);
  }

  /** Best-effort wipe of the secrets the next state holds. */
  clean(): void {
    this.next.clean();
  }
}

/**
 * The client sent a chain: waiting for its CertificateVerify (RFC 8446 §4.4.3: "Clients MUST send
 * this message whenever authenticating via a certificate (i.e., when the Certificate message is
 * non-empty)"), the proof that it holds the leaf's private key.
 */
export class ExpectCertificateVerify<Next extends Cleanable> {
  readonly kind = 'ExpectCertificateVerify';
  constructor(
    private readonly provider: CryptoProvider,
    private readonly transcript: Transcript,
    private readonly leafKey: PublicKey,
    private readonly next: Next,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message); decode errors; the errors
   *   of `checkClientSignature` (illegal_parameter for a scheme we did not offer or that does not
   *   fit the key, decrypt_error for a signature that does not verify).
   */
  handle(msg: HandshakeMessage): Next {
    expect(msg, HandshakeType.certificate_verify, this.kind);
    const cv = readCertificateVerify(msg.body);
    // RFC 8446 §4.4.3: the signature covers "Transcript-Hash(Handshake Context, Certificate)"
    // under the context string "TLS 1.3, client CertificateVerify".
    checkClientSignature(this.provider, 'tls13', this.leafKey, cv, certificateVerifyContent(false, this.transcript.current()));
    this.transcript.add(msg.raw);
    return this.next;
  }

  /** Best-effort wipe of the secrets the next state holds. */
  clean(): void {
    this.next.clean();
  }
}
