/**
 * Self-signed X.509 v3 server certificates (RFC 5280), for the CLI's default certificate and for
 * tests. Signing and the serial number go through the given {@link CryptoProvider}.
 */
import {
  derBitString,
  derBoolean,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTlv,
  derUint,
  Tag,
} from '../asn1/der';
import { Oid } from '../asn1/oids';
import { encodeSpki } from '../keys/encode';
import type { PrivateKey } from '../keys/types';
import { encodePem } from '../pem';
import type { CryptoProvider } from '../provider';
import { SignatureScheme } from '../provider';

/** Options of {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** The key to certify and to sign with (P-256, P-384, Ed25519 or RSA). */
  readonly key: PrivateKey;
  /** Subject and issuer commonName. */
  readonly commonName: string;
  /** subjectAltName dNSName entries (ASCII: IDNs as A-labels). Default: `[commonName]` when no IPs are given either. */
  readonly dnsNames?: readonly string[];
  /** subjectAltName iPAddress entries, IPv4 dotted or IPv6 text. */
  readonly ipAddresses?: readonly string[];
  /** Default: one hour before now (clock skew), whole seconds. */
  readonly notBefore?: Date;
  /** Default: `notBefore` + 365 days. */
  readonly notAfter?: Date;
  /** Unsigned big-endian, 1 to 20 bytes, not zero (RFC 5280 §4.1.2.2). Default: 16 random bytes. */
  readonly serialNumber?: Uint8Array;
}

const DAY_MS = 86_400_000;
/** RFC 5280 §4.1.2.2: "Certificate users MUST be able to handle serialNumber values up to 20 octets." */
const MAX_SERIAL_BYTES = 20;

/**
 * A self-signed X.509 v3 certificate for `options.key`: subject = issuer = CN, subjectAltName,
 * basicConstraints cA FALSE (critical), keyUsage digitalSignature (critical), extendedKeyUsage
 * serverAuth. Signed with ecdsa-with-SHA256 (P-256), ecdsa-with-SHA384 (P-384), Ed25519, or
 * sha256WithRSAEncryption (RSA) through `provider.sign`; a default serial comes from
 * `provider.random(16, 'certificate_serial')`.
 * @throws TypeError / RangeError for invalid options (names, IPs, serial, dates);
 *   CryptoError from the provider's `sign`.
 */
export function createSelfSignedCertificate(provider: CryptoProvider, options: SelfSignedCertificateOptions): { der: Uint8Array; pem: string } {
  const { key, commonName } = options;
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    throw new TypeError('createSelfSignedCertificate(options.commonName): 1 to 64 characters required (RFC 5280 ub-common-name)');
  }
  const ipAddresses = options.ipAddresses ?? [];
  const dnsNames = options.dnsNames ?? (ipAddresses.length === 0 ? [commonName] : []);
  for (const name of dnsNames) {
    if (!/^[\x21-\x7e]+$/.test(name)) throw new TypeError(`createSelfSignedCertificate(options.dnsNames): ${JSON.stringify(name)} is not an ASCII host name`);
  }
  const notBefore = options.notBefore ?? new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * DAY_MS);
  if (!(notAfter.getTime() >= notBefore.getTime())) throw new RangeError('createSelfSignedCertificate(options.notAfter): must not be before notBefore');

  let serial = options.serialNumber;
  if (serial === undefined) {
    serial = provider.random(16, 'certificate_serial');
    serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 significant bytes
  } else if (serial.length === 0 || serial.length > MAX_SERIAL_BYTES || serial.every((b) => b === 0)) {
    throw new RangeError(`createSelfSignedCertificate(options.serialNumber): 1 to ${MAX_SERIAL_BYTES} bytes, not zero`);
  }

  const { scheme, algorithm } = signatureAlgorithmFor(key);
  const name = derSequence(derSet(derSequence(derOid(Oid.commonName), derTlv(Tag.UTF8_STRING, new TextEncoder().encode(commonName)))));
  const generalNames = [
    ...dnsNames.map((d) => derTlv(0x82, new TextEncoder().encode(d))),
    ...ipAddresses.map((ip) => derTlv(0x87, parseIp(ip))),
  ];
  const extensions: Uint8Array[] = [
    // RFC 5280 §4.2.1.9 basicConstraints, critical, cA FALSE (DEFAULT → empty SEQUENCE)
    extension(Oid.basicConstraints, true, derSequence()),
    // §4.2.1.3 keyUsage, critical: digitalSignature (bit 0) → BIT STRING 07 80
    extension(Oid.keyUsage, true, derTlv(Tag.BIT_STRING, Uint8Array.of(0x07, 0x80))),
    // §4.2.1.12 extendedKeyUsage: id-kp-serverAuth
    extension(Oid.extKeyUsage, false, derSequence(derOid(Oid.serverAuth))),
  ];
  if (generalNames.length > 0) extensions.push(extension(Oid.subjectAltName, false, derSequence(...generalNames)));

  const tbs = derSequence(
    derTlv(0xa0, derUint(2n)), // version v3
    derUint(serial),
    algorithm,
    name,
    derSequence(encodeTime(notBefore), encodeTime(notAfter)),
    name,
    encodeSpki(key),
    derTlv(0xa3, derSequence(...extensions)),
  );
  const signature = provider.sign(key, scheme, tbs);
  const der = derSequence(tbs, algorithm, derBitString(signature));
  return { der, pem: encodePem('CERTIFICATE', der) };
}

function signatureAlgorithmFor(key: PrivateKey): { scheme: SignatureScheme; algorithm: Uint8Array } {
  switch (key.kind) {
    case 'ec':
      // RFC 5758 §3.2: the parameters field MUST be absent for ecdsa-with-SHA*
      return key.curve === 'secp256r1'
        ? { scheme: SignatureScheme.ecdsa_secp256r1_sha256, algorithm: derSequence(derOid(Oid.ecdsaWithSha256)) }
        : { scheme: SignatureScheme.ecdsa_secp384r1_sha384, algorithm: derSequence(derOid(Oid.ecdsaWithSha384)) };
    case 'ed25519':
      return { scheme: SignatureScheme.ed25519, algorithm: derSequence(derOid(Oid.ed25519)) }; // RFC 8410 §6
    case 'rsa':
      // RFC 4055 §5: sha256WithRSAEncryption with NULL parameters
      return { scheme: SignatureScheme.rsa_pkcs1_sha256, algorithm: derSequence(derOid(Oid.sha256WithRSAEncryption), derNull()) };
  }
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? derSequence(derOid(oid), derBoolean(true), derOctetString(value)) : derSequence(derOid(oid), derOctetString(value));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, Zulu. */
function encodeTime(date: Date): Uint8Array {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError('createSelfSignedCertificate: invalid date');
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 9999) throw new RangeError(`createSelfSignedCertificate: year ${y} cannot be encoded`);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const rest = p2(date.getUTCMonth() + 1) + p2(date.getUTCDate()) + p2(date.getUTCHours()) + p2(date.getUTCMinutes()) + p2(date.getUTCSeconds()) + 'Z';
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  return y < 2050 ? derTlv(Tag.UTC_TIME, ascii(p2(y % 100) + rest)) : derTlv(Tag.GENERALIZED_TIME, ascii(String(y) + rest));
}

/** IPv4 dotted quad → 4 bytes, IPv6 (with `::` and an optional trailing dotted quad) → 16 bytes. */
export function parseIp(text: string): Uint8Array {
  const bad = (): TypeError => new TypeError(`createSelfSignedCertificate(options.ipAddresses): invalid IP address ${JSON.stringify(text)}`);
  const v4 = (s: string): number[] | null => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (!m) return null;
    const parts = m.slice(1).map(Number);
    return parts.every((p, i) => p <= 255 && !(m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0'))) ? parts : null;
  };
  const four = v4(text);
  if (four) return Uint8Array.from(four);
  if (!text.includes(':')) throw bad();
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    parts.forEach((p, i) => {
      if (i === parts.length - 1 && p.includes('.')) {
        const q = v4(p);
        if (!q) throw bad();
        out.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) throw bad();
        out.push(parseInt(p, 16));
      }
    });
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) throw bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
