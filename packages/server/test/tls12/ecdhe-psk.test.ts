/**
 * TLS 1.2 ECDHE-PSK (RFC 5489 §2, RFC 7905 §2: TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256) in
 * memory against the test client, on both crypto providers: no Certificate, an unsigned
 * ServerKeyExchange carrying the identity hint, the identity in ClientKeyExchange, the premaster
 * secret of RFC 4279 §2, unknown identities refused with unknown_psk_identity (RFC 4279 §2).
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createNodeProvider, type CryptoProvider } from '@puretls/crypto';
import { ServerContext, type ServerContextOptions } from '../../src/index';
import { ecdsaCertificate } from '@puretls/test-support/harness13';
import { exchange12, type Exchange12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options } from '@puretls/test-support/tls12-client';

const KEY = new Uint8Array(24).fill(0x24);
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const ECDHE_PSK_CHACHA = 0xccac;
const ECDHE_ECDSA_AES128 = 0xc02b;

function pskContext(extra: Partial<ServerContextOptions> = {}, crypto: 'noble' | 'node' = 'noble') {
  const calls: string[] = [];
  const ctx = new ServerContext({
    certificates: [],
    crypto,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    cipherSuites: ['ECDHE-PSK-CHACHA20-POLY1305'],
    externalPsk: (identity, info) => {
      calls.push(`${dec(identity)} ${info.version}`);
      return dec(identity) === 'alice' ? KEY : undefined;
    },
    ...extra,
  });
  return { ctx, calls };
}

function run(ctx: ServerContext, opts: ClientHello12Options, psk: { identity: string; key?: Uint8Array } | undefined, provider: CryptoProvider = createNobleProvider()): Exchange12 {
  const x = exchange12(ctx, provider);
  if (psk) x.client.psk = { identity: enc(psk.identity), key: psk.key ?? KEY };
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ cipherSuites: [ECDHE_PSK_CHACHA], ...opts })));
  if (x.errors.length === 0) x.send(x.client.finish());
  return x;
}

describe.each([
  ['noble', () => createNobleProvider()],
  ['node', () => createNodeProvider()],
] as const)('ECDHE-PSK, %s provider', (name, provider) => {
  it('the full handshake: ServerHello, ServerKeyExchange with the hint, ServerHelloDone; no Certificate; data flows', () => {
    const { ctx, calls } = pskContext({ pskIdentityHint: 'hint-1' }, name);
    const x = run(ctx, {}, { identity: 'alice' }, provider());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
    expect(x.client.serverFinishedOk).toBe(true);
    // RFC 5489 §2: ServerHello (2), ServerKeyExchange (12), ServerHelloDone (14); no Certificate (11).
    expect(x.client.received.map((m) => m.type).slice(0, 3)).toEqual([2, 12, 14]);
    expect(dec(x.client.pskHint!)).toBe('hint-1');
    expect(calls).toEqual(['alice TLSv1.2']);
    expect(x.conn.info).toMatchObject({ version: 0x0303, cipherSuite: ECDHE_PSK_CHACHA, resumed: false, signatureScheme: undefined, certificateIndex: undefined });
    expect(dec(x.conn.info!.pskIdentity!)).toBe('alice');
    x.send(x.client.sendApplicationData(enc('ping')));
    expect(dec(x.data[0]!)).toBe('ping');
  });

  it('no hint: an empty psk_identity_hint (RFC 4279 §5.2)', () => {
    const x = run(pskContext({}, name).ctx, {}, { identity: 'alice' }, provider());
    expect(x.errors).toEqual([]);
    expect(x.client.pskHint!.length).toBe(0);
  });

  it('a wrong key: the keys differ, the client Finished does not decrypt → bad_record_mac (as OpenSSL)', () => {
    const x = run(pskContext({}, name).ctx, {}, { identity: 'alice', key: new Uint8Array(24).fill(1) }, provider());
    expect(x.errors.map((e) => e.alert)).toEqual(['bad_record_mac']);
  });
});

describe('refusals', () => {
  it('an unknown identity → unknown_psk_identity (RFC 4279 §2; OpenSSL sends it)', () => {
    const x = run(pskContext().ctx, {}, { identity: 'mallory' });
    expect(x.errors.map((e) => `${e.reason} ${e.alert}`)).toEqual(['UnknownPskIdentity unknown_psk_identity']);
    expect(x.client.alerts.at(-1)).toEqual({ level: 2, description: 115 });
  });

  it('the PSK suite is never chosen without externalPsk: no common suite', () => {
    const ctx = new ServerContext({ certificates: [ecdsaCertificate()], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: ['ECDHE-PSK-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256'] });
    const x = run(ctx, {}, { identity: 'alice' });
    expect(x.errors.map((e) => `${e.reason} ${e.alert}`)).toEqual(['NoCommonCipherSuite handshake_failure']);
  });

  it('a client without the PSK suite, on a PSK-only server: handshake_failure', () => {
    const x = run(pskContext().ctx, { cipherSuites: [ECDHE_ECDSA_AES128] }, undefined);
    expect(x.errors.map((e) => e.alert)).toEqual(['handshake_failure']);
  });
});

describe('beside certificates', () => {
  const mixed = (order: string[], extra: Partial<ServerContextOptions> = {}) =>
    pskContext({ certificates: [ecdsaCertificate()], cipherSuites: order, ...extra }).ctx;

  it('the server order picks between the PSK suite and a certificate suite', () => {
    const both = [ECDHE_ECDSA_AES128, ECDHE_PSK_CHACHA];
    const pskFirst = run(mixed(['ECDHE-PSK-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256']), { cipherSuites: both }, { identity: 'alice' });
    expect(pskFirst.conn.info).toMatchObject({ cipherSuite: ECDHE_PSK_CHACHA });
    const certFirst = run(mixed(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-PSK-CHACHA20-POLY1305']), { cipherSuites: both }, { identity: 'alice' });
    expect(certFirst.conn.info).toMatchObject({ cipherSuite: ECDHE_ECDSA_AES128, pskIdentity: undefined, certificateIndex: 0 });
  });

  it('no CertificateRequest with the PSK suite, even with requestCert (OpenSSL: the PSK authenticates)', () => {
    const x = run(mixed(['ECDHE-PSK-CHACHA20-POLY1305'], { requestCert: true, rejectUnauthorized: false, ca: ecdsaCertificate().cert }), {}, { identity: 'alice' });
    expect(x.errors).toEqual([]);
    expect(x.client.certificateRequest).toBeUndefined();
    expect(x.conn.info!.clientAuth).toBeUndefined();
  });

  it('the session an ECDHE-PSK handshake made resumes (abbreviated, without asking externalPsk again)', () => {
    const { ctx, calls } = pskContext({ certificates: [] });
    const first = run(ctx, {}, { identity: 'alice' });
    expect(first.errors).toEqual([]);
    const again = run(ctx, { resume: first.client.session }, undefined);
    expect(again.errors).toEqual([]);
    expect(again.conn.info).toMatchObject({ resumed: true, cipherSuite: ECDHE_PSK_CHACHA });
    expect(calls).toEqual(['alice TLSv1.2']);
  });
});
