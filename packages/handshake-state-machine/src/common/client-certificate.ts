/**
 * Client certificate authentication, the steps both versions share (RFC 8446 §4.4.2–§4.4.3,
 * RFC 5246 §7.4.6, §7.4.8): which signature schemes we ask for, reading the chain the client
 * sent, applying the verifier's verdict, and checking the CertificateVerify signature. The states
 * that call these are `tls13/client-auth13.ts` and `tls12/client-auth12.ts`.
 */
import {
  SignatureScheme,
  isKeyError,
  keyCanUseScheme,
  parseCertificate,
  signatureSchemeInfo,
  type Certificate as X509Certificate,
  type CertificateAlert,
  type CryptoProvider,
  type PublicKey,
} from '@puretls/crypto';
import { TlsError, type Reason } from '@puretls/record-layer';
import type { ClientAuthConfig, ClientChainVerdict } from '../client-auth-config';
import type { ClientAuthentication } from '../io';
import type { CertificateVerify } from '../msgs/certificate-verify';
import type { SessionState } from './session-state';

/**
 * The schemes we accept in a TLS 1.3 client CertificateVerify, our preference first: what both
 * providers verify, without RSA PKCS#1 v1.5 (RFC 8446 §4.2.3: "MUST NOT be offered … for
 * CertificateVerify"). Sent as the CertificateRequest's signature_algorithms (RFC 8446 §4.3.2).
 */
export const CLIENT_SIGNATURE_SCHEMES13: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
];

/**
 * The schemes we accept in a TLS 1.2 client CertificateVerify (RFC 5246 §7.4.4
 * supported_signature_algorithms), and in TLS 1.3 the certificate signatures we verify (sent as
 * signature_algorithms_cert, RFC 8446 §4.2.3, since it differs from signature_algorithms): the
 * TLS 1.3 list plus RSA PKCS#1 v1.5 with SHA-256/384/512.
 */
export const CLIENT_SIGNATURE_SCHEMES12: readonly number[] = [
  ...CLIENT_SIGNATURE_SCHEMES13,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** What a client's Certificate message amounted to: the outcome, and the key its CertificateVerify must prove. */
export interface ClientCertificate {
  readonly auth: ClientAuthentication;
  /** The leaf's public key, when the client sent a chain (then a CertificateVerify must follow). */
  readonly leafKey: PublicKey | undefined;
}

/** The reason a verdict's alert aborts with (RFC 8446 §6.2 names; one reason per alert, in `alerts.ts`). */
const VERDICT_REASON: Readonly<Record<CertificateAlert, Reason>> = {
  bad_certificate: 'ClientCertificateBad',
  unsupported_certificate: 'ClientCertificateUnsupported',
  certificate_revoked: 'ClientCertificateRevoked',
  certificate_expired: 'ClientCertificateExpired',
  certificate_unknown: 'ClientCertificateUnknown',
  unknown_ca: 'ClientCertificateUnknownCa',
  decrypt_error: 'ClientCertificateBadSignature',
  internal_error: 'ClientCertificateUnverifiable',
};

/**
 * Reads the chain the client sent (DER, leaf first, as received), asks the configured verifier
 * about it and applies `rejectUnauthorized`. The DER is copied: it outlives the message.
 * @throws TlsError MalformedClientCertificate (decode_error) for a certificate that is not DER;
 *   ClientCertificateUnsupported (unsupported_certificate) for one whose key we cannot use;
 *   under `rejectUnauthorized`: `noCertificate` (certificate_required in TLS 1.3, handshake_failure
 *   in TLS 1.2) for an empty chain, and the reason of the verdict's alert for a chain it does not authorize.
 */
export function processClientCertificate(auth: ClientAuthConfig, ders: readonly Uint8Array[], noCertificate: Extract<Reason, 'ClientCertificateRequired' | 'NoClientCertificate'>): ClientCertificate {
  if (ders.length === 0 && auth.rejectUnauthorized) {
    throw new TlsError(noCertificate, 'the client sent no certificate, and this server requires one');
  }
  const chain: X509Certificate[] = ders.map((der, i) => parseClientCertificate(der.slice(), i));
  const verdict = auth.verifyChain(chain);
  if (!verdict.authorized && auth.rejectUnauthorized) {
    // An empty chain was refused above; here the verifier refused a chain.
    const what = verdict.message ?? verdict.error ?? 'not authorized';
    throw new TlsError(VERDICT_REASON[verdict.alert ?? 'bad_certificate'], `client certificate: ${what}${verdict.error ? ` (${verdict.error})` : ''}`);
  }
  return {
    auth: Object.freeze({
      peerCertificates: Object.freeze(chain.map((c) => c.der)),
      authorized: verdict.authorized,
      error: verdict.authorized ? undefined : verdictError(verdict),
    }),
    leafKey: chain[0]?.publicKey,
  };
}

function verdictError(v: ClientChainVerdict): string {
  return v.error ?? 'UNSPECIFIED';
}

/**
 * One certificate of the client's chain. OpenSSL refuses a certificate that does not decode with
 * decode_error (d2i_X509); one whose key puretls cannot use (another algorithm or curve) is
 * refused too, so that no chain is half-read (RFC 8446 §6.2 unsupported_certificate).
 */
function parseClientCertificate(der: Uint8Array, index: number): X509Certificate {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (!isKeyError(e)) throw e;
    const reason: Reason = e.reason === 'MalformedDer' ? 'MalformedClientCertificate' : 'ClientCertificateUnsupported';
    throw new TlsError(reason, `client certificate ${index}: ${e.message}`, { cause: e });
  }
}

/**
 * Checks a client CertificateVerify (RFC 8446 §4.4.3 / RFC 5246 §7.4.8): its algorithm is one we
 * offered, it fits the leaf's key, and the signature over `content` verifies. TLS 1.3 binds an
 * ECDSA scheme to its curve (RFC 8446 §4.2.3); in TLS 1.2 an ECDSA code names only the hash
 * (RFC 5246 §7.4.1.4.1: `SignatureAndHashAlgorithm`), so any of our curves may sign with it.
 * @throws TlsError CertificateVerifySchemeNotOffered / CertificateVerifySchemeKeyMismatch
 *   (illegal_parameter); BadCertificateVerify (decrypt_error).
 */
export function checkClientSignature(p: CryptoProvider, version: 'tls12' | 'tls13', key: PublicKey, cv: CertificateVerify, content: Uint8Array): void {
  const offered = version === 'tls13' ? CLIENT_SIGNATURE_SCHEMES13 : CLIENT_SIGNATURE_SCHEMES12;
  if (!offered.includes(cv.algorithm)) {
    throw new TlsError('CertificateVerifySchemeNotOffered', `client CertificateVerify with scheme 0x${cv.algorithm.toString(16).padStart(4, '0')}, which our CertificateRequest did not offer`);
  }
  const info = signatureSchemeInfo(cv.algorithm)!;
  const anyCurve = version === 'tls12' && info.kind === 'ecdsa';
  if (anyCurve ? key.kind !== 'ec' : !keyCanUseScheme(key, cv.algorithm)) {
    throw new TlsError('CertificateVerifySchemeKeyMismatch', `client CertificateVerify scheme 0x${cv.algorithm.toString(16).padStart(4, '0')} does not fit the certificate's ${key.kind} key`);
  }
  const ok = anyCurve
    ? p.verifyX509Signature(key, { kind: 'ecdsa', hash: info.hash }, content, cv.signature)
    : p.verify(key, cv.algorithm as SignatureScheme, content, cv.signature);
  if (!ok) throw new TlsError('BadCertificateVerify', 'the client CertificateVerify signature does not verify with its certificate');
}

/** What a session keeps of the client's authentication (`encodeSessionState`). */
export function sessionClientAuth(auth: ClientAuthentication | undefined): Pick<SessionState, 'peerCertificates' | 'peerVerification'> {
  if (auth === undefined) return { peerCertificates: [] };
  return { peerCertificates: auth.peerCertificates, peerVerification: { authorized: auth.authorized, error: auth.error } };
}

/**
 * The client authentication a resumed session brings back: its chain and the original verdict
 * (OpenSSL keeps `verify_result` and the peer chain in the session; nothing is verified again).
 * The chain is copied: the state is the store's.
 */
export function resumedClientAuth(state: SessionState): ClientAuthentication | undefined {
  const v = state.peerVerification;
  if (v === undefined) return undefined;
  return Object.freeze({ peerCertificates: Object.freeze(state.peerCertificates.map((c) => c.slice())), authorized: v.authorized, error: v.error });
}
