/**
 * X.509 certificate parsing (RFC 5280 §4.1): the subject public key (to match the private key
 * and know the signature schemes), the names (to choose a certificate by SNI, and for Node's
 * certificate object), the validity period, the extensions path validation reads
 * (`./extensions`), the signature algorithm, and the raw pieces. Strict DER.
 */
import { DerReader, Tag } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { KeyError } from '../errors';
import { publicKeyOf, publicKeysEqual, readSpki } from '../keys/parse';
import type { PrivateKey, PublicKey } from '../keys/types';
import { decodePem, looksLikePem, pemTextOf } from '../pem';
import { readExtensions, type ParsedExtensions } from './extensions';
import { attributeText, nameAttributes, readName, type X509Name } from './name';
import { readSignatureAlgorithm, type CertificateSignatureInfo } from './signature-algorithm';

/** A parsed certificate. Byte fields are views into `der`; the object is frozen. */
export interface Certificate extends ParsedExtensions {
  /** The whole certificate, DER (what goes into the TLS Certificate message). */
  readonly der: Uint8Array;
  /** `tbsCertificate`, DER (the signed part). */
  readonly tbs: Uint8Array;
  /** X.509 version: 1, 2 or 3. */
  readonly version: number;
  /** `serialNumber` content octets (as encoded, sign octet included). */
  readonly serialNumber: Uint8Array;
  /** `issuer` Name, DER. */
  readonly issuer: Uint8Array;
  /** `subject` Name, DER. */
  readonly subject: Uint8Array;
  /** `issuer` Name, parsed. */
  readonly issuerName: X509Name;
  /** `subject` Name, parsed. */
  readonly subjectName: X509Name;
  /** The last commonName of the subject, if any (and if it is a string). */
  readonly subjectCommonName?: string;
  /** subjectAltName dNSName entries, as written, one character per byte (lower-case them to compare). */
  readonly dnsNames: readonly string[];
  /** subjectAltName iPAddress entries of 4 or 16 bytes, as text (`192.0.2.1`, `2001:db8:0:0:0:0:0:1`). */
  readonly ipAddresses: readonly string[];
  /** Start of validity, milliseconds since the Unix epoch. */
  readonly notBefore: number;
  /** End of validity, milliseconds since the Unix epoch (see {@link verifyCertificateChain} for the boundary). */
  readonly notAfter: number;
  /** `subjectPublicKeyInfo`, DER. */
  readonly spki: Uint8Array;
  readonly publicKey: PublicKey;
  /** `signatureAlgorithm` OID, dotted (e.g. `1.2.840.10045.4.3.2` for ecdsa-with-SHA256). */
  readonly signatureAlgorithmOid: string;
  /** What `signatureAlgorithm` means: key type, weakness, verification parameters. */
  readonly signatureInfo: CertificateSignatureInfo;
  /** `signatureValue` bytes. */
  readonly signature: Uint8Array;
  /** Whether basicConstraints says cA = TRUE. */
  readonly isCa: boolean;
}

/**
 * The certificates of a chain, leaf first: PEM text (string or bytes) with one or more
 * `CERTIFICATE` blocks (other blocks, e.g. a private key in the same file, are skipped), or DER
 * (one certificate, or several concatenated).
 * @throws KeyError with reason `NoCertificate` (empty input, or PEM without CERTIFICATE blocks),
 *   `NotPem` (text that is not PEM), `MalformedDer` (invalid DER or base64, inner and outer
 *   signature algorithms that differ, duplicate extensions), `UnsupportedAlgorithm` /
 *   `UnsupportedCurve` / `InvalidKey` / `WeakKey` for a subject key puretls cannot use (in any
 *   certificate of the chain).
 */
export function parseCertificateChain(input: string | Uint8Array): Certificate[] {
  const text = pemTextOf(input);
  if (text !== undefined && text.trim() === '') throw new KeyError('NoCertificate', 'empty certificate chain');
  const ders: Uint8Array[] = [];
  if (text === undefined) {
    const r = new DerReader(input as Uint8Array, 'certificate chain');
    while (!r.done) ders.push(r.element(Tag.SEQUENCE, 'Certificate').raw);
  } else {
    if (!looksLikePem(text)) throw new KeyError('NotPem', 'certificate input is neither PEM text nor DER');
    for (const block of decodePem(text)) if (block.label === 'CERTIFICATE') ders.push(block.der);
  }
  if (ders.length === 0) throw new KeyError('NoCertificate', 'no CERTIFICATE in the input');
  return ders.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      if (e instanceof KeyError && i > 0) throw new KeyError(e.reason, `certificate ${i} of the chain: ${e.message}`, { cause: e });
      throw e;
    }
  });
}

// RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, serialNumber, signature,
//   issuer, validity, subject, subjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT OPTIONAL,
//   subjectUniqueID [2] IMPLICIT OPTIONAL, extensions [3] EXPLICIT Extensions OPTIONAL }
/**
 * One DER certificate.
 * @throws KeyError as {@link parseCertificateChain}.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const outer = new DerReader(der, 'Certificate');
  const certEl = outer.element(Tag.SEQUENCE, 'Certificate');
  outer.end();
  const cert = new DerReader(certEl.content, 'Certificate');
  const tbsEl = cert.element(Tag.SEQUENCE, 'tbsCertificate');
  const sigAlgEl = cert.element(Tag.SEQUENCE, 'signatureAlgorithm');
  const signature = cert.bitStringOctets('signatureValue');
  cert.end();

  const tbs = new DerReader(tbsEl.content, 'tbsCertificate');
  let version = 1;
  const versionEl = tbs.optional(0xa0);
  if (versionEl) {
    const vr = new DerReader(versionEl.content, 'version');
    const v = vr.smallUint('version');
    vr.end();
    if (v > 2) throw new KeyError('MalformedDer', `certificate version field ${v}`);
    version = v + 1;
  }
  const serialEl = tbs.element(Tag.INTEGER, 'serialNumber');
  if (serialEl.content.length === 0) throw new KeyError('MalformedDer', 'empty serialNumber');
  const innerSigAlg = tbs.element(Tag.SEQUENCE, 'signature');
  // RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
  // signature field in the sequence tbsCertificate".
  if (!sameBytes(innerSigAlg.raw, sigAlgEl.raw)) throw new KeyError('MalformedDer', 'tbsCertificate.signature differs from signatureAlgorithm');
  const signatureAlgorithmOid = new DerReader(sigAlgEl.content, 'signatureAlgorithm').oid('algorithm');
  const issuer = tbs.element(Tag.SEQUENCE, 'issuer');
  const issuerName = readName(issuer);
  const validity = tbs.sequence('validity');
  const notBefore = readTime(validity, 'notBefore');
  const notAfter = readTime(validity, 'notAfter');
  validity.end();
  const subject = tbs.element(Tag.SEQUENCE, 'subject');
  const subjectName = readName(subject);
  const spkiEl = tbs.element(Tag.SEQUENCE, 'subjectPublicKeyInfo');
  const publicKey = readSpki(new DerReader(spkiEl.content, 'subjectPublicKeyInfo'));
  if (tbs.optional(0x81) && version < 2) throw new KeyError('MalformedDer', 'issuerUniqueID in a v1 certificate');
  if (tbs.optional(0x82) && version < 2) throw new KeyError('MalformedDer', 'subjectUniqueID in a v1 certificate');
  const extsEl = tbs.optional(0xa3);
  tbs.end();
  let extensions: ParsedExtensions = { extensions: [] };
  if (extsEl) {
    if (version !== 3) throw new KeyError('MalformedDer', 'extensions in a certificate that is not v3');
    extensions = readExtensions(extsEl.content);
  }
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const gn of extensions.subjectAltNames ?? []) {
    if (gn.kind === 'dNSName') dnsNames.push(gn.text);
    else if (gn.kind === 'iPAddress' && (gn.bytes.length === 4 || gn.bytes.length === 16)) ipAddresses.push(formatIp(gn.bytes));
  }
  let subjectCommonName: string | undefined;
  for (const a of nameAttributes(subjectName)) if (a.type === Oid.commonName) subjectCommonName = attributeText(a) ?? subjectCommonName;
  return Object.freeze({
    ...extensions,
    der,
    tbs: tbsEl.raw,
    version,
    serialNumber: serialEl.content,
    issuer: issuer.raw,
    subject: subject.raw,
    issuerName,
    subjectName,
    ...(subjectCommonName !== undefined ? { subjectCommonName } : {}),
    dnsNames: Object.freeze(dnsNames),
    ipAddresses: Object.freeze(ipAddresses),
    notBefore,
    notAfter,
    spki: spkiEl.raw,
    publicKey,
    signatureAlgorithmOid,
    signatureInfo: readSignatureAlgorithm(sigAlgEl.content),
    signature,
    isCa: extensions.basicConstraints?.ca ?? false,
  });
}

/**
 * Checks that `key` is the private half of `cert`'s subject key.
 * @throws KeyError('KeyCertificateMismatch') when `cert`'s subject key is not the public half of
 *   `key` (a server must not start with a certificate it cannot sign for).
 */
export function checkKeyMatchesCertificate(key: PrivateKey, cert: Certificate): void {
  if (!publicKeysEqual(publicKeyOf(key), cert.publicKey)) {
    throw new KeyError('KeyCertificateMismatch', `the private key (${key.kind}) does not match the certificate's public key (${cert.publicKey.kind})`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime } (RFC 5280 §4.1.2.5.1/.2):
 * `YYMMDDHHMMSSZ` (YY < 50 → 20YY) or `YYYYMMDDHHMMSSZ`, seconds present, no fractions, Zulu.
 */
function readTime(r: DerReader, what: string): number {
  const el = r.any();
  const s = String.fromCharCode(...el.content);
  let m: RegExpExecArray | null;
  let year: number;
  if (el.tag === Tag.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (el.tag === Tag.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    year = Number(m[1]);
  } else {
    throw new KeyError('MalformedDer', `invalid ${what} time ${JSON.stringify(s)}`);
  }
  const [mo, d, h, mi, se] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  const t = Date.UTC(year, mo! - 1, d!, h!, mi!, se!);
  const back = new Date(t);
  if (mo! < 1 || mo! > 12 || back.getUTCDate() !== d || back.getUTCHours() !== h || h! > 23 || mi! > 59 || se! > 59) {
    throw new KeyError('MalformedDer', `invalid ${what} time ${JSON.stringify(s)}`);
  }
  return t;
}

/** 4 or 16 bytes as dotted IPv4 or eight lower-case hex groups (no zero compression). */
function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return parts.join(':');
  }
  throw new RangeError(`formatIp: ${b.length} bytes`);
}
