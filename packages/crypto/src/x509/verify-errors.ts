/**
 * Certificate verification errors as OpenSSL 3.0 numbers and words them (`X509_V_ERR_*`,
 * `X509_verify_cert_error_string`), the code Node's `tls` reports for each
 * (`authorizationError` / `err.code`: Node's `X509ErrorCode` knows 28 of them and says
 * `UNSPECIFIED` for the rest), and the TLS alert a server sends for each (RFC 8446 §6.2, as
 * OpenSSL's `ssl_x509err2alert` chooses: anything it does not list is `certificate_unknown`).
 */

/** TLS alert names (RFC 8446 §6.2) a certificate verification failure can produce. */
export type CertificateAlert =
  | 'bad_certificate'
  | 'unsupported_certificate'
  | 'certificate_revoked'
  | 'certificate_expired'
  | 'certificate_unknown'
  | 'unknown_ca'
  | 'decrypt_error'
  | 'internal_error';

interface ErrorInfo {
  readonly number: number;
  readonly message: string;
  readonly alert: CertificateAlert;
}

const TABLE = {
  UNSPECIFIED: { number: 1, message: 'unspecified certificate verification error', alert: 'internal_error' },
  UNABLE_TO_GET_ISSUER_CERT: { number: 2, message: 'unable to get issuer certificate', alert: 'unknown_ca' },
  CERT_SIGNATURE_FAILURE: { number: 7, message: 'certificate signature failure', alert: 'decrypt_error' },
  CERT_NOT_YET_VALID: { number: 9, message: 'certificate is not yet valid', alert: 'bad_certificate' },
  CERT_HAS_EXPIRED: { number: 10, message: 'certificate has expired', alert: 'certificate_expired' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { number: 18, message: 'self-signed certificate', alert: 'unknown_ca' },
  SELF_SIGNED_CERT_IN_CHAIN: { number: 19, message: 'self-signed certificate in certificate chain', alert: 'unknown_ca' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { number: 20, message: 'unable to get local issuer certificate', alert: 'unknown_ca' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { number: 21, message: 'unable to verify the first certificate', alert: 'unknown_ca' },
  CERT_CHAIN_TOO_LONG: { number: 22, message: 'certificate chain too long', alert: 'unknown_ca' },
  PATH_LENGTH_EXCEEDED: { number: 25, message: 'path length constraint exceeded', alert: 'unknown_ca' },
  INVALID_PURPOSE: { number: 26, message: 'unsuitable certificate purpose', alert: 'unsupported_certificate' },
  CERT_UNTRUSTED: { number: 27, message: 'certificate not trusted', alert: 'bad_certificate' },
  KEYUSAGE_NO_CERTSIGN: { number: 32, message: 'key usage does not include certificate signing', alert: 'certificate_unknown' },
  UNHANDLED_CRITICAL_EXTENSION: { number: 34, message: 'unhandled critical extension', alert: 'certificate_unknown' },
  PROXY_CERTIFICATES_NOT_ALLOWED: { number: 40, message: 'proxy certificates not allowed, please set the appropriate flag', alert: 'certificate_unknown' },
  PERMITTED_VIOLATION: { number: 47, message: 'permitted subtree violation', alert: 'certificate_unknown' },
  EXCLUDED_VIOLATION: { number: 48, message: 'excluded subtree violation', alert: 'certificate_unknown' },
  SUBTREE_MINMAX: { number: 49, message: 'name constraints minimum and maximum not supported', alert: 'certificate_unknown' },
  UNSUPPORTED_CONSTRAINT_TYPE: { number: 51, message: 'unsupported name constraint type', alert: 'certificate_unknown' },
  UNSUPPORTED_CONSTRAINT_SYNTAX: { number: 52, message: 'unsupported or invalid name constraint syntax', alert: 'certificate_unknown' },
  UNSUPPORTED_NAME_SYNTAX: { number: 53, message: 'unsupported or invalid name syntax', alert: 'certificate_unknown' },
  CA_MD_TOO_WEAK: { number: 68, message: 'CA signature digest algorithm too weak', alert: 'bad_certificate' },
  INVALID_CA: { number: 79, message: 'invalid CA certificate', alert: 'unknown_ca' },
} as const satisfies Record<string, ErrorInfo>;

/** The OpenSSL verification errors puretls reports, by `X509_V_ERR_` suffix. */
export type X509VerifyErrorName = keyof typeof TABLE;

/** The codes Node's `X509ErrorCode` maps (`src/crypto/crypto_common.cc`); everything else is `UNSPECIFIED`. */
const NODE_CODES = new Set<string>([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** What Node reports for a verification error: its own name, or `'UNSPECIFIED'` for the ones Node does not map. */
export type NodeVerifyCode = X509VerifyErrorName | 'UNSPECIFIED';

/**
 * One verification error, as OpenSSL's verify callback sees it: what, at which depth (0 = the
 * peer's certificate), and what Node and a TLS server make of it.
 */
export interface CertificateVerifyError {
  /** OpenSSL's name without `X509_V_ERR_` (`PERMITTED_VIOLATION`). */
  readonly name: X509VerifyErrorName;
  /** OpenSSL's number (`openssl verify` prints `error 47 at 0 depth lookup`). */
  readonly number: number;
  /** `X509_verify_cert_error_string`, which is also Node's `err.message`. */
  readonly message: string;
  /** What Node's `tls` puts in `authorizationError` / `err.code`. */
  readonly code: NodeVerifyCode;
  /** The alert to send (RFC 8446 §6.2; OpenSSL's choice of alert for this error). */
  readonly alert: CertificateAlert;
  /** Chain position of the certificate at fault (0 = leaf). */
  readonly depth: number;
}

/** The error record for `name` at `depth`. */
export function verifyError(name: X509VerifyErrorName, depth: number): CertificateVerifyError {
  const info: ErrorInfo = TABLE[name];
  return Object.freeze({
    name,
    number: info.number,
    message: info.message,
    code: NODE_CODES.has(name) ? name : 'UNSPECIFIED',
    alert: info.alert,
    depth,
  });
}

/**
 * What Node's server reports when the client sent no certificate at all (Node's
 * `VerifyPeerCertificate` default: "questionable but compatible with what was here before"),
 * except after TLS 1.3 resumption or a PSK handshake, where Node reports success.
 */
export const NO_PEER_CERTIFICATE_CODE = 'UNABLE_TO_GET_ISSUER_CERT';
