/**
 * GeneralName (RFC 5280 §4.2.1.6) and the text Node prints for it (`subjectaltname`,
 * `infoAccess`: Node's `PrintGeneralName`, which quotes and escapes any name that could be read
 * ambiguously).
 *
 *   GeneralName ::= CHOICE { otherName [0] OtherName, rfc822Name [1] IA5String,
 *     dNSName [2] IA5String, x400Address [3] ORAddress, directoryName [4] Name,
 *     ediPartyName [5] EDIPartyName, uniformResourceIdentifier [6] IA5String,
 *     iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
 *   OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }
 */
import { DerReader, Tag, decodeOid, type DerElement } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { bytesToLatin1 } from '../bytes';
import { KeyError } from '../errors';
import { formatNameRfc2253, readName, type X509Name } from './name';

/** One GeneralName. IA5String forms keep their bytes as a Latin-1 string (one character per byte). */
export type GeneralName =
  | { readonly kind: 'otherName'; readonly typeId: string; readonly value: DerElement }
  | { readonly kind: 'rfc822Name' | 'dNSName' | 'uniformResourceIdentifier'; readonly text: string }
  | { readonly kind: 'x400Address' | 'ediPartyName'; readonly raw: Uint8Array }
  | { readonly kind: 'directoryName'; readonly name: X509Name }
  | { readonly kind: 'iPAddress'; readonly bytes: Uint8Array }
  | { readonly kind: 'registeredID'; readonly oid: string };

/** The GeneralName kinds, by context tag number (the CHOICE order). */
export const GENERAL_NAME_KINDS = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
] as const;
/** The name of a GeneralName choice (`'dNSName'`, `'iPAddress'`, …). */
export type GeneralNameKind = (typeof GENERAL_NAME_KINDS)[number];

/** One GeneralName from its element. @throws KeyError('MalformedDer') */
export function readGeneralName(el: DerElement): GeneralName {
  const bad = (why: string): KeyError => new KeyError('MalformedDer', `invalid GeneralName: ${why}`);
  switch (el.tag) {
    case 0xa0: {
      const r = new DerReader(el.content, 'OtherName');
      const typeId = r.oid('type-id');
      const wrapped = new DerReader(r.element(0xa0, 'OtherName value').content, 'OtherName value');
      const value = wrapped.any();
      wrapped.end();
      r.end();
      return { kind: 'otherName', typeId, value };
    }
    case 0x81:
      return { kind: 'rfc822Name', text: bytesToLatin1(el.content) };
    case 0x82:
      return { kind: 'dNSName', text: bytesToLatin1(el.content) };
    case 0xa3:
      return { kind: 'x400Address', raw: el.raw };
    case 0xa4: {
      // [4] is EXPLICIT because Name is a CHOICE (RFC 5280 Appendix A.2).
      const r = new DerReader(el.content, 'directoryName');
      const name = readName(r.element(Tag.SEQUENCE, 'Name'));
      r.end();
      return { kind: 'directoryName', name };
    }
    case 0xa5:
      return { kind: 'ediPartyName', raw: el.raw };
    case 0x86:
      return { kind: 'uniformResourceIdentifier', text: bytesToLatin1(el.content) };
    case 0x87:
      return { kind: 'iPAddress', bytes: el.content };
    case 0x88:
      return { kind: 'registeredID', oid: decodeOid(el.content, 'registeredID') };
    default:
      throw bad(`tag 0x${el.tag.toString(16)}`);
  }
}

/** `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName` from its DER. @throws KeyError('MalformedDer') */
export function readGeneralNames(der: Uint8Array, what: string): GeneralName[] {
  const r = new DerReader(der, what);
  const seq = r.sequence(what);
  r.end();
  return readGeneralNameList(seq, what);
}

/** The GeneralNames of a reader positioned inside the SEQUENCE. @throws KeyError('MalformedDer') when empty. */
export function readGeneralNameList(seq: DerReader, what: string): GeneralName[] {
  if (seq.done) throw new KeyError('MalformedDer', `empty ${what}`);
  const names: GeneralName[] = [];
  while (!seq.done) names.push(readGeneralName(seq.any()));
  return names;
}

// ---- Node's text form ----------------------------------------------------------------------

/**
 * Node's `IsSafeAltName`: no `"`, `\`, `,` or `'`, and no control character (for Latin-1 text
 * also nothing above `~`).
 */
function isSafe(text: string, utf8: boolean): boolean {
  for (const ch of text) {
    if (ch === '"' || ch === '\\' || ch === ',' || ch === "'") return false;
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) return false;
    if (!utf8 && c > 0x7e) return false;
  }
  return true;
}

/**
 * Node's `PrintAltName`: a safe name as is (after `prefix:`), anything else as a JSON-compatible
 * quoted string in which `"` and `\` are backslash-escaped and commas, control characters and
 * (in Latin-1 text) bytes above `~` become `\u00XX`. `text` is Latin-1 (one character per byte)
 * or, when `utf8`, a Unicode string whose non-ASCII characters are written as they are.
 */
export function printAltName(text: string, utf8: boolean, prefix?: string): string {
  const head = prefix === undefined ? '' : `${prefix}:`;
  if (isSafe(text, utf8)) return head + text;
  let out = '"' + head;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if ((c >= 0x20 && ch !== ',' && c <= 0x7e) || (utf8 && c > 0x7f)) out += ch;
    else out += '\\u00' + (c & 0xff).toString(16).padStart(2, '0');
  }
  return out + '"';
}

/** otherName types Node prints, with whether the value is a UTF8String (else IA5String). */
const OTHER_NAME_PREFIX = new Map<string, { readonly prefix: string; readonly utf8: boolean }>([
  [Oid.smtpUtf8Mailbox, { prefix: 'SmtpUTF8Mailbox', utf8: true }],
  [Oid.xmppAddr, { prefix: 'XmppAddr', utf8: true }],
  [Oid.srvName, { prefix: 'SRVName', utf8: false }],
  [Oid.msUpn, { prefix: 'UPN', utf8: true }],
  [Oid.naiRealm, { prefix: 'NAIRealm', utf8: true }],
]);

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One GeneralName as Node prints it (`DNS:a.example`, `IP Address:2001:DB8:0:0:0:0:0:1`,
 * `email:…`, `URI:…`, `DirName:"CN=x\u002cO=y"`, `Registered ID:1.2.3`,
 * `othername:UPN:user@example`, `othername:<unsupported>`, `X400Name:<unsupported>`,
 * `EdiPartyName:<unsupported>`), or `undefined` where Node's printer fails (a directoryName
 * that OpenSSL cannot print).
 */
export function formatGeneralNameNode(gn: GeneralName): string | undefined {
  switch (gn.kind) {
    case 'dNSName':
      return 'DNS:' + printAltName(gn.text, false);
    case 'rfc822Name':
      return 'email:' + printAltName(gn.text, false);
    case 'uniformResourceIdentifier':
      return 'URI:' + printAltName(gn.text, false);
    case 'directoryName': {
      const text = formatNameRfc2253(gn.name);
      return text === undefined ? undefined : 'DirName:' + printAltName(text, true);
    }
    case 'iPAddress':
      return 'IP Address:' + formatIpNode(gn.bytes);
    case 'registeredID':
      return 'Registered ID:' + gn.oid;
    case 'otherName': {
      const known = OTHER_NAME_PREFIX.get(gn.typeId);
      const wanted = known?.utf8 ? Tag.UTF8_STRING : Tag.IA5_STRING;
      if (!known || gn.value.tag !== wanted) return 'othername:<unsupported>';
      let text: string;
      if (known.utf8) {
        try {
          text = UTF8.decode(gn.value.content);
        } catch {
          return 'othername:<unsupported>';
        }
      } else {
        text = bytesToLatin1(gn.value.content);
      }
      return 'othername:' + printAltName(text, known.utf8, known.prefix);
    }
    case 'x400Address':
      return 'X400Name:<unsupported>';
    case 'ediPartyName':
      return 'EdiPartyName:<unsupported>';
  }
}

/** IPv4 dotted, IPv6 as eight upper-case hex groups without zero compression (Node's format). */
function formatIpNode(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).toUpperCase());
    return groups.join(':');
  }
  return `<invalid length=${b.length}>`;
}
