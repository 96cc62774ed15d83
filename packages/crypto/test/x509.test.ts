/**
 * Certificates: parsing (RFC 8448's certificate, openssl-made chains with SANs), the KeyError
 * reasons, key/certificate matching, and self-signed generation with both providers, checked by
 * `openssl x509 -text`, `openssl verify` and `node:crypto` `X509Certificate`.
 */
import * as nodeCrypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Oid } from '../src/asn1/oids';
import { isKeyError, type KeyErrorReason } from '../src/errors';
import { generateEcdsaP256Key } from '../src/keys/generate';
import { encodeSpki, privateKeyToPem } from '../src/keys/encode';
import { parsePrivateKey, publicKeyOf, publicKeysEqual } from '../src/keys/parse';
import type { PrivateKey } from '../src/keys/types';
import { createNobleProvider } from '../src/noble/provider';
import { createNodeProvider } from '../src/node/provider';
import { encodePem } from '../src/pem';
import type { CryptoProvider } from '../src/provider';
import { scriptedRandom, systemRandom } from '../src/random';
import { signatureSchemesFor } from '../src/signatures/schemes';
import { checkKeyMatchesCertificate, parseCertificateChain } from '../src/x509/certificate';
import { createSelfSignedCertificate, parseIp } from '../src/x509/self-signed';
import { hex, loadJson, toHex } from './vectors';

function expectKeyError(fn: () => unknown, reason: KeyErrorReason): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isKeyError(err) ? err.reason : err, String(err)).toBe(reason);
}

const dir = mkdtempSync(join(tmpdir(), 'puretls-x509-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], cwd: dir });
}
function file(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

const s2 = loadJson<{ derived: Record<string, string> }>('rfc8448-section2.json');
const s6 = loadJson<{ values: Record<string, string> }>('rfc8448-section6.json');

describe('parseCertificateChain', () => {
  it('RFC 8448 §2 RSA certificate (PEM and DER)', () => {
    const [pemCert] = parseCertificateChain(s2.derived['server_certificate_pem']!);
    const [derCert] = parseCertificateChain(hex(s2.derived['server_certificate_der']!));
    for (const cert of [pemCert!, derCert!]) {
      expect(cert.version).toBe(3);
      expect(cert.subjectCommonName).toBe('rsa');
      expect(cert.signatureAlgorithmOid).toBe(Oid.sha256WithRSAEncryption);
      expect(cert.publicKey.kind).toBe('rsa');
      // RFC 8448 README: "The RSA and ECDSA certificates expire on 2026-07-30"
      expect(new Date(cert.notAfter).toISOString()).toBe('2026-07-30T01:23:59.000Z');
      expect(new Date(cert.notBefore).toISOString()).toBe('2016-07-30T01:23:59.000Z');
      expect(signatureSchemesFor(cert.publicKey, 'tls1.3')).toEqual([0x0804, 0x0805]); // RSA-1024: no PSS-SHA512
    }
    const key = parsePrivateKey(s2.derived['server_private_key_pkcs8_pem']!, { allowWeakRsa: true });
    checkKeyMatchesCertificate(key, pemCert!);
  });

  it('RFC 8448 §6 ECDSA certificate, sliced from the Certificate message', () => {
    const msg = hex(Object.entries(s6.values).find(([k]) => k === 'server.certificate')![1]);
    // Certificate: type(1) len(3) context<0..255>(1 + 0) certificate_list<3>: cert_data<3>
    const certLen = (msg[8]! << 16) | (msg[9]! << 8) | msg[10]!;
    const [cert] = parseCertificateChain(msg.subarray(11, 11 + certLen));
    expect(cert!.publicKey.kind).toBe('ec');
    expect(signatureSchemesFor(cert!.publicKey)).toEqual([0x0403]);
  });

  it('an openssl chain with SANs (DNS + IP), leaf first; intermediate marked CA', () => {
    const caKey = file('ca.key', openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']));
    const ca = file('ca.pem', openssl(['req', '-x509', '-key', caKey, '-subj', '/O=Test/CN=Test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE']));
    const leafKeyPem = openssl(['genpkey', '-algorithm', 'ED25519']);
    const leafKey = file('leaf.key', leafKeyPem);
    const csr = file('leaf.csr', openssl(['req', '-new', '-key', leafKey, '-subj', '/CN=example.test']));
    const ext = file('ext.cnf', 'subjectAltName=DNS:example.test,DNS:*.example.test,IP:192.0.2.7,IP:2001:db8::1\n');
    const leaf = openssl(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-days', '10', '-extfile', ext, '-set_serial', '0x00ff']);
    const chain = parseCertificateChain(leaf + '\n' + openssl(['x509', '-in', ca]));
    expect(chain).toHaveLength(2);
    const [l, c] = chain as [(typeof chain)[0], (typeof chain)[0]];
    expect(l.subjectCommonName).toBe('example.test');
    expect(l.dnsNames).toEqual(['example.test', '*.example.test']);
    expect(l.ipAddresses).toEqual(['192.0.2.7', '2001:db8:0:0:0:0:0:1']);
    expect(l.isCa).toBe(false);
    expect(c.isCa).toBe(true);
    expect(c.subjectCommonName).toBe('Test CA');
    expect(toHex(l.issuer)).toBe(toHex(c.subject));
    expect(l.signatureAlgorithmOid).toBe(Oid.ecdsaWithSha256); // openssl's default digest
    expect(toHex(l.serialNumber)).toBe('00ff');
    expect(l.notAfter - l.notBefore).toBe(10 * 86_400_000);
    checkKeyMatchesCertificate(parsePrivateKey(leafKeyPem), l);
    expectKeyError(() => checkKeyMatchesCertificate(parsePrivateKey(leafKeyPem), c), 'KeyCertificateMismatch');
    // DER concatenation parses the same
    const ders = new Uint8Array([...l.der, ...c.der]);
    expect(parseCertificateChain(ders).map((x) => toHex(x.der))).toEqual(chain.map((x) => toHex(x.der)));
  });

  it('KeyError reasons: NoCertificate, NotPem, MalformedDer, UnsupportedCurve, KeyCertificateMismatch', () => {
    expectKeyError(() => parseCertificateChain(''), 'NoCertificate');
    expectKeyError(() => parseCertificateChain(new Uint8Array(0)), 'NoCertificate');
    expectKeyError(() => parseCertificateChain(' \n'), 'NoCertificate');
    expectKeyError(() => parseCertificateChain(s2.derived['server_private_key_pkcs8_pem']!), 'NoCertificate');
    expectKeyError(() => parseCertificateChain('just some text'), 'NotPem');
    const der = hex(s2.derived['server_certificate_der']!);
    expectKeyError(() => parseCertificateChain(der.subarray(0, der.length - 3)), 'MalformedDer');
    expectKeyError(() => parseCertificateChain(new Uint8Array([...der, 0])), 'MalformedDer');
    expectKeyError(() => parseCertificateChain(new Uint8Array([0x30, 0x80, 0, 0])), 'MalformedDer');
    expectKeyError(() => parseCertificateChain(encodePem('CERTIFICATE', der.subarray(4))), 'MalformedDer');
    const k1 = file('k1.key', openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-noout']));
    expectKeyError(() => parseCertificateChain(openssl(['req', '-x509', '-key', k1, '-subj', '/CN=k1', '-days', '1'])), 'UnsupportedCurve');
    const [rsaCert] = parseCertificateChain(der);
    const other = parsePrivateKey(nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    expectKeyError(() => checkKeyMatchesCertificate(other, rsaCert!), 'KeyCertificateMismatch');
  });
});

const PROVIDERS: readonly { name: string; create: () => CryptoProvider }[] = [
  { name: 'noble', create: () => createNobleProvider() },
  { name: 'node', create: () => createNodeProvider() },
];

describe.each(PROVIDERS)('createSelfSignedCertificate ($name)', ({ name, create }) => {
  const keys: [string, PrivateKey, string][] = [
    ['P-256', generateEcdsaP256Key(createNobleProvider()), 'ecdsa-with-SHA256'],
    ['P-384', parsePrivateKey(nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), 'ecdsa-with-SHA384'],
    ['Ed25519', parsePrivateKey(nodeCrypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), 'ED25519'],
    ['RSA-2048', parsePrivateKey(nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), 'sha256WithRSAEncryption'],
  ];
  it.each(keys)('%s: verifies with X509Certificate and openssl, parses back', (label, key, algName) => {
    const provider = create();
    const { der, pem } = createSelfSignedCertificate(provider, {
      key,
      commonName: 'localhost',
      dnsNames: ['localhost', 'puretls.test'],
      ipAddresses: ['127.0.0.1', '::1'],
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'), // GeneralizedTime from 2050 on
    });
    const x = new nodeCrypto.X509Certificate(pem);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkHost('puretls.test')).toBe('puretls.test');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.ca).toBe(false);
    expect(toHex(new Uint8Array(x.raw))).toBe(toHex(der));
    const text = openssl(['x509', '-noout', '-text'], pem);
    expect(text).toContain(`Signature Algorithm: ${algName}`);
    expect(text).toContain('CA:FALSE');
    expect(text).toContain('Digital Signature');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('DNS:localhost, DNS:puretls.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('Not After : Jan  1 00:00:00 2051 GMT');
    const certFile = file(`self-${name}-${label}.pem`, pem);
    // openssl verify: the certificate is its own trust anchor (self-signed, purpose check skipped)
    expect(openssl(['verify', '-CAfile', certFile, '-partial_chain', '-attime', '1800000000', certFile])).toContain(': OK');
    const [parsed] = parseCertificateChain(pem);
    expect(parsed!.subjectCommonName).toBe('localhost');
    expect(parsed!.dnsNames).toEqual(['localhost', 'puretls.test']);
    expect(parsed!.ipAddresses).toEqual(['127.0.0.1', '0:0:0:0:0:0:0:1']);
    expect(toHex(parsed!.spki)).toBe(toHex(encodeSpki(key)));
    checkKeyMatchesCertificate(key, parsed!);
    expect(publicKeysEqual(parsed!.publicKey, publicKeyOf(key))).toBe(true);
  });

  it('defaults: serial from provider.random(16, certificate_serial), SAN = [commonName], one-year validity', () => {
    const serial = new Uint8Array(16).fill(0xff);
    const random = scriptedRandom([{ bytes: serial, purpose: 'certificate_serial' }], { whenExhausted: systemRandom() });
    const provider = name === 'noble' ? createNobleProvider({ random }) : createNodeProvider({ random });
    const key = generateEcdsaP256Key(createNobleProvider());
    const { pem } = createSelfSignedCertificate(provider, { key, commonName: 'puretls.local' });
    const [cert] = parseCertificateChain(pem);
    expect(toHex(cert!.serialNumber)).toBe('7f' + 'ff'.repeat(15));
    expect(cert!.dnsNames).toEqual(['puretls.local']);
    expect(cert!.notAfter - cert!.notBefore).toBe(365 * 86_400_000);
    expect(new nodeCrypto.X509Certificate(pem).verify(nodeCrypto.createPublicKey(privateKeyToPem(key)))).toBe(true);
  });
});

describe('createSelfSignedCertificate option checks', () => {
  const provider = createNobleProvider();
  const key = generateEcdsaP256Key(provider);
  it('rejects bad names, IPs, serials and dates', () => {
    expect(() => createSelfSignedCertificate(provider, { key, commonName: '' })).toThrow(TypeError);
    expect(() => createSelfSignedCertificate(provider, { key, commonName: 'a', dnsNames: ['bücher.example'] })).toThrow(TypeError);
    expect(() => createSelfSignedCertificate(provider, { key, commonName: 'a', ipAddresses: ['256.1.1.1'] })).toThrow(TypeError);
    expect(() => createSelfSignedCertificate(provider, { key, commonName: 'a', serialNumber: new Uint8Array(21).fill(1) })).toThrow(RangeError);
    expect(() => createSelfSignedCertificate(provider, { key, commonName: 'a', serialNumber: new Uint8Array(3) })).toThrow(RangeError);
    expect(() => createSelfSignedCertificate(provider, { key, commonName: 'a', notBefore: new Date(2000, 1), notAfter: new Date(1999, 1) })).toThrow(RangeError);
  });
  it('parseIp', () => {
    expect(toHex(parseIp('10.0.0.1'))).toBe('0a000001');
    expect(toHex(parseIp('::'))).toBe('00'.repeat(16));
    expect(toHex(parseIp('2001:db8::ff00:42:8329'))).toBe('20010db8000000000000ff0000428329');
    expect(toHex(parseIp('::ffff:192.0.2.128'))).toBe('00000000000000000000ffffc0000280');
    for (const bad of ['1.2.3', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7']) expect(() => parseIp(bad)).toThrow(TypeError);
  });
});
