/**
 * TLS 1.2 full handshakes in memory (test-client12): every suite × certificate type, groups,
 * signature schemes, EMS, ALPN, SNI, record_size_limit, version negotiation on one port with the
 * downgrade sentinel, fallback SCSV, refused renegotiation, close_notify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import { AlertDescription } from '@puretls/record-layer';
import { DOWNGRADE_SENTINEL_TLS12 } from '@puretls/handshake-state-machine/internal';
import { ServerContext } from '../../src/index';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { ecdsaCertificate } from '@puretls/test-support/harness13';
import { exchange12, expectFailure12, handshake12, hello12, makeContext12, type Exchange12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const X25519 = 0x001d;
const P256 = 0x0017;
const P384 = 0x0018;

function expectOpen(x: Exchange12): void {
  expect(x.errors).toEqual([]);
  expect(x.conn.phase).toBe('open');
  expect(x.client.serverFinishedOk).toBe(true);
  // Data both ways under the new keys.
  x.send(x.client.sendApplicationData(new TextEncoder().encode('ping')));
  expect(new TextDecoder().decode(x.data.at(-1))).toBe('ping');
  x.conn.write(new TextEncoder().encode('pong'));
  x.pump();
  expect(new TextDecoder().decode(x.client.appData.at(-1))).toBe('pong');
}

const certs = new CertDir();
const c: Partial<Record<'p384' | 'rsa2048' | 'ed25519', TestCert>> = {};
beforeAll(() => {
  for (const k of ['p384', 'rsa2048', 'ed25519'] as const) c[k] = certs.make(k);
}, 60_000);
afterAll(() => certs.cleanup());

describe('TLS 1.2 full handshake', () => {
  it('default hello: x25519, ECDHE-ECDSA-AES128-GCM, EMS, renegotiation_info echoed, ServerHello extensions', () => {
    const x = handshake12();
    expectOpen(x);
    expect(x.conn.info).toMatchObject({ version: 0x0303, cipherSuite: 0xc02b, group: 'x25519', signatureScheme: 0x0403, resumed: false, serverName: 'localhost', alpnProtocol: undefined, pskMode: undefined, earlyData: 'none', helloRetry: false, certificateIndex: 0 });
    expect(x.client.ske).toMatchObject({ group: X25519, scheme: 0x0403, signatureOk: true });
    expect(x.client.usesEms).toBe(true);
    // renegotiation_info, server_name, ec_point_formats, extended_master_secret (OpenSSL's order).
    expect([...x.client.serverExtensions.keys()]).toEqual([0xff01, 0, 11, 23]);
    expect(x.client.serverExtensions.get(0xff01)).toEqual(Uint8Array.of(0));
    expect(x.client.serverExtensions.get(11)).toEqual(Uint8Array.of(1, 0));
    expect(x.client.received.map((m) => m.type)).toEqual([2, 11, 12, 14, 20]);
  });

  it.each([
    ['p256', 0xc02b],
    ['p256', 0xc02c],
    ['p256', 0xcca9],
    ['p384', 0xc02b],
    ['p384', 0xc02c],
    ['p384', 0xcca9],
    ['ed25519', 0xc02b],
    ['ed25519', 0xc02c],
    ['ed25519', 0xcca9],
    ['rsa2048', 0xc02f],
    ['rsa2048', 0xc030],
    ['rsa2048', 0xcca8],
  ] as const)('%s certificate, suite 0x%s', (kind, suite) => {
    const cert = kind === 'p256' ? ecdsaCertificate() : { cert: c[kind]!.cert, key: c[kind]!.key };
    const x = handshake12(makeContext12({ certificates: [cert] }), { cipherSuites: [suite] });
    expectOpen(x);
    expect(x.conn.info?.cipherSuite).toBe(suite);
    const scheme = { p256: 0x0403, p384: 0x0503, ed25519: 0x0807, rsa2048: 0x0804 }[kind];
    expect(x.conn.info?.signatureScheme).toBe(scheme);
    expect(x.client.ske?.signatureOk).toBe(true);
  });

  it.each([
    // (the P-256 certificate needs P-256 listed too, RFC 8422 §5.3)
    [[X25519, P256], 'x25519'],
    [[P256], 'secp256r1'],
    [[P384, P256], 'secp256r1'], // server preference (x25519, P-256, P-384)
    [[0x11ec, P256], 'secp256r1'], // the hybrid ML-KEM group is TLS 1.3 only
  ] as const)('supported_groups %j → %s', (groups, name) => {
    const x = handshake12(undefined, { groups: [...groups] });
    expectOpen(x);
    expect(x.conn.info?.group).toBe(name);
  });

  it('no supported_groups: RFC 8422 §4 default secp256r1', () => {
    const x = handshake12(undefined, { groups: null });
    expectOpen(x);
    expect(x.conn.info?.group).toBe('secp256r1');
  });

  it('no ec_point_formats is fine; [0, 1] is fine', () => {
    expectOpen(handshake12(undefined, { pointFormats: null }));
    expectOpen(handshake12(undefined, { pointFormats: [1, 0] }));
  });

  it('the client’s suite order wins with honorCipherOrder false', () => {
    const x = handshake12(makeContext12({ honorCipherOrder: false }), { cipherSuites: [0xcca9, 0xc02b] });
    expectOpen(x);
    expect(x.conn.info?.cipherSuite).toBe(0xcca9);
  });

  it('an ECDSA P-256 certificate needs P-256 in supported_groups (RFC 8422 §5.3); RSA fits then', () => {
    const ctx = makeContext12({ certificates: [ecdsaCertificate(), { cert: c.rsa2048!.cert, key: c.rsa2048!.key }] });
    const x = handshake12(ctx, { groups: [X25519] });
    expectOpen(x);
    expect(x.conn.info).toMatchObject({ cipherSuite: 0xc02f, certificateIndex: 1 });
  });

  describe('signature_algorithms', () => {
    it('RSA: the client’s first acceptable scheme (PKCS#1 when asked)', () => {
      const ctx = makeContext12({ certificates: [{ cert: c.rsa2048!.cert, key: c.rsa2048!.key }] });
      const x = handshake12(ctx, { sigAlgs: [0x0501, 0x0804] });
      expectOpen(x);
      expect(x.conn.info?.signatureScheme).toBe(0x0501);
    });
    it('absent: the client offers only SHA-1 (RFC 5246 §7.4.1.4.1), which we never sign with → handshake_failure, nothing signed (as OpenSSL 3)', () => {
      for (const cert of [undefined, c.rsa2048!, c.p384!]) {
        const x = hello12({ sigAlgs: null }, cert && makeContext12({ certificates: [{ cert: cert.cert, key: cert.key }] }));
        expectFailure12(x, 'handshake_failure', 'NoCommonSignatureScheme');
        expect(x.client.received).toEqual([]);
      }
    });
  });

  it('EMS absent: classic master secret, no extension echoed', () => {
    const x = handshake12(undefined, { ems: false });
    expectOpen(x);
    expect(x.client.usesEms).toBe(false);
  });

  it('ALPN, SNI, record_size_limit (TLS 1.2 value 2^14: the content type excluded)', () => {
    const x = handshake12(makeContext12({ alpnProtocols: ['h2', 'http/1.1'] }), { alpn: ['http/1.1'], recordSizeLimit: 1000, serverName: 'localhost' });
    expectOpen(x);
    expect(x.conn.info).toMatchObject({ alpnProtocol: 'http/1.1', serverName: 'localhost' });
    expect(x.client.serverExtensions.get(16)).toEqual(Uint8Array.of(0, 9, 8, ...new TextEncoder().encode('http/1.1')));
    expect(x.client.serverExtensions.get(28)).toEqual(Uint8Array.of(0x40, 0x00));
    // Our records to the client fit its 1000-byte limit.
    x.conn.write(new Uint8Array(3000));
    const out = x.conn.takeOutput();
    const lengths: number[] = [];
    for (let o = 0; o < out.length; ) {
      const len = (out[o + 3]! << 8) | out[o + 4]!;
      lengths.push(len - 8 - 16);
      o += 5 + len;
    }
    expect(lengths).toEqual([1000, 1000, 1000]);
  });

  it('keylog: CLIENT_RANDOM with the master secret (NSS format)', () => {
    const x = exchange12(makeContext12(), createNobleProvider(), { keyLog: true });
    const lines: string[] = [];
    x.conn.on('keylog', (l) => lines.push(l));
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello()));
    x.send(x.client.finish());
    expect(lines).toEqual([`CLIENT_RANDOM ${Buffer.from(x.client.clientRandom).toString('hex')} ${Buffer.from(x.client.masterSecret!).toString('hex')}`]);
  });

  it('close_notify both ways closes cleanly', () => {
    const x = handshake12();
    let clean: boolean | undefined;
    x.conn.on('close', (c) => (clean = c));
    x.send(x.client.sendAlert(AlertDescription.close_notify, 1));
    x.conn.close();
    x.pump();
    expect(clean).toBe(true);
    expect(x.client.alerts).toEqual([{ level: 1, description: 0 }]);
  });
});

describe('version negotiation on one port', () => {
  it('TLS 1.2 chosen while TLS 1.3 is enabled: ServerHello.random ends with DOWNGRD\\x01, and it is the random in the keys', () => {
    const x = handshake12();
    expectOpen(x);
    expect(x.client.serverRandom!.subarray(24)).toEqual(DOWNGRADE_SENTINEL_TLS12);
  });
  it('maxVersion TLS 1.2: no sentinel, even for a client that offers TLS 1.3', () => {
    const x = handshake12(makeContext12({ maxVersion: 'TLSv1.2' }), { versions: [0x0304, 0x0303] });
    expectOpen(x);
    expect(x.client.serverRandom!.subarray(24)).not.toEqual(DOWNGRADE_SENTINEL_TLS12);
  });
  it('supported_versions [1.2] (no 1.3) → TLS 1.2', () => {
    expectOpen(handshake12(undefined, { versions: [0x0303, 0x0a0a] }));
  });
  it('client_version 0x0304 without supported_versions → TLS 1.2 (RFC 8446 §4.2.1: 1.3 only through the extension)', () => {
    expectOpen(handshake12(undefined, { legacyVersion: 0x0304 }));
  });
  it('TLS_FALLBACK_SCSV from a TLS 1.2 client while TLS 1.3 is enabled → inappropriate_fallback', () => {
    expectFailure12(hello12({ fallbackScsv: true }), 'inappropriate_fallback', 'InappropriateFallback');
  });
  it('TLS_FALLBACK_SCSV is fine when TLS 1.2 is our highest', () => {
    expectOpen(handshake12(makeContext12({ maxVersion: 'TLSv1.2' }), { fallbackScsv: true }));
  });
  it('TLS 1.1 → protocol_version; TLS 1.2 when the context is TLS 1.3-only → protocol_version', () => {
    expectFailure12(hello12({ legacyVersion: 0x0302 }), 'protocol_version', 'NoCommonVersion');
    expectFailure12(hello12({ versions: [0x0302, 0x0301] }), 'protocol_version', 'NoCommonVersion');
    expectFailure12(hello12({}, makeContext12({ minVersion: 'TLSv1.3' })), 'protocol_version', 'NoCommonVersion');
  });
  it('a client offering only TLS 1.3 to a TLS 1.2-only context → protocol_version', () => {
    expectFailure12(hello12({ versions: [0x0304] }, makeContext12({ maxVersion: 'TLSv1.2' })), 'protocol_version', 'NoCommonVersion');
  });
});

describe('renegotiation (RFC 5746)', () => {
  it('the SCSV alone gets an empty renegotiation_info back', () => {
    const x = handshake12(undefined, { renegotiationInfo: null, renegotiationScsv: true });
    expectOpen(x);
    expect(x.client.serverExtensions.get(0xff01)).toEqual(Uint8Array.of(0));
  });
  it('neither: no renegotiation_info in ServerHello', () => {
    const x = handshake12(undefined, { renegotiationInfo: null });
    expectOpen(x);
    expect(x.client.serverExtensions.has(0xff01)).toBe(false);
  });
  it('a ClientHello after the handshake gets a no_renegotiation warning; the connection goes on', () => {
    const x = handshake12();
    const again = new TestClient12(x.client.provider).buildClientHello();
    x.send(x.client.sendHandshake(again));
    expect(x.errors).toEqual([]);
    expect(x.client.alerts).toEqual([{ level: 1, description: AlertDescription.no_renegotiation }]);
    expect(x.conn.phase).toBe('open');
    expectOpen(x);
  });
});
