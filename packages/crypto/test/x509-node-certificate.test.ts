/**
 * Node's certificate object (`toNodeCertificate`, `nodePeerCertificate`) compared field by field
 * with Node's own: `crypto.X509Certificate#toLegacyObject()` for single certificates (RSA,
 * P-256, P-384, Ed25519; subjectAltNames of every kind including names Node must escape,
 * multi-valued and repeated RDNs, UTF8String and BMPString names, authorityInfoAccess, serials),
 * and a Node `tls` server's `getPeerCertificate(true)` for whole chains.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { derOid, derSequence, derTlv } from '../src/asn1/der';
import { bytesToHex } from '../src/bytes';
import { parseCertificateChain } from '../src/x509/certificate';
import { formatTimeOpenssl, nodePeerCertificate, toNodeCertificate, type NodeCertificateObject } from '../src/x509/node-certificate';
import { nodeAuthorization, Pki } from './pki';

const pki = new Pki();
afterAll(() => pki.close());

const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
pki.key('root', 'p256');
pki.key('int', 'p256');
pki.key('leaf', 'p256');
pki.key('p384', 'p384');
pki.key('rsa', 'rsa');
pki.key('ed', 'ed25519');
pki.key('srv', 'p256');
pki.issue('root', { subject: '/CN=Node Root/O=Test', key: 'root', ext: CA });
pki.issue('int', { subject: '/CN=Node Int/O=Test', key: 'int', issuer: 'root', ext: CA + 'authorityKeyIdentifier=keyid\n' });
const server = { key: pki.keyPem('srv'), cert: pki.issue('srv', { subject: '/CN=server', key: 'srv' }) };

/** DER-hex of a GeneralNames SEQUENCE, for names `openssl`'s config syntax cannot write. */
function sanDer(...names: Uint8Array[]): string {
  return 'DER:' + bytesToHex(derSequence(...names));
}
const ia5 = (tag: number, bytes: number[]): Uint8Array => derTlv(tag, Uint8Array.from(bytes));
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

const LEAF = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,serverAuth,1.2.3.4\nauthorityKeyIdentifier=keyid\n';
pki.issue('rsaLeaf', {
  subject:
    '/C=DE/ST=Bayern/L=München/O=Zürich AG/OU=b+OU=a/OU=Ops/CN=José Ñandú/emailAddress=jose@example.com/serialNumber=42/title=Dr/GN=José/SN=Ñandú' +
    '/street=Main St 1/postalCode=80331/businessCategory=Private Organization/jurisdictionC=DE/organizationIdentifier=VATDE-1/pseudonym=pj' +
    '/dnQualifier=q1/initials=JN/generationQualifier=Jr/description=a, b + "c"/name=Jose/UID=jn/DC=example/DC=com/myattr=unknown attr',
  reqConfig: 'oid_section=o\n[o]\nmyattr=1.2.3.4.5\n[req]\ndistinguished_name=dn\n[dn]\n',
  key: 'rsa',
  issuer: 'int',
  serial: '00FF',
  ext:
    LEAF +
    'subjectAltName=@alt\nauthorityInfoAccess=@aia\n' +
    '[alt]\nDNS.1 = a.example\nDNS.2 = *.wild.example\nDNS.3 = a,b.example\nIP.1 = 127.0.0.1\nIP.2 = 2001:db8::1\nIP.3 = ::\n' +
    'email.1 = jose@example.com\nURI.1 = https://example.com/p?q=1\nURI.2 = http://x.example/a,b\nRID.1 = 1.2.3.4.5.6\n' +
    'dirName.1 = dn\notherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com\notherName.2 = 1.3.6.1.5.5.7.8.7;IA5:_sip._tcp.example\n' +
    'otherName.3 = 1.3.6.1.5.5.7.8.5;UTF8:xmpp@example.com\notherName.4 = 1.2.3.4;UTF8:opaque\notherName.5 = 1.3.6.1.5.5.7.8.7;UTF8:not-ia5\n' +
    '[dn]\nCN = a, "b"\nO = x+y\nOU = \\#lead\nC = DE\n' +
    '[aia]\nOCSP;URI.1 = http://ocsp.example/\ncaIssuers;URI.2 = http://ca.example/ca.crt\nOCSP;URI.3 = http://o2.example/a,b\n1.2.3.4;URI.4 = http://other.example/\n',
});
pki.issue('p256Leaf', { subject: '/CN=p256', key: 'leaf', issuer: 'int', serial: '7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', ext: LEAF + 'subjectAltName=DNS:p256.example,IP:10.0.0.1\n' });
pki.issue('p384Leaf', { subject: '/CN=p384', key: 'p384', issuer: 'int', serial: '01', ext: LEAF + 'subjectAltName=email:p384@example.com\n' });
pki.issue('edLeaf', { subject: '/CN=ed', key: 'ed', issuer: 'int', ext: LEAF });
pki.issue('oddSan', {
  subject: '/CN=odd',
  key: 'leaf',
  issuer: 'int',
  ext:
    LEAF +
    'subjectAltName=' +
    sanDer(
      ia5(0x82, ascii('quo"te.example')),
      ia5(0x82, ascii('back\\slash.example')),
      ia5(0x82, ascii("it's.example")),
      ia5(0x82, [0x63, 0x74, 0x6c, 0x0a, 0x09, 0x7f]),
      ia5(0x82, [0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9, 0xff]),
      ia5(0x81, ascii('a,b@example.com')),
      ia5(0x86, ascii('http://x/"q"')),
      ia5(0x87, [1, 2, 3]),
      derTlv(0xa0, derOid('1.3.6.1.4.1.311.20.2.3'), derTlv(0xa0, derTlv(0x0c, new TextEncoder().encode('jörg,x@example')))),
    ) +
    '\n',
});
pki.issue('caNoSign', { subject: '/CN=CA without keyCertSign', key: 'int', issuer: 'root', ext: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n' });
pki.issue('bmp', { subject: '/CN=日本 𝄞/O=Ünï', key: 'leaf', issuer: 'int', ext: LEAF, reqConfig: '[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n' });

/** Node's object with Buffers as Uint8Arrays and cycles marked, for a structural comparison. */
function normalize(o: unknown, seen = new Map<object, string>(), path = '$'): unknown {
  if (o instanceof Uint8Array) return new Uint8Array(o);
  if (Array.isArray(o)) return o.map((v, i) => normalize(v, seen, `${path}[${i}]`));
  if (o !== null && typeof o === 'object') {
    const prev = seen.get(o);
    if (prev !== undefined) return `[cycle to ${prev}]`;
    seen.set(o, path);
    const out = Object.create(Object.getPrototypeOf(o) as object | null) as Record<string, unknown>;
    for (const k of Object.keys(o)) out[k] = normalize((o as Record<string, unknown>)[k], seen, `${path}.${k}`);
    return out;
  }
  return o;
}

function keyPaths(o: unknown, seen = new Set<object>()): string[] {
  if (o === null || typeof o !== 'object' || o instanceof Uint8Array || seen.has(o)) return [];
  seen.add(o);
  return Object.keys(o).flatMap((k) => [k, ...keyPaths((o as Record<string, unknown>)[k], seen).map((p) => `${k}.${p}`)]);
}

describe('toNodeCertificate equals X509Certificate#toLegacyObject()', () => {
  it.each(['rsaLeaf', 'p256Leaf', 'p384Leaf', 'edLeaf', 'oddSan', 'bmp', 'int', 'root', 'caNoSign', 'srv'])('%s', (name) => {
    const pem = pki.pem(name);
    const ours = toNodeCertificate(parseCertificateChain(pem)[0]!);
    const node = new X509Certificate(pem).toLegacyObject();
    expect(keyPaths(ours)).toEqual(keyPaths(node));
    expect(normalize(ours)).toStrictEqual(normalize(node));
  });

  it('the fields the issue names carry the expected shapes', () => {
    const o = toNodeCertificate(parseCertificateChain(pki.pem('rsaLeaf'))[0]!);
    expect(o.subject).toMatchObject({ C: 'DE', O: 'Zürich AG', OU: ['a', 'b', 'Ops'], CN: 'José Ñandú', DC: ['example', 'com'], '1.2.3.4.5': 'unknown attr' });
    expect(Object.getPrototypeOf(o.subject)).toBeNull();
    expect(o.subjectaltname).toContain('DNS:"a\\u002cb.example"');
    expect(o.subjectaltname).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    expect(o.infoAccess?.['OCSP - URI']).toEqual(['http://ocsp.example/', 'http://o2.example/a,b']);
    expect(o.serialNumber).toBe('FF');
    expect(o.exponent).toBe('0x10001');
    expect(o.bits).toBe(2048);
    expect(o.valid_from).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
    expect(o.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1', '1.2.3.4']);
  });

  it("valid_from / valid_to use OpenSSL's ASN1_TIME_print layout", () => {
    expect(formatTimeOpenssl(Date.UTC(2025, 2, 4, 12, 0, 0))).toBe('Mar  4 12:00:00 2025 GMT');
    expect(formatTimeOpenssl(Date.UTC(2051, 11, 31, 23, 59, 59))).toBe('Dec 31 23:59:59 2051 GMT');
  });
});

describe('nodePeerCertificate equals a Node tls server’s getPeerCertificate()', () => {
  pki.issue('clientLeaf', { subject: '/CN=client', key: 'leaf', issuer: 'int', ext: LEAF + 'subjectAltName=email:client@example.com\n' });
  it.each([
    { what: 'leaf and intermediate sent, root trusted', chain: ['clientLeaf', 'int'], ca: ['root'] },
    { what: 'leaf only, completed from ca', chain: ['clientLeaf'], ca: ['root', 'int'] },
    { what: 'out-of-order chain with the root', chain: ['clientLeaf', 'root', 'int'], ca: ['root'] },
    { what: 'chain ending below an untrusted issuer', chain: ['clientLeaf', 'int'], ca: ['srv'] },
  ])('$what', async ({ chain, ca }) => {
    const n = await nodeAuthorization({ server, ca: pki.bundle(ca), chain: pki.bundle(chain), key: pki.keyPem('leaf') });
    const ours = nodePeerCertificate({ chain: parseCertificateChain(pki.bundle(chain)), ca: parseCertificateChain(pki.bundle(ca)), now: Date.now(), detailed: true });
    expect(keyPaths(ours)).toEqual(keyPaths(n.peer));
    expect(normalize(ours)).toStrictEqual(normalize(n.peer));
  });

  it('a self-signed root is its own issuerCertificate', () => {
    const ours = nodePeerCertificate({ chain: parseCertificateChain(pki.bundle(['clientLeaf', 'int'])), ca: parseCertificateChain(pki.pem('root')), now: Date.now(), detailed: true });
    const root = ours.issuerCertificate!.issuerCertificate!;
    expect(root.subject).toMatchObject({ CN: 'Node Root' });
    expect(root.issuerCertificate).toBe(root);
  });

  it('not detailed: the leaf alone', () => {
    const ours: NodeCertificateObject = nodePeerCertificate({ chain: parseCertificateChain(pki.bundle(['clientLeaf', 'int'])), ca: [], now: Date.now(), detailed: false });
    expect(ours.issuerCertificate).toBeUndefined();
    expect(ours.subject).toMatchObject({ CN: 'client' });
  });

  it('an empty chain is API misuse', () => {
    expect(() => nodePeerCertificate({ chain: [], ca: [], now: 0, detailed: true })).toThrow(/options\.chain/);
  });
});
