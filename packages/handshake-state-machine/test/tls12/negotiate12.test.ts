/** TLS 1.2 negotiation steps as pure functions: version + fallback, groups, suite × certificate × scheme. */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, generateEcdsaP256Key } from '@puretls/crypto';
import {
  checkVersion12,
  chooseGroup12,
  chooseSuiteAndCert12,
  clientMaxVersion,
  defaultSchemes12,
  readClientHello,
  writeClientHello,
  writeSupportedVersionsClientHello,
  type CertifiedKey,
  type ClientHello,
  type HandshakeConfig,
} from '../../src/internal';
import { expectTlsError } from '../msgs/helpers';

const p = createNobleProvider();
const ecKey = generateEcdsaP256Key(p);
const ec: CertifiedKey = { chain: [Uint8Array.of(1)], key: ecKey, dnsNames: ['a.example'], schemes13: [0x0403], schemes12: [0x0403] };
const rsaLike: CertifiedKey = { chain: [Uint8Array.of(2)], key: { kind: 'rsa', bits: 2048 } as never, dnsNames: ['b.example'], schemes13: [0x0804], schemes12: [0x0804, 0x0401] };

function config(extra: Partial<HandshakeConfig> = {}): HandshakeConfig {
  return {
    provider: p,
    certificates: [ec, rsaLike],
    cipherSuites: [0x1301, 0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8],
    honorCipherOrder: true,
    sessionContext: new Uint8Array(0),
    groups: ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'],
    groupSelection: 'avoid-hrr',
    alpnProtocols: [],
    minVersion: 0x0303,
    maxVersion: 0x0304,
    recordSizeLimit: 16385,
    ticketLifetime: 7200,
    maxEarlyData: 0,
    allowPskKe: true,
    ...extra,
  };
}

function hello(o: { legacyVersion?: number; versions?: number[]; suites?: number[] } = {}): ClientHello {
  const raw = writeClientHello({ legacyVersion: o.legacyVersion ?? 0x0303, random: new Uint8Array(32), cipherSuites: o.suites ?? [0xc02b], extensions: o.versions ? [writeSupportedVersionsClientHello(o.versions)] : [] });
  return readClientHello(raw.subarray(4));
}

describe('checkVersion12 (RFC 5246 §E.1, RFC 8446 §4.2.1, RFC 7507)', () => {
  it('accepts client_version ≥ 0x0303 or 1.2 in supported_versions', () => {
    expect(() => checkVersion12(config(), hello())).not.toThrow();
    expect(() => checkVersion12(config(), hello({ legacyVersion: 0x0304 }))).not.toThrow();
    expect(() => checkVersion12(config(), hello({ versions: [0x0303] }))).not.toThrow();
  });
  it('refuses older clients and a context without 1.2', () => {
    expectTlsError(() => checkVersion12(config(), hello({ legacyVersion: 0x0302 })), 'protocol_version', 'NoCommonVersion');
    // supported_versions wins over legacy_version
    expectTlsError(() => checkVersion12(config(), hello({ versions: [0x0304, 0x0302] })), 'protocol_version', 'NoCommonVersion');
    expectTlsError(() => checkVersion12(config({ minVersion: 0x0304 }), hello()), 'protocol_version', 'NoCommonVersion');
  });
  it('TLS_FALLBACK_SCSV below our highest → inappropriate_fallback; GREASE ignored in the client max', () => {
    expectTlsError(() => checkVersion12(config(), hello({ suites: [0xc02b, 0x5600] })), 'inappropriate_fallback', 'InappropriateFallback');
    expect(() => checkVersion12(config({ maxVersion: 0x0303 }), hello({ suites: [0xc02b, 0x5600] }))).not.toThrow();
    expect(clientMaxVersion(hello({ versions: [0x1a1a, 0x0303] }))).toBe(0x0303);
    // RFC 8446 §4.2.1: without supported_versions the client is at most a TLS 1.2 client
    expect(clientMaxVersion(hello({ legacyVersion: 0x0304 }))).toBe(0x0303);
    expect(clientMaxVersion(hello({ legacyVersion: 0x0302 }))).toBe(0x0302);
  });
});

describe('chooseGroup12 / chooseSuiteAndCert12', () => {
  it('server group order, no ML-KEM, P-256 when absent', () => {
    expect(chooseGroup12(config(), [0x0018, 0x001d])).toBe('x25519');
    expect(chooseGroup12(config(), [0x11ec, 0x0018])).toBe('secp384r1');
    expect(chooseGroup12(config(), undefined)).toBe('secp256r1');
    expectTlsError(() => chooseGroup12(config(), [0x11ec]), 'handshake_failure', 'NoCommonGroup');
  });
  it('SNI tier first: b.example picks the RSA certificate even though ECDSA suites come first', () => {
    const c = chooseSuiteAndCert12(config(), 'b.example', [0xc02b, 0xc02f], [0x0403, 0x0804], undefined);
    expect(c).toMatchObject({ index: 1, scheme: 0x0804 });
    expect(c.suite.code).toBe(0xc02f);
    expect(chooseSuiteAndCert12(config(), 'a.example', [0xc02b, 0xc02f], [0x0403, 0x0804], undefined).suite.code).toBe(0xc02b);
  });
  it('the ECDSA certificate’s curve must be in supported_groups', () => {
    expect(chooseSuiteAndCert12(config(), undefined, [0xc02b, 0xc02f], [0x0403, 0x0804], [0x001d]).suite.code).toBe(0xc02f);
  });
  it('without signature_algorithms the client offers only SHA-1 (RFC 5246 §7.4.1.4.1), which we never sign with → handshake_failure', () => {
    expect(defaultSchemes12('ecdsa')).toEqual([0x0203]);
    expect(defaultSchemes12('rsa')).toEqual([0x0201]);
    for (const suite of [0xc02f, 0xc02b]) {
      expectTlsError(() => chooseSuiteAndCert12(config(), undefined, [suite], undefined, undefined), 'handshake_failure', 'NoCommonSignatureScheme');
    }
  });
  it('failures name their reason', () => {
    expectTlsError(() => chooseSuiteAndCert12(config(), undefined, [0x1301], [0x0403], undefined), 'handshake_failure', 'NoCommonCipherSuite');
    expectTlsError(() => chooseSuiteAndCert12(config({ certificates: [ec] }), undefined, [0xc02f], [0x0403], undefined), 'handshake_failure', 'NoCommonCipherSuite');
    expectTlsError(() => chooseSuiteAndCert12(config(), undefined, [0xc02b], [0x0503], undefined), 'handshake_failure', 'NoCommonSignatureScheme');
  });
});
