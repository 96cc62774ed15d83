/**
 * Name constraints (RFC 5280 §4.2.1.10) as OpenSSL 3.0 applies them (`NAME_CONSTRAINTS_check`,
 * `v3_ncons.c`): the subject DN against directoryName subtrees, emailAddress attributes and every
 * subjectAltName against the subtrees of their own form, and, for a leaf without a dNSName, the
 * subject commonNames that look like host names against dNSName subtrees.
 *
 * RFC 5280 §4.2.1.10: "If a name constraints extension that is marked as critical imposes
 * constraints on a particular name form, and an instance of that name form appears in the
 * subject field or subjectAltName extension of a subsequent certificate, then the application
 * MUST either process the constraint or reject the certificate." Forms processed here: dNSName,
 * rfc822Name, uniformResourceIdentifier, iPAddress, directoryName. A name of any other form
 * (otherName, x400Address, ediPartyName, registeredID) under a constraint of that form is
 * rejected (`UNSUPPORTED_CONSTRAINT_TYPE`), and so is a SmtpUTF8Mailbox otherName under
 * rfc822Name constraints (OpenSSL matches those; puretls refuses: `UNSUPPORTED_NAME_SYNTAX`).
 */
import { Oid } from '../../asn1/oids';
import type { Certificate } from '../certificate';
import type { GeneralSubtree, NameConstraints } from '../extensions';
import type { GeneralName, GeneralNameKind } from '../general-name';
import { attributeText, nameAttributes, nameWithinSubtree } from '../name';
import type { X509VerifyErrorName } from '../verify-errors';

/** OpenSSL's `NAME_CHECK_MAX`: names × constraints above this is refused (a DoS guard). */
export const NAME_CHECK_MAX = 1 << 20;

type Outcome = X509VerifyErrorName | 'ok';

/**
 * Checks `cert` against the constraints `nc` of a certificate above it. `isLeaf`: also check
 * host-name-like commonNames when the leaf has no dNSName (OpenSSL 3.0's default).
 * @returns the error, or `undefined` when the names are within the constraints.
 */
export function checkNameConstraints(cert: Certificate, nc: NameConstraints, isLeaf: boolean): X509VerifyErrorName | undefined {
  const attributes = nameAttributes(cert.subjectName);
  const sans = cert.subjectAltNames ?? [];
  const names = attributes.length + sans.length;
  const constraints = nc.permitted.length + nc.excluded.length;
  if (names > 0 && constraints > NAME_CHECK_MAX / names) return 'UNSPECIFIED';

  if (attributes.length > 0) {
    const r = match({ kind: 'directoryName', name: cert.subjectName }, nc);
    if (r !== 'ok') return r;
    for (const a of attributes) {
      if (a.type !== Oid.emailAddress) continue;
      if (a.tag !== 0x16) return 'UNSUPPORTED_NAME_SYNTAX'; // must be an IA5String
      const r2 = match({ kind: 'rfc822Name', text: attributeText(a)! }, nc);
      if (r2 !== 'ok') return r2;
    }
  }
  for (const gn of sans) {
    const r = match(gn, nc);
    if (r !== 'ok') return r;
  }
  if (isLeaf && !sans.some((g) => g.kind === 'dNSName')) {
    const r = checkCommonNames(cert, nc);
    if (r !== 'ok') return r;
  }
  return undefined;
}

/** `NAME_CONSTRAINTS_check_CN`: commonNames that are plausible DNS names (two or more labels). */
function checkCommonNames(cert: Certificate, nc: NameConstraints): Outcome {
  for (const a of nameAttributes(cert.subjectName)) {
    if (a.type !== Oid.commonName) continue;
    let text = attributeText(a);
    if (text === undefined) return 'UNSPECIFIED';
    // Trailing NULs are harmless (some CAs wrote them); embedded ones are refused.
    text = text.replace(/\0+$/, '');
    if (text.includes('\0')) return 'UNSUPPORTED_NAME_SYNTAX';
    if (!looksLikeDnsName(text)) continue;
    const r = match({ kind: 'dNSName', text }, nc);
    if (r !== 'ok') return r;
  }
  return 'ok';
}

/** OpenSSL's `cn2dnsid` test: letters, digits, `_`, inner `-` and `.`, at least one dot between labels. */
function looksLikeDnsName(s: string): boolean {
  let dns = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < s.length - 1) {
      if (c === '-') continue;
      if (c === '.' && s[i + 1] !== '.' && s[i - 1] !== '-' && s[i + 1] !== '-') {
        dns = true;
        continue;
      }
    }
    return false;
  }
  return dns;
}

/** The constraint form a name is checked against (SmtpUTF8Mailbox counts as rfc822Name, RFC 8398 §6). */
function effectiveKind(gn: GeneralName): GeneralNameKind {
  return gn.kind === 'otherName' && gn.typeId === Oid.smtpUtf8Mailbox ? 'rfc822Name' : gn.kind;
}

function sameForm(gn: GeneralName, kind: GeneralNameKind, base: GeneralName): boolean {
  if (base.kind !== kind) return false;
  // otherName constraints only apply to otherNames of the same type-id.
  if (gn.kind === 'otherName' && kind === 'otherName') return base.kind === 'otherName' && base.typeId === gn.typeId;
  return true;
}

/** RFC 5280 §4.2.1.10: "the minimum MUST be zero, and maximum MUST be absent". */
function minMaxValid(st: GeneralSubtree): boolean {
  return st.minimum === 0n && st.maximum === undefined;
}

/** OpenSSL's `nc_match`: within some permitted subtree of the form (if any), within no excluded one. */
function match(gn: GeneralName, nc: NameConstraints): Outcome {
  const kind = effectiveKind(gn);
  let state: 'none' | 'unmatched' | 'matched' = 'none';
  for (const st of nc.permitted) {
    if (!sameForm(gn, kind, st.base)) continue;
    if (!minMaxValid(st)) return 'SUBTREE_MINMAX';
    if (state === 'matched') continue;
    state = 'unmatched';
    const r = matchOne(gn, kind, st.base);
    if (r === 'ok') state = 'matched';
    else if (r !== 'PERMITTED_VIOLATION') return r;
  }
  if (state === 'unmatched') return 'PERMITTED_VIOLATION';
  for (const st of nc.excluded) {
    if (!sameForm(gn, kind, st.base)) continue;
    if (!minMaxValid(st)) return 'SUBTREE_MINMAX';
    const r = matchOne(gn, kind, st.base);
    if (r === 'ok') return 'EXCLUDED_VIOLATION';
    if (r !== 'PERMITTED_VIOLATION') return r;
  }
  return 'ok';
}

/** `nc_match_single`: `'ok'` when `gn` is within `base`, `'PERMITTED_VIOLATION'` when not. */
function matchOne(gn: GeneralName, kind: GeneralNameKind, base: GeneralName): Outcome {
  if (gn.kind === 'otherName') return kind === 'rfc822Name' ? 'UNSUPPORTED_NAME_SYNTAX' : 'UNSUPPORTED_CONSTRAINT_TYPE';
  if (gn.kind === 'directoryName' && base.kind === 'directoryName') return nameWithinSubtree(gn.name, base.name) ? 'ok' : 'PERMITTED_VIOLATION';
  if (gn.kind === 'dNSName' && base.kind === 'dNSName') return matchDns(gn.text, base.text);
  if (gn.kind === 'rfc822Name' && base.kind === 'rfc822Name') return matchEmail(gn.text, base.text);
  if (gn.kind === 'uniformResourceIdentifier' && base.kind === 'uniformResourceIdentifier') return matchUri(gn.text, base.text);
  if (gn.kind === 'iPAddress' && base.kind === 'iPAddress') return matchIp(gn.bytes, base.bytes);
  return 'UNSUPPORTED_CONSTRAINT_TYPE';
}

/** ASCII case-insensitive equality (`ia5ncasecmp`). */
function equalsIgnoreAsciiCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** RFC 5280: "Any DNS name that can be constructed by simply adding zero or more labels to the left-hand side of the name satisfies the name constraint." */
function matchDns(dns: string, base: string): Outcome {
  if (base.length === 0) return 'ok';
  if (dns.length < base.length) return 'PERMITTED_VIOLATION';
  if (dns.length > base.length && base[0] !== '.' && dns[dns.length - base.length - 1] !== '.') return 'PERMITTED_VIOLATION';
  return equalsIgnoreAsciiCase(dns.slice(dns.length - base.length), base) ? 'ok' : 'PERMITTED_VIOLATION';
}

/** RFC 5280: a mailbox, all mailboxes of a host, or (leading `.`) of a domain. Local parts compare exactly. */
function matchEmail(email: string, base: string): Outcome {
  const at = email.lastIndexOf('@');
  if (at < 0) return 'UNSUPPORTED_NAME_SYNTAX';
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0 && base.startsWith('.')) {
    return email.length > base.length && equalsIgnoreAsciiCase(email.slice(email.length - base.length), base) ? 'ok' : 'PERMITTED_VIOLATION';
  }
  let baseHost = base;
  if (baseAt >= 0) {
    if (baseAt > 0) {
      const local = email.slice(0, at);
      const baseLocal = base.slice(0, baseAt);
      if (local.length !== baseLocal.length) return 'PERMITTED_VIOLATION';
      if (local.includes('\0') || baseLocal.includes('\0')) return 'UNSUPPORTED_NAME_SYNTAX';
      if (local !== baseLocal) return 'PERMITTED_VIOLATION';
    }
    baseHost = base.slice(baseAt + 1);
  }
  return equalsIgnoreAsciiCase(email.slice(at + 1), baseHost) ? 'ok' : 'PERMITTED_VIOLATION';
}

/** RFC 5280: the constraint applies to the host part of the URI (`scheme://host[:port][/…]`). */
function matchUri(uri: string, base: string): Outcome {
  const colon = uri.indexOf(':');
  if (colon < 0 || uri.length - colon < 3 || uri[colon + 1] !== '/' || uri[colon + 2] !== '/') return 'UNSUPPORTED_NAME_SYNTAX';
  const rest = uri.slice(colon + 3);
  let end = rest.indexOf(':');
  if (end < 0) end = rest.indexOf('/');
  const host = end < 0 ? rest : rest.slice(0, end);
  if (host.length === 0) return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.startsWith('.')) {
    return host.length > base.length && equalsIgnoreAsciiCase(host.slice(host.length - base.length), base) ? 'ok' : 'PERMITTED_VIOLATION';
  }
  return equalsIgnoreAsciiCase(host, base) ? 'ok' : 'PERMITTED_VIOLATION';
}

/** RFC 5280: an iPAddress constraint is address ‖ mask (8 bytes for IPv4, 32 for IPv6). */
function matchIp(ip: Uint8Array, base: Uint8Array): Outcome {
  if (ip.length !== 4 && ip.length !== 16) return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.length !== 8 && base.length !== 32) return 'UNSUPPORTED_NAME_SYNTAX';
  if (ip.length * 2 !== base.length) return 'PERMITTED_VIOLATION';
  for (let i = 0; i < ip.length; i++) {
    const mask = base[ip.length + i]!;
    if ((ip[i]! & mask) !== (base[i]! & mask)) return 'PERMITTED_VIOLATION';
  }
  return 'ok';
}
