/**
 * Certificate extensions (RFC 5280 §4.2) that path validation and Node's certificate object
 * read: basicConstraints, keyUsage, extendedKeyUsage, subjectAltName, nameConstraints,
 * subject/authority key identifiers, authorityInfoAccess, policyConstraints and Netscape's
 * certificate type. Strict DER: a malformed known extension fails the certificate
 * (`KeyError('MalformedDer')`), as a malformed certificate would.
 */
import { DerReader, Tag, checkInteger } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { KeyError } from '../errors';
import { readGeneralName, readGeneralNameList, readGeneralNames, type GeneralName } from './general-name';

/** One extension as encoded. `value` is the extnValue content (a view). */
export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** `KeyUsage ::= BIT STRING` (RFC 5280 §4.2.1.3), as a mask of these bits (bit n = named bit n). */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

/** Netscape certificate type bits (`NS_SSL_CLIENT` …), bit n = named bit n of the BIT STRING. */
export const NsCertType = {
  sslClient: 1 << 0,
  sslServer: 1 << 1,
  smime: 1 << 2,
  objectSigning: 1 << 3,
  sslCa: 1 << 5,
  smimeCa: 1 << 6,
  objectSigningCa: 1 << 7,
} as const;

/** RFC 5280 §4.2.1.9 `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }`. */
export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/** RFC 5280 §4.2.1.10 `GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }`. */
export interface GeneralSubtree {
  readonly base: GeneralName;
  /** `minimum`, 0 when absent. */
  readonly minimum: bigint;
  /** `maximum`, `undefined` when absent. */
  readonly maximum?: bigint;
}

/** RFC 5280 §4.2.1.10 `NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }`. */
export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[];
  readonly excluded: readonly GeneralSubtree[];
}

/** RFC 5280 §4.2.1.1 `AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0], authorityCertIssuer [1], authorityCertSerialNumber [2] }`. */
export interface AuthorityKeyIdentifier {
  readonly keyId?: Uint8Array;
  readonly issuer?: readonly GeneralName[];
  /** Serial number content octets (as encoded). */
  readonly serial?: Uint8Array;
}

/** RFC 5280 §4.2.2.1 `AccessDescription ::= SEQUENCE { accessMethod OID, accessLocation GeneralName }`. */
export interface AccessDescription {
  readonly method: string;
  readonly location: GeneralName;
}

/** RFC 5280 §4.2.1.11 `PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL }`. */
export interface PolicyConstraints {
  readonly requireExplicitPolicy?: bigint;
  readonly inhibitPolicyMapping?: bigint;
}

/** What the parser reads out of the extensions; absent extensions are `undefined`. */
export interface ParsedExtensions {
  readonly extensions: readonly CertificateExtension[];
  readonly basicConstraints?: BasicConstraints;
  /** Mask of {@link KeyUsage} bits. */
  readonly keyUsage?: number;
  /** extendedKeyUsage purpose OIDs in order. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: readonly GeneralName[];
  readonly nameConstraints?: NameConstraints;
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: AuthorityKeyIdentifier;
  readonly authorityInfoAccess?: readonly AccessDescription[];
  readonly policyConstraints?: PolicyConstraints;
  /** Mask of {@link NsCertType} bits. */
  readonly nsCertType?: number;
}

/**
 * Reads `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` from the `[3]` element's content.
 * @throws KeyError('MalformedDer') for an empty list, a duplicate extension (RFC 5280 §4.2: "A
 *   certificate MUST NOT include more than one instance of a particular extension") or a
 *   malformed known extension.
 */
export function readExtensions(content: Uint8Array): ParsedExtensions {
  const er = new DerReader(content, 'extensions');
  const exts = er.sequence('Extensions');
  er.end();
  if (exts.done) throw new KeyError('MalformedDer', 'empty Extensions (SIZE (1..MAX))');
  const list: CertificateExtension[] = [];
  const seen = new Set<string>();
  const out: { -readonly [K in keyof ParsedExtensions]: ParsedExtensions[K] } = { extensions: list };
  while (!exts.done) {
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const ext = exts.sequence('Extension');
    const oid = ext.oid('extnID');
    // An explicit `critical FALSE` is not DER (DEFAULT value) but some CAs wrote it: tolerated.
    const critical = ext.peekTag() === Tag.BOOLEAN ? ext.boolean('critical') : false;
    const value = ext.octetString('extnValue');
    ext.end();
    if (seen.has(oid)) throw new KeyError('MalformedDer', `duplicate extension ${oid}`);
    seen.add(oid);
    list.push({ oid, critical, value });
    switch (oid) {
      case Oid.basicConstraints:
        out.basicConstraints = readBasicConstraints(value);
        break;
      case Oid.keyUsage:
        out.keyUsage = readBitMask(value, 'keyUsage');
        break;
      case Oid.extKeyUsage:
        out.extKeyUsage = readOidSequence(value, 'extKeyUsage');
        break;
      case Oid.subjectAltName:
        out.subjectAltNames = readGeneralNames(value, 'subjectAltName');
        break;
      case Oid.nameConstraints:
        out.nameConstraints = readNameConstraints(value);
        break;
      case Oid.subjectKeyIdentifier: {
        const r = new DerReader(value, 'subjectKeyIdentifier');
        out.subjectKeyId = r.octetString('SubjectKeyIdentifier');
        r.end();
        break;
      }
      case Oid.authorityKeyIdentifier:
        out.authorityKeyId = readAuthorityKeyIdentifier(value);
        break;
      case Oid.authorityInfoAccess:
        out.authorityInfoAccess = readAccessDescriptions(value);
        break;
      case Oid.policyConstraints:
        out.policyConstraints = readPolicyConstraints(value);
        break;
      case Oid.nsCertType:
        out.nsCertType = readBitMask(value, 'nsCertType');
        break;
      default:
        break;
    }
  }
  Object.freeze(list);
  return out;
}

function readBasicConstraints(value: Uint8Array): BasicConstraints {
  const r = new DerReader(value, 'basicConstraints');
  const seq = r.sequence('BasicConstraints');
  r.end();
  // An explicit cA FALSE (not DER) is tolerated, as for `critical`.
  const ca = seq.peekTag() === Tag.BOOLEAN ? seq.boolean('cA') : false;
  let pathLength: number | undefined;
  if (!seq.done) {
    const v = seq.uint('pathLenConstraint');
    // Anything above 2^31 is as good as unlimited for a chain bounded by the verify depth.
    pathLength = v > 0x7fffffffn ? 0x7fffffff : Number(v);
  }
  seq.end();
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

/** A named-bit BIT STRING (DER: trailing zero bits removed, X.690 §11.2.2) as a mask, bit n → 1 << n. */
function readBitMask(value: Uint8Array, what: string): number {
  const r = new DerReader(value, what);
  const c = r.element(Tag.BIT_STRING, what).content;
  r.end();
  if (c.length === 0) throw new KeyError('MalformedDer', `empty BIT STRING in ${what}`);
  const unused = c[0]!;
  if (unused > 7 || (c.length === 1 && unused !== 0)) throw new KeyError('MalformedDer', `invalid BIT STRING in ${what}`);
  let mask = 0;
  // Only the first bytes matter (bits 0..31); longer strings carry no bits we know.
  for (let i = 1; i < c.length && i <= 4; i++) {
    for (let bit = 0; bit < 8; bit++) if (c[i]! & (0x80 >> bit)) mask |= 1 << ((i - 1) * 8 + bit);
  }
  return mask >>> 0;
}

function readOidSequence(value: Uint8Array, what: string): string[] {
  const r = new DerReader(value, what);
  const seq = r.sequence(what);
  r.end();
  if (seq.done) throw new KeyError('MalformedDer', `empty ${what}`);
  const oids: string[] = [];
  while (!seq.done) oids.push(seq.oid(`${what} purpose`));
  return oids;
}

function readNameConstraints(value: Uint8Array): NameConstraints {
  const r = new DerReader(value, 'nameConstraints');
  const seq = r.sequence('NameConstraints');
  r.end();
  const permitted = seq.peekTag() === 0xa0 ? readSubtrees(seq.explicit(0xa0, 'permittedSubtrees')) : [];
  const excluded = seq.peekTag() === 0xa1 ? readSubtrees(seq.explicit(0xa1, 'excludedSubtrees')) : [];
  seq.end();
  // RFC 5280 §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence."
  if (permitted.length === 0 && excluded.length === 0) throw new KeyError('MalformedDer', 'empty NameConstraints');
  return { permitted, excluded };
}

// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree (the [0]/[1] tags are IMPLICIT)
function readSubtrees(r: DerReader): GeneralSubtree[] {
  if (r.done) throw new KeyError('MalformedDer', 'empty GeneralSubtrees');
  const out: GeneralSubtree[] = [];
  while (!r.done) {
    const st = r.sequence('GeneralSubtree');
    const base = readGeneralName(st.any());
    let minimum = 0n;
    let maximum: bigint | undefined;
    const min = st.optional(0x80);
    if (min) minimum = implicitUint(min.content, 'minimum');
    const max = st.optional(0x81);
    if (max) maximum = implicitUint(max.content, 'maximum');
    st.end();
    out.push(maximum === undefined ? { base, minimum } : { base, minimum, maximum });
  }
  return out;
}

/** An IMPLICIT-tagged non-negative INTEGER's content. */
function implicitUint(c: Uint8Array, what: string): bigint {
  checkInteger(c, what);
  if (c[0]! & 0x80) throw new KeyError('MalformedDer', `negative ${what}`);
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  return v;
}

function readAuthorityKeyIdentifier(value: Uint8Array): AuthorityKeyIdentifier {
  const r = new DerReader(value, 'authorityKeyIdentifier');
  const seq = r.sequence('AuthorityKeyIdentifier');
  r.end();
  const keyId = seq.optional(0x80)?.content;
  const issuerEl = seq.optional(0xa1);
  const issuer = issuerEl ? readGeneralNameList(new DerReader(issuerEl.content, 'authorityCertIssuer'), 'authorityCertIssuer') : undefined;
  const serialEl = seq.optional(0x82);
  const serial = serialEl ? checkInteger(serialEl.content, 'authorityCertSerialNumber') : undefined;
  seq.end();
  return { ...(keyId ? { keyId } : {}), ...(issuer ? { issuer } : {}), ...(serial ? { serial } : {}) };
}

function readAccessDescriptions(value: Uint8Array): AccessDescription[] {
  const r = new DerReader(value, 'authorityInfoAccess');
  const seq = r.sequence('AuthorityInfoAccessSyntax');
  r.end();
  if (seq.done) throw new KeyError('MalformedDer', 'empty authorityInfoAccess');
  const out: AccessDescription[] = [];
  while (!seq.done) {
    const ad = seq.sequence('AccessDescription');
    const method = ad.oid('accessMethod');
    const location = readGeneralName(ad.any());
    ad.end();
    out.push({ method, location });
  }
  return out;
}

function readPolicyConstraints(value: Uint8Array): PolicyConstraints {
  const r = new DerReader(value, 'policyConstraints');
  const seq = r.sequence('PolicyConstraints');
  r.end();
  const req = seq.optional(0x80);
  const inhibit = seq.optional(0x81);
  seq.end();
  return {
    ...(req ? { requireExplicitPolicy: implicitUint(req.content, 'requireExplicitPolicy') } : {}),
    ...(inhibit ? { inhibitPolicyMapping: implicitUint(inhibit.content, 'inhibitPolicyMapping') } : {}),
  };
}
