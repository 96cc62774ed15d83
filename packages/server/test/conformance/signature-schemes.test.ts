/**
 * Issue 16.5: the server never signs with a scheme the client did not offer. A TLS 1.2 ClientHello
 * without signature_algorithms offers only {sha1,rsa} / {sha1,ecdsa} (RFC 5246 §7.4.1.4.1), which
 * we never sign with: handshake_failure, nothing signed — also on the path where a resumption
 * attempt falls back to a full handshake (tlsfuzzer's "session resume with malformed SNI").
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { ServerContext } from '../../src/index';
import { CertDir } from '@puretls/test-support/certs';
import { exchange } from '@puretls/test-support/harness13';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { exchange12, expectFailure12, hello12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const dir = new CertDir();
afterAll(() => dir.cleanup());
const CERTS = { ecdsa: dir.make('p256'), rsa: dir.make('rsa2048'), ed25519: dir.make('ed25519') };
const ctxOf = (kind: keyof typeof CERTS, extra: Partial<ConstructorParameters<typeof ServerContext>[0]> = {}) =>
  new ServerContext({ certificates: [{ cert: CERTS[kind].cert, key: CERTS[kind].key }], ...extra });

/** Schemes a client may list: ours, SHA-1, legacy, unknown. */
const SCHEMES = [0x0201, 0x0203, 0x0401, 0x0403, 0x0501, 0x0503, 0x0601, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0809, 0x0202, 0x0303, 0x1234];

describe('TLS 1.2 without signature_algorithms', () => {
  it.each(['ecdsa', 'rsa', 'ed25519'] as const)('%s certificate: handshake_failure, no ServerKeyExchange (as OpenSSL 3)', (kind) => {
    const x = hello12({ sigAlgs: null }, ctxOf(kind, { minVersion: 'TLSv1.2' }));
    expectFailure12(x, 'handshake_failure', 'NoCommonSignatureScheme');
    expect(x.client.received).toEqual([]);
  });
  it('offering only SHA-1 explicitly is the same', () => {
    expectFailure12(hello12({ sigAlgs: [0x0201, 0x0203] }, ctxOf('rsa')), 'handshake_failure', 'NoCommonSignatureScheme');
  });
});

describe('the scheme we sign with is always one the client offered', () => {
  it('TLS 1.2 ServerKeyExchange, any certificate, any offered list', () => {
    fc.assert(
      fc.property(fc.constantFrom('ecdsa', 'rsa', 'ed25519') as fc.Arbitrary<keyof typeof CERTS>, fc.subarray(SCHEMES), (kind, offered) => {
        const x = hello12({ sigAlgs: offered.length ? offered : null }, ctxOf(kind));
        if (x.errors.length) {
          expect(x.errors.map((e) => e.reason)).toEqual(['NoCommonSignatureScheme']);
          expect(x.client.ske).toBeUndefined();
        } else {
          expect(offered).toContain(x.client.ske!.scheme);
          expect(x.client.ske!.signatureOk).toBe(true);
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 20_000, seed: 74141 },
    );
  });
  it('TLS 1.3 CertificateVerify, any certificate, any offered list', () => {
    fc.assert(
      fc.property(fc.constantFrom('ecdsa', 'rsa', 'ed25519') as fc.Arbitrary<keyof typeof CERTS>, fc.subarray(SCHEMES, { minLength: 1 }), (kind, offered) => {
        const x = exchange(ctxOf(kind));
        x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ sigAlgs: offered })));
        if (x.errors.length) {
          expect(x.errors.map((e) => e.reason)).toEqual(['NoCommonSignatureScheme']);
          expect(x.client.received.some((m) => m.type === 15)).toBe(false);
        } else {
          const cv = x.client.received.find((m) => m.type === 15)!.raw;
          expect(offered).toContain((cv[4]! << 8) | cv[5]!);
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 20_000, seed: 8446 },
    );
  });
});

describe('a TLS 1.2 resumption attempt that cannot resume', () => {
  /** A session for `localhost` from a full handshake on `ctx`. */
  function session(ctx: ServerContext) {
    const x = exchange12(ctx);
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ serverName: 'localhost' })));
    x.send(x.client.finish());
    expect(x.conn.phase).toBe('open');
    return x.client.session;
  }
  it('with a malformed host name → illegal_parameter before anything is signed', () => {
    const ctx = makeContext12();
    const x = hello12({ resume: session(ctx), serverName: null, extra: [{ type: 0, data: Uint8Array.of(0, 13, 0, 0, 10, ...new TextEncoder().encode('localhost'), 0) }] }, ctx);
    expectFailure12(x, 'illegal_parameter', 'BadServerName');
    expect(x.client.received).toEqual([]);
  });
  it('with another host name and no signature_algorithms: no resumption (RFC 6066 §3), then handshake_failure, nothing signed', () => {
    const ctx = makeContext12();
    const x = hello12({ resume: session(ctx), serverName: 'www.localhost', sigAlgs: null }, ctx);
    expectFailure12(x, 'handshake_failure', 'NoCommonSignatureScheme');
    expect(x.client.received).toEqual([]);
    expect(x.client.alerts).toEqual([{ level: 2, description: AlertDescription.handshake_failure }]);
  });
  it('with another host name and signature_algorithms: a full handshake signed with an offered scheme', () => {
    const ctx = makeContext12();
    const x = hello12({ resume: session(ctx), serverName: 'www.localhost', sigAlgs: [0x0403], cipherSuites: [0xc02b] }, ctx);
    expect(x.errors).toEqual([]);
    expect(x.client.resumed).toBe(false);
    expect(x.client.ske?.scheme).toBe(0x0403);
  });
});
