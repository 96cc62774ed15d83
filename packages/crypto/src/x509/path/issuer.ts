/**
 * Who issued whom, the way OpenSSL 3.0 decides it while building a chain (and Node's
 * `getPeerCertificate(true)` while linking `issuerCertificate`s): the issuer's subject equals the
 * subject's issuer (canonical comparison), the authorityKeyIdentifier does not contradict the
 * issuer, and the signature algorithm fits the issuer's key type. Signatures are checked later,
 * once a chain is chosen.
 */
import { equalConstantTime } from '../../bytes';
import { KeyUsage, NsCertType } from '../extensions';
import type { Certificate } from '../certificate';
import { namesEqual } from '../name';

/** `EXFLAG_SI`: subject and issuer names are equal. */
export function isSelfIssued(cert: Certificate): boolean {
  return namesEqual(cert.subjectName, cert.issuerName);
}

/**
 * `EXFLAG_SS` (`X509_self_signed(cert, 0)`): self-issued, its authorityKeyIdentifier matches its
 * own key identifier and serial, and its signature algorithm fits its own key. The signature
 * itself is not checked (nor does OpenSSL check it).
 */
export function isSelfSigned(cert: Certificate): boolean {
  return isSelfIssued(cert) && akidMatches(cert, cert) && signatureAlgorithmFits(cert, cert);
}

/**
 * `ossl_x509_likely_issued(issuer, subject)`: names, authorityKeyIdentifier
 * (RFC 5280 §4.2.1.1) and signature algorithm against key type.
 */
export function likelyIssued(issuer: Certificate, subject: Certificate): boolean {
  return namesEqual(issuer.subjectName, subject.issuerName) && akidMatches(issuer, subject) && signatureAlgorithmFits(issuer, subject);
}

/** `X509_check_akid`: each field the subject's AKID carries must match the issuer. */
function akidMatches(issuer: Certificate, subject: Certificate): boolean {
  const akid = subject.authorityKeyId;
  if (!akid) return true;
  if (akid.keyId && issuer.subjectKeyId && !equalConstantTime(akid.keyId, issuer.subjectKeyId)) return false;
  if (akid.serial && !sameInteger(akid.serial, issuer.serialNumber)) return false;
  const dir = akid.issuer?.find((g) => g.kind === 'directoryName');
  if (dir?.kind === 'directoryName' && !namesEqual(dir.name, issuer.issuerName)) return false;
  return true;
}

/** INTEGER contents compare equal (both minimal DER, so byte equality is value equality). */
function sameInteger(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalConstantTime(a, b);
}

/** `check_sig_alg_match`: the subject's signature algorithm is one the issuer's key type makes. */
function signatureAlgorithmFits(issuer: Certificate, subject: Certificate): boolean {
  return subject.signatureInfo.keyKind !== undefined && subject.signatureInfo.keyKind === issuer.publicKey.kind;
}

/** `ku_reject`: a keyUsage extension is present and has none of `bits`. */
export function keyUsageRejects(cert: Certificate, bits: number): boolean {
  return cert.keyUsage !== undefined && (cert.keyUsage & bits) === 0;
}

/**
 * `ossl_x509_signing_allowed`: RFC 5280 §4.2.1.3 "The keyCertSign bit is asserted when the
 * subject public key is used for verifying signatures on public key certificates".
 */
export function signingAllowed(issuer: Certificate): boolean {
  return !keyUsageRejects(issuer, KeyUsage.keyCertSign);
}

/**
 * OpenSSL's `check_ca` (`X509_check_ca`): 0 = not a CA; 1 = basicConstraints cA TRUE (and
 * keyCertSign if keyUsage is present); 3 = a self-signed v1 certificate (legacy root);
 * 4 = no basicConstraints but keyUsage with keyCertSign; 5 = no basicConstraints and no keyUsage
 * but a Netscape CA type. Intermediates must be 1 (OpenSSL: "X509_V_FLAG_X509_STRICT is implicit
 * for intermediate CAs"); a trust anchor may be any non-zero value.
 */
export function caKind(cert: Certificate): 0 | 1 | 3 | 4 | 5 {
  if (keyUsageRejects(cert, KeyUsage.keyCertSign)) return 0;
  if (cert.basicConstraints) return cert.basicConstraints.ca ? 1 : 0;
  if (cert.version === 1 && isSelfSigned(cert)) return 3;
  if (cert.keyUsage !== undefined) return 4;
  const anyCa = NsCertType.sslCa | NsCertType.smimeCa | NsCertType.objectSigningCa; // NS_ANY_CA
  if (cert.nsCertType !== undefined && (cert.nsCertType & anyCa) !== 0) return 5;
  return 0;
}

/** `X509_check_issued`: likely issued and, when keyUsage is present, keyCertSign. */
export function checkIssued(issuer: Certificate, subject: Certificate): boolean {
  return likelyIssued(issuer, subject) && signingAllowed(issuer);
}

/**
 * Whether `cert` is valid at `t` (milliseconds, already truncated to a whole second) as OpenSSL
 * compares (`X509_cmp_time` is `<=`): `notBefore <= t < notAfter`.
 */
export function validAt(cert: Certificate, t: number): boolean {
  return cert.notBefore <= t && cert.notAfter > t;
}

/** OpenSSL's verification time: the injected milliseconds truncated to the second (`time_t`). */
export function verificationSecond(now: number): number {
  return Math.floor(now / 1000) * 1000;
}

/**
 * OpenSSL's `get0_best_issuer_sk` / `X509_STORE_CTX_get1_issuer`: the first candidate that
 * likely issued `subject` and is valid at `t`, else the likely issuer that expires last.
 */
export function bestIssuer(candidates: readonly Certificate[], subject: Certificate, t: number, skip?: (c: Certificate) => boolean): Certificate | undefined {
  let best: Certificate | undefined;
  for (const c of candidates) {
    if (skip?.(c) || !likelyIssued(c, subject)) continue;
    if (validAt(c, t)) return c;
    if (best === undefined || c.notAfter > best.notAfter) best = c;
  }
  return best;
}
