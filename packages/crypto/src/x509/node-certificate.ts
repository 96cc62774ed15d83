/**
 * Node's certificate object (`tlsSocket.getPeerCertificate(detailed)`, `getCertificate()`,
 * `X509Certificate#toLegacyObject()`): Node's `X509ToObject` field by field, in Node's key order,
 * then `translatePeerCertificate` (which turns `infoAccess` into an object). Byte fields are
 * fresh `Uint8Array`s (the Node adapter makes Buffers of them); name objects have a null
 * prototype, as Node's do. Absent fields are left out (not `undefined`), as Node leaves them out.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Oid } from '../asn1/oids';
import { encodeSpki } from '../keys/encode';
import type { Certificate } from './certificate';
import { formatGeneralNameNode } from './general-name';
import { nameToNodeObject } from './name';
import { bestIssuer, caKind, checkIssued, verificationSecond } from './path/issuer';

/** The object Node builds for one certificate. */
export interface NodeCertificateObject {
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  /** `DNS:a.example, IP Address:127.0.0.1, email:…` (Node's escaping of unusual names). */
  subjectaltname?: string;
  /** authorityInfoAccess, e.g. `{ 'OCSP - URI': ['http://ocsp.example/'], 'CA Issuers - URI': […] }` (null prototype). */
  infoAccess?: Record<string, string[]>;
  /** basicConstraints cA TRUE (and keyCertSign when keyUsage is present): OpenSSL's `X509_check_ca() == 1`. */
  ca: boolean;
  /** RSA: the modulus, upper-case hex. */
  modulus?: string;
  /** RSA modulus or EC group order size in bits. */
  bits?: number;
  /** RSA: the public exponent, `0x10001`. */
  exponent?: string;
  /** RSA: SubjectPublicKeyInfo DER; EC: the uncompressed point. (Ed25519: absent, as in Node.) */
  pubkey?: Uint8Array;
  /** EC: OpenSSL's curve name (`prime256v1`, `secp384r1`). */
  asn1Curve?: string;
  /** EC: NIST name (`P-256`, `P-384`). */
  nistCurve?: string;
  /** notBefore as OpenSSL prints it: `Mar  4 12:00:00 2025 GMT`. */
  valid_from: string;
  valid_to: string;
  /** SHA-1 of the DER, colon-separated upper-case hex. */
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  /** extendedKeyUsage purpose OIDs. */
  ext_key_usage?: string[];
  /** Upper-case hex without leading zero bytes, as OpenSSL's `BN_bn2hex` writes it. */
  serialNumber: string;
  /** The certificate, DER. */
  raw: Uint8Array;
  /** The issuer's object (`detailed` only); the root's points at itself. */
  issuerCertificate?: NodeCertificateObject;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** OpenSSL's `ASN1_TIME_print`: `Mon DD HH:MM:SS YYYY GMT`, the day padded with a space. */
export function formatTimeOpenssl(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

function colonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** `BN_bn2hex` of the serial INTEGER: sign, then the magnitude in whole bytes, leading zero bytes dropped. */
function serialHex(content: Uint8Array): string {
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  const negative = content.length > 0 && (content[0]! & 0x80) !== 0;
  if (negative) v = (1n << BigInt(8 * content.length)) - v;
  if (v === 0n) return '0';
  let hex = v.toString(16).toUpperCase();
  if (hex.length % 2) hex = '0' + hex;
  return (negative ? '-' : '') + hex;
}

/** Access method names as OpenSSL's `i2t_ASN1_OBJECT` prints them (long names). */
const ACCESS_METHODS = new Map<string, string>([
  [Oid.ocsp, 'OCSP'],
  [Oid.caIssuers, 'CA Issuers'],
  ['1.3.6.1.5.5.7.48.3', 'AD Time Stamping'],
  ['1.3.6.1.5.5.7.48.5', 'CA Repository'],
]);

/**
 * Node's `infoAccess` after `translatePeerCertificate`: the lines `method - Kind:value` split at
 * the first colon into key and value (a quoted value JSON-decoded), values grouped by key.
 */
function infoAccessObject(cert: Certificate): Record<string, string[]> | undefined {
  const descs = cert.authorityInfoAccess;
  if (!descs) return undefined;
  const lines: string[] = [];
  for (const d of descs) {
    const location = formatGeneralNameNode(d.location);
    if (location === undefined) return undefined; // Node's printer failed: the field is null, dropped by the translation
    lines.push(`${ACCESS_METHODS.get(d.method) ?? d.method} - ${location}`);
  }
  const out = Object.create(null) as Record<string, string[]>;
  // translatePeerCertificate: /([^\n:]*):([^\n]*)(?:\n|$)/g over the joined lines.
  for (const m of lines.join('\n').matchAll(/([^\n:]*):([^\n]*)(?:\n|$)/g)) {
    const key = m[1]!;
    let val = m[2]!;
    if (val.charCodeAt(0) === 0x22) val = JSON.parse(val) as string;
    (out[key] ??= []).push(val);
  }
  return out;
}

function subjectAltNameString(cert: Certificate): string | undefined {
  const names = cert.subjectAltNames;
  if (!names) return undefined;
  const parts: string[] = [];
  for (const gn of names) {
    const s = formatGeneralNameNode(gn);
    if (s === undefined) return undefined;
    parts.push(s);
  }
  return parts.join(', ');
}

/**
 * Node's object for one certificate (`getPeerCertificate(false)`, `getCertificate()`), without
 * `issuerCertificate`.
 */
export function toNodeCertificate(cert: Certificate): NodeCertificateObject {
  const o: Partial<NodeCertificateObject> = {};
  const subject = nameToNodeObject(cert.subjectName);
  if (subject) o.subject = subject;
  const issuer = nameToNodeObject(cert.issuerName);
  if (issuer) o.issuer = issuer;
  const san = subjectAltNameString(cert);
  if (san !== undefined) o.subjectaltname = san;
  const ia = infoAccessObject(cert);
  if (ia) o.infoAccess = ia;
  o.ca = caKind(cert) === 1;
  const key = cert.publicKey;
  if (key.kind === 'rsa') {
    o.modulus = key.n.toString(16).toUpperCase();
    o.bits = key.bits;
    // BN_get_word: an exponent beyond 64 bits reads as all ones.
    o.exponent = '0x' + (key.e < 1n << 64n ? key.e : (1n << 64n) - 1n).toString(16);
    o.pubkey = encodeSpki(key);
  } else if (key.kind === 'ec') {
    o.bits = key.curve === 'secp256r1' ? 256 : 384;
    o.pubkey = key.publicKey.slice();
    o.asn1Curve = key.curve === 'secp256r1' ? 'prime256v1' : 'secp384r1';
    o.nistCurve = key.curve === 'secp256r1' ? 'P-256' : 'P-384';
  }
  o.valid_from = formatTimeOpenssl(cert.notBefore);
  o.valid_to = formatTimeOpenssl(cert.notAfter);
  o.fingerprint = colonHex(sha1(cert.der));
  o.fingerprint256 = colonHex(sha256(cert.der));
  o.fingerprint512 = colonHex(sha512(cert.der));
  if (cert.extKeyUsage) o.ext_key_usage = [...cert.extKeyUsage];
  o.serialNumber = serialHex(cert.serialNumber);
  o.raw = cert.der.slice();
  return o as NodeCertificateObject;
}

/** Input of {@link nodePeerCertificate}: what the peer sent and what the server trusts. */
export interface NodePeerCertificateOptions {
  /** The certificates the peer sent, leaf first. */
  readonly chain: readonly Certificate[];
  /** The trusted certificates (`ca`), where Node completes the chain. */
  readonly ca: readonly Certificate[];
  /** Now, milliseconds since the epoch: among several issuers in `ca`, one valid now is preferred. */
  readonly now: number;
  /** `getPeerCertificate(detailed)`: link `issuerCertificate`s. */
  readonly detailed: boolean;
}

/**
 * Node's `getPeerCertificate(detailed)` for a peer that sent `chain` (Node's `GetPeerCert`).
 * Detailed: each `issuerCertificate` is the first remaining certificate the peer sent that
 * issued the previous one (names, key identifier, algorithm and keyCertSign, as OpenSSL's
 * `X509_check_issued` decides), then issuers from `ca` (preferring one valid at `now`); when the
 * last one issued itself, its `issuerCertificate` is itself.
 * @throws TypeError for an empty `chain` (Node then returns `{}`, which the adapter does).
 */
export function nodePeerCertificate(options: NodePeerCertificateOptions): NodeCertificateObject {
  const { chain, ca, now, detailed } = options;
  if (!Array.isArray(chain) || chain.length === 0) throw new TypeError('nodePeerCertificate(options.chain): at least one certificate is required');
  const result = toNodeCertificate(chain[0]!);
  if (!detailed) return result;
  // AddIssuerChainToObject: the peer's own certificates, in any order.
  const rest = chain.slice(1);
  let cert = chain[0]!;
  let object = result;
  for (let guard = 0; guard <= chain.length; guard++) {
    const i = rest.findIndex((c) => checkIssued(c, cert));
    if (i < 0) break;
    const next = toNodeCertificate(rest[i]!);
    object.issuerCertificate = next;
    object = next;
    cert = rest.splice(i, 1)[0]!;
  }
  // GetLastIssuedCert: complete from the trusted certificates.
  const t = verificationSecond(now);
  let fromStore = false;
  for (let guard = 0; guard <= ca.length && !checkIssued(cert, cert); guard++) {
    const issuer = bestIssuer(ca, cert, t);
    if (!issuer) break;
    const next = toNodeCertificate(issuer);
    object.issuerCertificate = next;
    object = next;
    // A store certificate that "issued" itself without keyCertSign: Node stops here.
    if (fromStore && issuer === cert) break;
    cert = issuer;
    fromStore = true;
  }
  if (checkIssued(cert, cert)) object.issuerCertificate = object;
  return result;
}
