/**
 * What the handshake needs to ask for and check a client certificate (RFC 8446 §4.3.2, §4.4.2;
 * RFC 5246 §7.4.4, §7.4.6). The handshake owns the protocol — the CertificateRequest, the
 * client's Certificate and CertificateVerify, the proof of possession — and nothing of X.509
 * policy: whether a chain is trusted is the injected {@link ClientAuthConfig.verifyChain}'s
 * answer (the server's context verifies against its `ca` at its clock).
 */
import type { Certificate, CertificateAlert } from '@puretls/crypto';

/**
 * The verifier's verdict on the chain a client sent: a value the handshake carries into
 * `NegotiatedInfo.clientAuth` and into the sessions it makes (a resumed connection reports the
 * original handshake's verdict, as OpenSSL keeps `verify_result` in the session).
 */
export interface ClientChainVerdict {
  /** The chain verified (Node's `authorized`). */
  readonly authorized: boolean;
  /** Why not, when not authorized: a stable code (Node's `authorizationError`, e.g. `CERT_HAS_EXPIRED`). */
  readonly error?: string;
  /** A human-readable explanation for the error message (e.g. `certificate has expired at depth 0`). */
  readonly message?: string;
  /**
   * The alert that aborts the handshake under `rejectUnauthorized` (RFC 8446 §6.2): the one for
   * the first verification error, as OpenSSL sends it. Ignored when authorized; absent: bad_certificate.
   */
  readonly alert?: CertificateAlert;
}

/** Client certificate authentication; `HandshakeConfig.clientAuth` absent: no CertificateRequest is sent. */
export interface ClientAuthConfig {
  /**
   * Abort the handshake when the client sends no certificate (RFC 8446 §4.4.2.4 certificate_required,
   * RFC 5246 §7.4.6 handshake_failure) or one the verifier does not authorize (the verdict's
   * alert). `false`: such a client connects unauthenticated, and the verdict says why. Node's
   * `rejectUnauthorized` (OpenSSL `SSL_VERIFY_FAIL_IF_NO_PEER_CERT` plus a failing verify callback).
   */
  readonly rejectUnauthorized: boolean;
  /**
   * DER distinguished names sent in certificate_authorities (RFC 8446 §4.2.4) / the TLS 1.2
   * CertificateRequest's certificate_authorities (RFC 5246 §7.4.4): the subjects of the trusted CA
   * certificates, so a client can pick a certificate they issued. Empty: none sent. At most
   * {@link MAX_CA_NAMES_LENGTH} bytes in all (the server's context checks it).
   */
  readonly certificateAuthorities: readonly Uint8Array[];
  /**
   * Decides whether the chain the client sent (parsed, leaf first, as received; empty when it sent
   * none) is trusted. Called once per full handshake, after the Certificate message decoded and
   * before its CertificateVerify. Must not throw for anything in the certificates.
   */
  readonly verifyChain: (chain: readonly Certificate[]) => ClientChainVerdict;
}

/**
 * Bytes the CA names may take in all, each counted with its 2-byte length. The TLS 1.2
 * `certificate_authorities<0..2^16-1>` (RFC 5246 §7.4.4) holds 65,535; in TLS 1.3 the names share
 * the CertificateRequest's `extensions<2..2^16-1>` (RFC 8446 §4.3.2) with signature_algorithms,
 * signature_algorithms_cert and four extension headers: 512 bytes are left for those.
 */
export const MAX_CA_NAMES_LENGTH = 0xffff - 512;
