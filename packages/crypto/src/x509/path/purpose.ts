/**
 * Certificate purposes, as OpenSSL's `sslclient` / `sslserver` purposes check them
 * (`X509_check_purpose`, `v3_purp.c`) for every certificate of the chain:
 *
 * - extendedKeyUsage, when present, must list the purpose (RFC 5280 §4.2.1.12: "the
 *   certificate MUST only be used for one of the purposes indicated"). OpenSSL applies this to
 *   CA certificates as well, and does not let anyExtendedKeyUsage stand in for the purpose (RFC
 *   5280 allows refusing it: "Applications that require the presence of a particular purpose MAY
 *   reject certificates that include the anyExtendedKeyUsage OID but not the particular OID").
 * - A CA must be a CA (`check_ssl_ca`), and a Netscape certificate type, when it is what made it
 *   a CA, must include the SSL CA type.
 * - A leaf's keyUsage, when present, must allow the key's use in the handshake, and a Netscape
 *   certificate type, when present, must include the SSL client (or server) type.
 *
 * One deliberate difference: for `clientAuth`, OpenSSL also accepts a leaf whose keyUsage has
 * keyAgreement but not digitalSignature (fixed-(EC)DH client certificates of TLS 1.2, which
 * puretls does not offer). A client proves possession with a CertificateVerify signature
 * (RFC 8446 §4.4.3, RFC 5246 §7.4.8), which RFC 5280 §4.2.1.3 ties to digitalSignature, so
 * puretls requires it.
 */
import { Oid } from '../../asn1/oids';
import type { Certificate } from '../certificate';
import { KeyUsage, NsCertType } from '../extensions';
import { caKind, keyUsageRejects } from './issuer';

/** The purpose a chain is verified for (RFC 5280 §4.2.1.12 key purposes). */
export type CertificatePurpose = 'clientAuth' | 'serverAuth';

/** `xku_reject`: extendedKeyUsage is present and lists none of `oids`. */
function ekuRejects(cert: Certificate, oids: readonly string[]): boolean {
  return cert.extKeyUsage !== undefined && !cert.extKeyUsage.some((o) => oids.includes(o));
}

/** `ns_reject`: a Netscape certificate type is present without `bit`. */
function nsRejects(cert: Certificate, bit: number): boolean {
  return cert.nsCertType !== undefined && (cert.nsCertType & bit) === 0;
}

/** `check_ssl_ca`: a CA, and an SSL CA when only a Netscape type made it one. */
function isSslCa(cert: Certificate): boolean {
  const kind = caKind(cert);
  if (kind === 0) return false;
  return kind !== 5 || (cert.nsCertType! & NsCertType.sslCa) !== 0;
}

/**
 * Whether `cert` may serve `purpose` at its place in the chain (`asCa`: as an issuer, i.e. any
 * certificate above the leaf).
 */
export function purposeAllows(cert: Certificate, purpose: CertificatePurpose, asCa: boolean): boolean {
  if (purpose === 'clientAuth') {
    if (ekuRejects(cert, [Oid.clientAuth])) return false;
    if (asCa) return isSslCa(cert);
    if (keyUsageRejects(cert, KeyUsage.digitalSignature)) return false;
    return !nsRejects(cert, NsCertType.sslClient);
  }
  // Server gated crypto OIDs count as serverAuth (OpenSSL's XKU_SGC).
  if (ekuRejects(cert, [Oid.serverAuth, Oid.nsSgc, Oid.msSgc])) return false;
  if (asCa) return isSslCa(cert);
  if (nsRejects(cert, NsCertType.sslServer)) return false;
  return !keyUsageRejects(cert, KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement);
}
