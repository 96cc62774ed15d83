/**
 * X.509 Names (RFC 5280 §4.1.2.4): `Name ::= RDNSequence`, `RDNSequence ::= SEQUENCE OF
 * RelativeDistinguishedName`, `RelativeDistinguishedName ::= SET SIZE (1..MAX) OF
 * AttributeTypeAndValue`, `AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }`.
 *
 * Comparison follows OpenSSL's `X509_NAME_cmp` (what Node's chain building uses), not the
 * RFC 4518 string preparation: both names are re-encoded canonically (string values converted to
 * UTF-8, leading and trailing white space dropped, inner runs collapsed to one space, ASCII
 * lower-cased; every RDN a DER SET) and the encodings compared byte for byte. The text forms
 * are Node's: `subject`/`issuer` objects and the RFC 2253 form inside `DirName:` entries.
 */
import { DerReader, Tag, derOid, derSequence, derSet, derTlv, type DerElement } from '../asn1/der';
import { bytesToHex } from '../bytes';
import { KeyError } from '../errors';

/** One `AttributeTypeAndValue`. Byte fields are views into the certificate. */
export interface NameAttribute {
  /** The attribute type OID, dotted (`2.5.4.3` for commonName). */
  readonly type: string;
  /** ASN.1 tag of the value (`0x0c` UTF8String, `0x13` PrintableString, …). */
  readonly tag: number;
  /** Content octets of the value. */
  readonly value: Uint8Array;
  /** The whole value TLV. */
  readonly raw: Uint8Array;
}

/** A parsed Name: its DER and its RDNs in order (each RDN one or more attributes). */
export interface X509Name {
  readonly der: Uint8Array;
  readonly rdns: readonly (readonly NameAttribute[])[];
}

/**
 * Reads a Name from its SEQUENCE element.
 * @throws KeyError('MalformedDer') for an empty RDN or a malformed AttributeTypeAndValue.
 */
export function readName(el: DerElement): X509Name {
  const r = new DerReader(el.content, 'Name');
  const rdns: NameAttribute[][] = [];
  while (!r.done) {
    const set = new DerReader(r.element(Tag.SET, 'RelativeDistinguishedName').content, 'RDN');
    if (set.done) throw new KeyError('MalformedDer', 'empty RelativeDistinguishedName');
    const rdn: NameAttribute[] = [];
    while (!set.done) {
      const atv = set.sequence('AttributeTypeAndValue');
      const type = atv.oid('type');
      const v = atv.any();
      atv.end();
      rdn.push({ type, tag: v.tag, value: v.content, raw: v.raw });
    }
    rdns.push(rdn);
  }
  return { der: el.raw, rdns };
}

/** Every attribute of `name`, flattened in encoding order. */
export function nameAttributes(name: X509Name): NameAttribute[] {
  return name.rdns.flat();
}

// ---- text ----------------------------------------------------------------------------------

/** Bytes per character of the string types OpenSSL converts (`tag2nbyte` of `a_mbstr.c`); 0 = UTF-8. */
const STRING_WIDTH = new Map<number, number>([
  [Tag.UTF8_STRING, 0],
  [0x12, 1], // NumericString
  [Tag.PRINTABLE_STRING, 1],
  [Tag.T61_STRING, 1], // read as Latin-1, as OpenSSL does
  [Tag.IA5_STRING, 1],
  [Tag.UTC_TIME, 1],
  [Tag.GENERALIZED_TIME, 1],
  [0x1a, 1], // VisibleString
  [Tag.UNIVERSAL_STRING, 4],
  [Tag.BMP_STRING, 2],
]);

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a string-typed attribute value, as OpenSSL's `ASN1_STRING_to_UTF8` converts it
 * (Latin-1 for the one-byte types, UCS-2 for BMPString, UCS-4 for UniversalString), or
 * `undefined` for a value that is not a string or does not decode.
 */
export function attributeText(a: { readonly tag: number; readonly value: Uint8Array }): string | undefined {
  const width = STRING_WIDTH.get(a.tag);
  const c = a.value;
  switch (width) {
    case 0:
      try {
        return UTF8.decode(c);
      } catch {
        return undefined;
      }
    case 1: {
      let s = '';
      for (let i = 0; i < c.length; i++) s += String.fromCharCode(c[i]!);
      return s;
    }
    case 2: {
      if (c.length % 2) return undefined;
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case 4: {
      if (c.length % 4) return undefined;
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = ((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0;
        if (cp > 0x10ffff) return undefined;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}

/**
 * OpenSSL's short names of the attribute types it knows (`OBJ_nid2sn`): Node uses them as the keys
 * of `subject`/`issuer`, and an attribute type outside this table as its dotted OID.
 */
const SHORT_NAMES = new Map<string, string>([
  ['2.5.4.3', 'CN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'street'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'],
  ['2.5.4.14', 'searchGuide'],
  ['2.5.4.15', 'businessCategory'],
  ['2.5.4.16', 'postalAddress'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.18', 'postOfficeBox'],
  ['2.5.4.19', 'physicalDeliveryOfficeName'],
  ['2.5.4.20', 'telephoneNumber'],
  ['2.5.4.21', 'telexNumber'],
  ['2.5.4.22', 'teletexTerminalIdentifier'],
  ['2.5.4.23', 'facsimileTelephoneNumber'],
  ['2.5.4.24', 'x121Address'],
  ['2.5.4.25', 'internationaliSDNNumber'],
  ['2.5.4.26', 'registeredAddress'],
  ['2.5.4.27', 'destinationIndicator'],
  ['2.5.4.28', 'preferredDeliveryMethod'],
  ['2.5.4.29', 'presentationAddress'],
  ['2.5.4.30', 'supportedApplicationContext'],
  ['2.5.4.31', 'member'],
  ['2.5.4.32', 'owner'],
  ['2.5.4.33', 'roleOccupant'],
  ['2.5.4.34', 'seeAlso'],
  ['2.5.4.35', 'userPassword'],
  ['2.5.4.36', 'userCertificate'],
  ['2.5.4.37', 'cACertificate'],
  ['2.5.4.38', 'authorityRevocationList'],
  ['2.5.4.39', 'certificateRevocationList'],
  ['2.5.4.40', 'crossCertificatePair'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.44', 'generationQualifier'],
  ['2.5.4.45', 'x500UniqueIdentifier'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.47', 'enhancedSearchGuide'],
  ['2.5.4.48', 'protocolInformation'],
  ['2.5.4.49', 'distinguishedName'],
  ['2.5.4.50', 'uniqueMember'],
  ['2.5.4.51', 'houseIdentifier'],
  ['2.5.4.52', 'supportedAlgorithms'],
  ['2.5.4.53', 'deltaRevocationList'],
  ['2.5.4.54', 'dmdName'],
  ['2.5.4.65', 'pseudonym'],
  ['2.5.4.72', 'role'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['2.5.4.98', 'c3'],
  ['2.5.4.99', 'n3'],
  ['2.5.4.100', 'dnsName'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['1.2.840.113549.1.9.2', 'unstructuredName'],
  ['1.2.840.113549.1.9.8', 'unstructuredAddress'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.3', 'mail'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
]);

/** The key Node uses for an attribute type: OpenSSL's short name, or the dotted OID. */
export function attributeKey(type: string): string {
  return SHORT_NAMES.get(type) ?? type;
}

/**
 * Node's object form of a Name (`getPeerCertificate().subject`): a null-prototype object keyed
 * by {@link attributeKey}, a string per attribute, an array when a key repeats (in encoding
 * order). `undefined` when a value is not a convertible string: Node then leaves the whole
 * field out.
 */
export function nameToNodeObject(name: X509Name): Record<string, string | string[]> | undefined {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const a of nameAttributes(name)) {
    const text = attributeText(a);
    if (text === undefined) return undefined;
    const key = attributeKey(a.type);
    const prev = out[key];
    if (prev === undefined) out[key] = text;
    else if (Array.isArray(prev)) prev.push(text);
    else out[key] = [prev, text];
  }
  return out;
}

/** Characters RFC 2253 §2.4 escapes with a backslash anywhere in a value. */
const RFC2253_SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';']);

/**
 * The RFC 2253 form OpenSSL prints with `XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB &
 * ~ASN1_STRFLGS_ESC_CTRL` (Node's `DirName:` entries): attributes in reverse order, `,` between
 * RDNs and `+` inside one, short names, values as UTF-8 with `,+"\<>;` (and a leading `#` or
 * space, a trailing space) backslash-escaped, non-string values and unknown types as `#` + the
 * hex of their DER.
 */
export function formatNameRfc2253(name: X509Name): string | undefined {
  const parts: { readonly text: string; readonly rdn: number }[] = [];
  for (let i = 0; i < name.rdns.length; i++) {
    for (const a of name.rdns[i]!) {
      const known = SHORT_NAMES.has(a.type);
      const text = known ? attributeText(a) : undefined;
      // A known string type that does not convert makes OpenSSL's printer fail.
      if (known && text === undefined && STRING_WIDTH.has(a.tag)) return undefined;
      // XN_FLAG_DUMP_UNKNOWN_FIELDS / ASN1_STRFLGS_DUMP_UNKNOWN with DUMP_DER: `#` + DER hex.
      const value = text === undefined ? '#' + bytesToHex(a.raw).toUpperCase() : escapeRfc2253(text);
      parts.push({ text: `${attributeKey(a.type)}=${value}`, rdn: i });
    }
  }
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    if (i < parts.length - 1) out += parts[i]!.rdn === parts[i + 1]!.rdn ? '+' : ',';
    out += parts[i]!.text;
  }
  return out;
}

function escapeRfc2253(text: string): string {
  const chars = [...text];
  let out = '';
  chars.forEach((ch, i) => {
    const first = i === 0;
    const last = i === chars.length - 1;
    if (RFC2253_SPECIAL.has(ch) || (first && (ch === '#' || ch === ' ')) || (last && ch === ' ')) out += '\\' + ch;
    else out += ch;
  });
  return out;
}

// ---- comparison ----------------------------------------------------------------------------

/** String types OpenSSL canonicalises (`ASN1_MASK_CANON`); others are compared as encoded. */
const CANON_TAGS = new Set([Tag.UTF8_STRING, Tag.BMP_STRING, Tag.UNIVERSAL_STRING, Tag.PRINTABLE_STRING, Tag.T61_STRING, Tag.IA5_STRING, 0x1a]);

const canonCache = new WeakMap<X509Name, Uint8Array>();
const ENC = new TextEncoder();

/** Whether `c` is one of OpenSSL's `ossl_isspace` characters. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** `asn1_string_canon`: trim, collapse inner white space to one space, lower-case ASCII. */
function canonicalText(text: string): string {
  let s = text;
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s[start]!)) start++;
  while (end > start && isSpace(s[end - 1]!)) end--;
  s = s.slice(start, end);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (isSpace(c)) {
      out += ' ';
      while (i + 1 < s.length && isSpace(s[i + 1]!)) i++;
    } else if (c >= 'A' && c <= 'Z') {
      out += c.toLowerCase();
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * OpenSSL's canonical encoding of a Name (`x509_name_canon`): the concatenated DER SETs of its
 * RDNs with string values canonicalised into UTF8String. Empty for an empty Name.
 */
export function canonicalName(name: X509Name): Uint8Array {
  let enc = canonCache.get(name);
  if (!enc) {
    const rdns: Uint8Array[] = [];
    for (const rdn of name.rdns) {
      const entries = rdn.map((a) => {
        const text = CANON_TAGS.has(a.tag) ? attributeText(a) : undefined;
        const value = text === undefined ? a.raw : derTlv(Tag.UTF8_STRING, ENC.encode(canonicalText(text)));
        return derSequence(derOid(a.type), value);
      });
      // DER SET OF: elements sorted by their encodings (X.690 §11.6).
      entries.sort(compareBytes);
      rdns.push(derSet(...entries));
    }
    let length = 0;
    for (const r of rdns) length += r.length;
    enc = new Uint8Array(length);
    let off = 0;
    for (const r of rdns) {
      enc.set(r, off);
      off += r.length;
    }
    canonCache.set(name, enc);
  }
  return enc;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Whether two Names are equal under OpenSSL's `X509_NAME_cmp`. */
export function namesEqual(a: X509Name, b: X509Name): boolean {
  const x = canonicalName(a);
  const y = canonicalName(b);
  return x.length === y.length && compareBytes(x, y) === 0;
}

/**
 * Whether `base`'s RDNs are a prefix of `name`'s (RFC 5280 §4.2.1.10 directoryName subtrees,
 * compared canonically as OpenSSL's `nc_dn` does).
 */
export function nameWithinSubtree(name: X509Name, base: X509Name): boolean {
  const n = canonicalName(name);
  const b = canonicalName(base);
  if (b.length > n.length) return false;
  for (let i = 0; i < b.length; i++) if (n[i] !== b[i]) return false;
  return true;
}
