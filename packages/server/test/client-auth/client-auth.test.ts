/**
 * Client certificate authentication in memory (RFC 8446 §4.3.2, §4.4.2–§4.4.3; RFC 5246 §7.4.4,
 * §7.4.6, §7.4.8), both versions and both server crypto providers, through `ServerConnection`:
 * the CertificateRequest we send, chains that verify, chains that do not (rejected with the
 * alert of the first verification error, or accepted unauthenticated with Node's code), the
 * CertificateVerify checks, the verifier's clock, and the options.
 */
import { sign as nodeSign } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificateChain } from '@puretls/crypto';
import { AlertDescription } from '@puretls/record-layer';
import {
  CLIENT_SIGNATURE_SCHEMES12,
  CLIENT_SIGNATURE_SCHEMES13,
  ExtensionType,
  findExtension,
  readCertificateAuthorities,
  readSignatureSchemeList,
  writeHandshake,
} from '@puretls/handshake-state-machine/internal';
import { ServerContext, type ServerContextOptions } from '../../src/index';
import { ClientPki, type ClientKind } from '@puretls/test-support/client-pki';
import { mtlsHandshake, type MtlsResult, type TlsVersion } from '@puretls/test-support/harness-mtls';
import { TestClient13, type ClientAuthAnswer } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const pki = new ClientPki();
afterAll(() => pki.close());

const VERSIONS: TlsVersion[] = ['1.3', '1.2'];
const PROVIDERS = ['noble', 'node'] as const;

function context(extra: Partial<ServerContextOptions> = {}): ServerContext {
  const server = pki.server();
  return new ServerContext({ certificates: [{ cert: server.chainPem, key: server.keyPem }], requestCert: true, ca: pki.caPem, ...extra });
}
const present = (kind: ClientKind, over: Partial<ClientAuthAnswer> = {}): ClientAuthAnswer => ({ chain: pki.client(kind).chain, key: pki.client(kind).key, ...over });
const failure = (r: MtlsResult) => r.errors.map((e) => `${e.alert} ${e.reason}`);

describe.each(PROVIDERS)('server provider %s', (crypto) => {
  describe.each(VERSIONS)('TLS %s', (version) => {
    it.each(['p256', 'p384', 'rsa', 'ed25519', 'intermediate'] as ClientKind[])('a %s client certificate that verifies: authorized, the chain as sent', (kind) => {
      const r = mtlsHandshake(version, context({ crypto }), { answer: present(kind) });
      expect(r.errors).toEqual([]);
      expect(r.conn.phase).toBe('open');
      expect(r.info?.clientAuth).toEqual({ peerCertificates: pki.client(kind).chain, authorized: true, error: undefined });
    });

    it('rejectUnauthorized (the default), no certificate: the RFC alert', () => {
      const r = mtlsHandshake(version, context({ crypto }), { answer: { chain: [] } });
      // RFC 8446 §4.4.2.4 certificate_required; RFC 5246 §7.4.6 handshake_failure.
      expect(failure(r)).toEqual([version === '1.3' ? 'certificate_required ClientCertificateRequired' : 'handshake_failure NoClientCertificate']);
      expect(r.alerts.at(-1)).toBe(AlertDescription[version === '1.3' ? 'certificate_required' : 'handshake_failure']);
      expect(r.conn.phase).toBe('closed');
    });

    // The alert of the first verification error (OpenSSL's choice, ssl_x509err2alert); the message names Node's code.
    it.each([
      ['expired', 'certificate_expired ClientCertificateExpired', 'CERT_HAS_EXPIRED'],
      ['notYetValid', 'bad_certificate ClientCertificateBad', 'CERT_NOT_YET_VALID'],
      ['selfSigned', 'unknown_ca ClientCertificateUnknownCa', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      ['otherCa', 'unknown_ca ClientCertificateUnknownCa', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      ['serverAuthOnly', 'unsupported_certificate ClientCertificateUnsupported', 'INVALID_PURPOSE'],
      ['criticalExtension', 'certificate_unknown ClientCertificateUnknown', 'UNSPECIFIED'],
      ['badSignature', 'decrypt_error ClientCertificateBadSignature', 'CERT_SIGNATURE_FAILURE'],
    ] as [ClientKind, string, string][])('rejectUnauthorized, a %s chain: %s', (kind, expected, code) => {
      const r = mtlsHandshake(version, context({ crypto }), { answer: present(kind) });
      expect(failure(r)).toEqual([expected]);
      expect(r.errors[0]!.message).toContain(`(${code})`);
      expect(r.alerts.at(-1)).toBe(AlertDescription[expected.split(' ')[0] as keyof typeof AlertDescription]);
    });

    it.each([
      ['expired', 'CERT_HAS_EXPIRED'],
      ['notYetValid', 'CERT_NOT_YET_VALID'],
      ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      ['otherCa', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      ['serverAuthOnly', 'INVALID_PURPOSE'],
      ['criticalExtension', 'UNSPECIFIED'],
      ['badSignature', 'CERT_SIGNATURE_FAILURE'],
    ] as [ClientKind, string][])('rejectUnauthorized: false, a %s chain: connected, not authorized, %s (Node’s code)', (kind, code) => {
      const r = mtlsHandshake(version, context({ crypto, rejectUnauthorized: false }), { answer: present(kind) });
      expect(r.errors).toEqual([]);
      expect(r.info?.clientAuth).toEqual({ peerCertificates: pki.client(kind).chain, authorized: false, error: code });
    });

    it('rejectUnauthorized: false, no certificate: connected, UNABLE_TO_GET_ISSUER_CERT (Node’s value)', () => {
      const r = mtlsHandshake(version, context({ crypto, rejectUnauthorized: false }), { answer: { chain: [] } });
      expect(r.errors).toEqual([]);
      expect(r.info?.clientAuth).toEqual({ peerCertificates: [], authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT' });
    });

    it('a CertificateVerify that does not verify (another key, or a flipped bit): decrypt_error, even with rejectUnauthorized: false', () => {
      for (const rejectUnauthorized of [true, false]) {
        const otherKey = mtlsHandshake(version, context({ crypto, rejectUnauthorized }), { answer: present('p256', { key: pki.client('selfSigned').key }) });
        expect(failure(otherKey)).toEqual(['decrypt_error BadCertificateVerify']);
        expect(otherKey.alerts.at(-1)).toBe(AlertDescription.decrypt_error);
        const flipped = mtlsHandshake(version, context({ crypto, rejectUnauthorized }), { answer: present('rsa', { corruptSignature: true }) });
        expect(failure(flipped)).toEqual(['decrypt_error BadCertificateVerify']);
      }
    });

    it('a CertificateVerify scheme we did not offer: illegal_parameter', () => {
      // TLS 1.3: rsa_pkcs1_sha256 is not for CertificateVerify (RFC 8446 §4.2.3); TLS 1.2: rsa_pkcs1_sha1 is not offered.
      const scheme = version === '1.3' ? 0x0401 : 0x0201;
      const r = mtlsHandshake(version, context({ crypto }), { answer: present('rsa', { scheme, ...(version === '1.2' ? { signature: new Uint8Array(256).fill(1) } : {}) }) });
      expect(failure(r)).toEqual(['illegal_parameter CertificateVerifySchemeNotOffered']);
      expect(r.alerts.at(-1)).toBe(AlertDescription.illegal_parameter);
    });

    it('a scheme offered but not for the key (ECDSA for an RSA key): illegal_parameter', () => {
      const r = mtlsHandshake(version, context({ crypto }), { answer: present('rsa', { scheme: 0x0403, signature: new Uint8Array(70).fill(1) }) });
      expect(failure(r)).toEqual(['illegal_parameter CertificateVerifySchemeKeyMismatch']);
    });

    it('a chain without its CertificateVerify: unexpected_message', () => {
      const r = mtlsHandshake(version, context({ crypto }), { answer: present('p256', { omitCertificateVerify: true }) });
      // TLS 1.3: the Finished comes instead; TLS 1.2: the ChangeCipherSpec (RFC 5246 §7.4.8: CertificateVerify first).
      expect(failure(r)).toEqual([version === '1.3' ? 'unexpected_message UnexpectedHandshakeMessage' : 'unexpected_message UnexpectedChangeCipherSpec']);
    });

    it('a certificate that is not DER: decode_error', () => {
      const r = mtlsHandshake(version, context({ crypto, rejectUnauthorized: false }), { answer: { chain: [Uint8Array.of(0x30, 0x01, 0x00)] } });
      expect(failure(r)).toEqual(['decode_error MalformedClientCertificate']);
    });
  });

  it('TLS 1.2: an ECDSA code names only the hash (RFC 5246 §7.4.1.4.1): a P-384 key may sign ecdsa_secp256r1_sha256', () => {
    // Signed by OpenSSL (through Node): our providers pair ECDSA schemes with their curve.
    const sign = (content: Uint8Array) => nodeSign('sha256', content, { key: pki.client('p384').keyPem, dsaEncoding: 'der' });
    const r = mtlsHandshake('1.2', context({ crypto }), { answer: present('p384', { scheme: 0x0403, sign }) });
    expect(r.errors).toEqual([]);
    expect(r.info?.clientAuth?.authorized).toBe(true);
  });

  it('TLS 1.3: an ECDSA scheme names its curve (RFC 8446 §4.2.3): the same is illegal_parameter', () => {
    const r = mtlsHandshake('1.3', context({ crypto }), { answer: present('p384', { scheme: 0x0403, signature: new Uint8Array(70).fill(1) }) });
    expect(failure(r)).toEqual(['illegal_parameter CertificateVerifySchemeKeyMismatch']);
  });
});

describe('the CertificateRequest', () => {
  const caSubject = parseCertificateChain(pki.caPem)[0]!.subject;

  it('TLS 1.3 (RFC 8446 §4.3.2): empty context; signature_algorithms, signature_algorithms_cert (it differs), certificate_authorities = the CA names', () => {
    const r = mtlsHandshake('1.3', context(), { answer: present('p256') });
    const cr = (r.client as TestClient13).certificateRequest!;
    expect(cr.requestContext).toEqual(new Uint8Array(0));
    expect(cr.extensions.map((e) => e.type)).toEqual([ExtensionType.signature_algorithms, ExtensionType.signature_algorithms_cert, ExtensionType.certificate_authorities]);
    expect(readSignatureSchemeList(findExtension(cr.extensions, ExtensionType.signature_algorithms)!.data)).toEqual([...CLIENT_SIGNATURE_SCHEMES13]);
    expect(CLIENT_SIGNATURE_SCHEMES13).not.toContain(0x0401); // no PKCS#1 v1.5 for CertificateVerify
    expect(readSignatureSchemeList(findExtension(cr.extensions, ExtensionType.signature_algorithms_cert)!.data)).toEqual([...CLIENT_SIGNATURE_SCHEMES12]);
    expect(readCertificateAuthorities(findExtension(cr.extensions, ExtensionType.certificate_authorities)!.data)).toEqual([caSubject]);
    // In the server's flight after EncryptedExtensions, before Certificate (RFC 8446 §2).
    expect(r.client.received.map((m) => m.type)).toEqual([2, 8, 13, 11, 15, 20, 4, 4]);
  });

  it('TLS 1.2 (RFC 5246 §7.4.4): rsa_sign and ecdsa_sign, the TLS 1.2 schemes, the CA names; after ServerKeyExchange', () => {
    const r = mtlsHandshake('1.2', context(), { answer: present('p256') });
    const cr = (r.client as TestClient12).certificateRequest!;
    expect(cr).toEqual({ certificateTypes: [1, 64], signatureAlgorithms: [...CLIENT_SIGNATURE_SCHEMES12], certificateAuthorities: [caSubject] });
    expect(r.client.received.map((m) => m.type).slice(0, 5)).toEqual([2, 11, 12, 13, 14]);
  });

  it('several CAs: each name once, in order; no ca: no names (TLS 1.3 leaves certificate_authorities out)', () => {
    const other = pki.client('otherCa'); // issued by another CA: its issuer name is that CA's
    const otherCaPem = pki.pki.pem('other-ca');
    const two = mtlsHandshake('1.2', context({ ca: [pki.caPem, otherCaPem, pki.caPem] }), { answer: present('p256') });
    expect((two.client as TestClient12).certificateRequest!.certificateAuthorities).toEqual([caSubject, parseCertificateChain(other.chainPem)[0]!.issuer]);
    const none13 = mtlsHandshake('1.3', context({ ca: undefined, rejectUnauthorized: false }), { answer: present('p256') });
    expect((none13.client as TestClient13).certificateRequest!.extensions.map((e) => e.type)).toEqual([ExtensionType.signature_algorithms, ExtensionType.signature_algorithms_cert]);
    // Without ca nothing is trusted (puretls has no default root store).
    expect(none13.info?.clientAuth).toMatchObject({ authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const none12 = mtlsHandshake('1.2', context({ ca: undefined, rejectUnauthorized: false }), { answer: present('p256') });
    expect((none12.client as TestClient12).certificateRequest!.certificateAuthorities).toEqual([]);
  });

  it.each(VERSIONS)('TLS %s without requestCert: no CertificateRequest, clientAuth undefined; a Certificate anyway is refused from its header', (version) => {
    const r = mtlsHandshake(version, context({ requestCert: false }), { answer: present('p256') });
    expect(r.errors).toEqual([]);
    expect(r.client.received.map((m) => m.type)).not.toContain(13);
    expect(r.info?.clientAuth).toBeUndefined();
    const ctx = context({ requestCert: false });
    const x = mtlsHandshake(version, ctx);
    expect(x.errors).toEqual([]);
    // A Certificate after the handshake: a type this server never receives (RFC 8446 §6.2 unexpected_message).
    x.conn.receive(x.client.sendHandshake(writeHandshake(11, (w) => w.u8(0).u24(0))));
    expect(failure(x)).toEqual(['unexpected_message UnexpectedHandshakeMessage']);
  });

  it('TLS 1.3 after a HelloRetryRequest: the CertificateRequest comes in the flight after the second ClientHello', () => {
    const ctx = context({ groups: ['secp256r1'] });
    const r = mtlsHandshake('1.3', ctx, { answer: present('p256'), retry: { shareGroups: ['secp256r1'] } });
    expect(r.errors).toEqual([]);
    expect(r.info?.helloRetry).toBe(true);
    expect(r.info?.clientAuth?.authorized).toBe(true);
  });
});

describe('the verifier’s clock is the context’s', () => {
  it.each(VERSIONS)('TLS %s: an expired certificate verifies at a time it was valid; a valid one is expired after its notAfter', (version) => {
    const expired = parseCertificateChain(pki.client('expired').chainPem)[0]!;
    const then = context({ now: () => expired.notAfter - 86_400_000 });
    expect(mtlsHandshake(version, then, { answer: present('expired') }).info?.clientAuth?.authorized).toBe(true);
    const valid = parseCertificateChain(pki.client('p256').chainPem)[0]!;
    const later = mtlsHandshake(version, context({ now: () => valid.notAfter + 1000 }), { answer: present('p256') });
    expect(failure(later)).toEqual(['certificate_expired ClientCertificateExpired']);
  });
});

describe('options', () => {
  const server = () => ({ certificates: [{ cert: pki.server().chainPem, key: pki.server().keyPem }] });
  it('requestCert and rejectUnauthorized must be booleans; ca text, bytes or an array of them (TypeError naming the option)', () => {
    expect(() => new ServerContext({ ...server(), requestCert: 'yes' as unknown as boolean })).toThrow(/options\.requestCert: a boolean/);
    expect(() => new ServerContext({ ...server(), requestCert: true, rejectUnauthorized: 0 as unknown as boolean })).toThrow(/options\.rejectUnauthorized: a boolean/);
    expect(() => new ServerContext({ ...server(), requestCert: true, ca: 42 as unknown as string })).toThrow(TypeError);
    expect(() => new ServerContext({ ...server(), requestCert: true, ca: [pki.caPem, 42 as unknown as string] })).toThrow(/options\.ca\[1\]/);
  });

  it('a ca that does not read is a KeyError naming options.ca[i], with or without requestCert', () => {
    expect(() => new ServerContext({ ...server(), requestCert: true, ca: [pki.caPem, 'not a certificate'] })).toThrow(/options\.ca\[1\]/);
    expect(() => new ServerContext({ ...server(), ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })).toThrow(/options\.ca/);
  });

  it('CA names that do not fit in a CertificateRequest: RangeError', () => {
    const big = bigNames();
    expect(() => new ServerContext({ ...server(), requestCert: true, ca: big })).toThrow(/options\.ca: the CA names take \d+ bytes/);
    // Fewer fit: the server is made and asks with all their names.
    const some = new ServerContext({ ...server(), requestCert: true, ca: big.slice(0, 5) });
    const r = mtlsHandshake('1.2', some, { answer: { chain: [] } });
    expect((r.client as TestClient12).certificateRequest!.certificateAuthorities).toHaveLength(5);
  });

  it('ca as a Buffer of PEM (a file read with fs.readFileSync), as DER, as several certificates in one PEM', () => {
    const der = parseCertificateChain(pki.caPem)[0]!.der;
    for (const ca of [Buffer.from(pki.caPem), der, pki.caPem + pki.pki.pem('other-ca')]) {
      const r = mtlsHandshake('1.3', context({ ca }), { answer: present('p256') });
      expect(r.info?.clientAuth?.authorized).toBe(true);
    }
  });

  it('rejectUnauthorized defaults to true (Node’s), and only with requestCert matters', () => {
    expect(context().clientAuth?.rejectUnauthorized).toBe(true);
    expect(context({ rejectUnauthorized: false }).clientAuth?.rejectUnauthorized).toBe(false);
    expect(context({ requestCert: false, rejectUnauthorized: true }).clientAuth).toBeUndefined();
  });
});

/** 10 CAs with subjects of 100 64-character OUs each (≈ 7 KB apiece, 70 KB in all), made once with openssl. */
function bigNames(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 10; i++) {
    const subject = `/CN=big ${i}` + Array.from({ length: 100 }, (_, j) => `/OU=${String(j).padStart(3, '0')}${'x'.repeat(61)}`).join('');
    pki.pki.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `big${i}.key`, '-out', `big${i}.pem`, '-days', '2', '-subj', subject]);
    out.push(pki.pki.pem(`big${i}`));
  }
  return out;
}
