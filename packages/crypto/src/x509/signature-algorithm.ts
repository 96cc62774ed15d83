/**
 * The `signatureAlgorithm` of a certificate (RFC 5280 §4.1.1.2): which algorithm, which key type
 * it needs (an issuer whose key is of another type cannot have signed it: OpenSSL's
 * `check_sig_alg_match`), whether OpenSSL's default security level refuses its digest (SHA-1 and
 * MD5: `CA_MD_TOO_WEAK`), and the parameters the providers verify with.
 */
import { DerReader, Tag } from '../asn1/der';
import { Oid } from '../asn1/oids';
import type { X509SignatureAlgorithm, X509SignatureHash } from '../signatures/x509-algorithm';

/** Key types a signature algorithm can name. */
export type SignatureKeyKind = 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'dsa';

/** A certificate's signature algorithm, interpreted ({@link readSignatureAlgorithm}). */
export interface CertificateSignatureInfo {
  /** OpenSSL's name of the algorithm (for messages), or the dotted OID. */
  readonly name: string;
  /** The key type the algorithm needs, `undefined` for an algorithm nobody here knows. */
  readonly keyKind: SignatureKeyKind | undefined;
  /** A digest below 80 bits of security (SHA-1, MD5), refused at OpenSSL's security level 1. */
  readonly weak: boolean;
  /** The parameters to verify with; `undefined` when puretls cannot verify this algorithm. */
  readonly verify?: X509SignatureAlgorithm;
}

const HASH_OIDS = new Map<string, X509SignatureHash | 'sha1' | 'md5'>([
  [Oid.sha1, 'sha1'],
  [Oid.md5, 'md5'],
  [Oid.sha224, 'sha224'],
  [Oid.sha256, 'sha256'],
  [Oid.sha384, 'sha384'],
  [Oid.sha512, 'sha512'],
]);

const RSA_PKCS1 = new Map<string, { name: string; hash: X509SignatureHash | 'sha1' | 'md5' }>([
  [Oid.md5WithRSAEncryption, { name: 'md5WithRSAEncryption', hash: 'md5' }],
  [Oid.sha1WithRSAEncryption, { name: 'sha1WithRSAEncryption', hash: 'sha1' }],
  [Oid.sha224WithRSAEncryption, { name: 'sha224WithRSAEncryption', hash: 'sha224' }],
  [Oid.sha256WithRSAEncryption, { name: 'sha256WithRSAEncryption', hash: 'sha256' }],
  [Oid.sha384WithRSAEncryption, { name: 'sha384WithRSAEncryption', hash: 'sha384' }],
  [Oid.sha512WithRSAEncryption, { name: 'sha512WithRSAEncryption', hash: 'sha512' }],
]);

const ECDSA = new Map<string, { name: string; hash: X509SignatureHash | 'sha1' }>([
  [Oid.ecdsaWithSha1, { name: 'ecdsa-with-SHA1', hash: 'sha1' }],
  [Oid.ecdsaWithSha224, { name: 'ecdsa-with-SHA224', hash: 'sha224' }],
  [Oid.ecdsaWithSha256, { name: 'ecdsa-with-SHA256', hash: 'sha256' }],
  [Oid.ecdsaWithSha384, { name: 'ecdsa-with-SHA384', hash: 'sha384' }],
  [Oid.ecdsaWithSha512, { name: 'ecdsa-with-SHA512', hash: 'sha512' }],
]);

const VERIFIABLE_HASHES = new Set<string>(['sha224', 'sha256', 'sha384', 'sha512'] satisfies X509SignatureHash[]);

function isWeak(hash: string): boolean {
  return hash === 'sha1' || hash === 'md5';
}

/**
 * Interprets a signature AlgorithmIdentifier (the `signatureAlgorithm` SEQUENCE content).
 * Never throws: malformed parameters make the algorithm unverifiable (`verify` undefined), and
 * verification then fails with `CERT_SIGNATURE_FAILURE`.
 */
export function readSignatureAlgorithm(content: Uint8Array): CertificateSignatureInfo {
  let oid: string;
  const r = new DerReader(content, 'signatureAlgorithm');
  try {
    oid = r.oid('algorithm');
  } catch {
    return { name: 'malformed', keyKind: undefined, weak: false };
  }
  const params = (): Uint8Array | undefined => (r.done ? undefined : r.any().raw);
  try {
    const pkcs1 = RSA_PKCS1.get(oid);
    if (pkcs1) {
      // RFC 4055 §5: "the parameters MUST be NULL"; absent parameters are accepted as well.
      if (!r.done) r.null('parameters');
      r.end();
      const weak = isWeak(pkcs1.hash);
      return weak
        ? { name: pkcs1.name, keyKind: 'rsa', weak }
        : { name: pkcs1.name, keyKind: 'rsa', weak, verify: { kind: 'rsa-pkcs1', hash: pkcs1.hash as X509SignatureHash } };
    }
    const ecdsa = ECDSA.get(oid);
    if (ecdsa) {
      const weak = isWeak(ecdsa.hash);
      // RFC 5758 §3.2: "the encoding MUST omit the parameters field".
      if (weak || !r.done) return { name: ecdsa.name, keyKind: 'ec', weak };
      return { name: ecdsa.name, keyKind: 'ec', weak, verify: { kind: 'ecdsa', hash: ecdsa.hash as X509SignatureHash } };
    }
    switch (oid) {
      case Oid.ed25519:
        // RFC 8410 §6: "the parameters MUST be absent".
        return r.done ? { name: 'ED25519', keyKind: 'ed25519', weak: false, verify: { kind: 'ed25519' } } : { name: 'ED25519', keyKind: 'ed25519', weak: false };
      case Oid.ed448:
        return { name: 'ED448', keyKind: 'ed448', weak: false };
      case Oid.rsassaPss:
        return readPssParams(params());
      case Oid.dsaWithSha1:
        return { name: 'dsaWithSHA1', keyKind: 'dsa', weak: true };
      case Oid.dsaWithSha256:
        return { name: 'dsa_with_SHA256', keyKind: 'dsa', weak: false };
      default:
        return { name: oid, keyKind: undefined, weak: false };
    }
  } catch {
    return { name: oid, keyKind: RSA_PKCS1.has(oid) || oid === Oid.rsassaPss ? 'rsa' : ECDSA.has(oid) ? 'ec' : undefined, weak: false };
  }
}

// RFC 4055 §3.1: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1,
//   maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1, saltLength [2] INTEGER DEFAULT 20,
//   trailerField [3] TrailerField DEFAULT trailerFieldBC }
function readPssParams(raw: Uint8Array | undefined): CertificateSignatureInfo {
  const name = 'RSASSA-PSS';
  const unverifiable = (weak: boolean): CertificateSignatureInfo => ({ name, keyKind: 'rsa', weak });
  if (raw === undefined) return unverifiable(true); // all defaults: SHA-1
  const outer = new DerReader(raw, 'RSASSA-PSS-params');
  const seq = outer.sequence('RSASSA-PSS-params');
  outer.end();
  let hash: string = 'sha1';
  let mgfHash: string = 'sha1';
  let saltLength = 20;
  const h = seq.optional(0xa0);
  if (h) hash = readHashAlgorithm(new DerReader(h.content, 'hashAlgorithm').sequence('hashAlgorithm'));
  const m = seq.optional(0xa1);
  if (m) {
    const mgf = new DerReader(m.content, 'maskGenAlgorithm').sequence('maskGenAlgorithm');
    if (mgf.oid('mgf') !== Oid.mgf1) return unverifiable(false);
    mgfHash = readHashAlgorithm(mgf.sequence('MGF1 hash'));
    mgf.end();
  }
  const s = seq.optional(0xa2);
  if (s) {
    const sr = new DerReader(s.content, 'saltLength');
    const v = sr.uint('saltLength');
    sr.end();
    if (v > 0xffffn) return unverifiable(false);
    saltLength = Number(v);
  }
  const t = seq.optional(0xa3);
  if (t) {
    const tr = new DerReader(t.content, 'trailerField');
    // RFC 4055 §3.1: "trailerField … MUST be 1".
    if (tr.uint('trailerField') !== 1n) return unverifiable(false);
    tr.end();
  }
  seq.end();
  if (isWeak(hash)) return unverifiable(true);
  if (mgfHash !== hash || !VERIFIABLE_HASHES.has(hash)) return unverifiable(false);
  return { name, keyKind: 'rsa', weak: false, verify: { kind: 'rsa-pss', hash: hash as X509SignatureHash, saltLength } };
}

/** A HashAlgorithm (OID, NULL or absent parameters) as a hash name, or the OID when unknown. */
function readHashAlgorithm(r: DerReader): string {
  const oid = r.oid('hash');
  if (!r.done && r.peekTag() === Tag.NULL) r.null('hash parameters');
  r.end();
  return HASH_OIDS.get(oid) ?? oid;
}
