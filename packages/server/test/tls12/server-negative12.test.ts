/**
 * TLS 1.2 negative tests: every rule gives its alert AND reason (STYLE.md §8), and mutated TLS 1.2
 * ClientHellos never give internal_error (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AlertDescription } from '@puretls/record-layer';
import { MAX_REFUSED_RENEGOTIATIONS, writeCertificate12, writeClientKeyExchangeEcdhe, writeFinished } from '@puretls/handshake-state-machine/internal';
import { ServerConnection } from '../../src/index';
import { exchange12, expectFailure12, handshake12, hello12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const plain = (msg: Uint8Array, type = 22) => TestClient12.plaintextRecord(msg, type, 0x0303);

describe('TLS 1.2 ClientHello rules', () => {
  it('compression methods without null → illegal_parameter', () => {
    expectFailure12(hello12({ compression: [1] }), 'illegal_parameter', 'InvalidCompressionMethods');
  });
  it('[1, 0] is fine (null is offered)', () => {
    const x = handshake12(undefined, { compression: [1, 0] });
    expect(x.errors).toEqual([]);
  });
  it('a non-empty renegotiation_info in an initial ClientHello → handshake_failure (RFC 5746 §3.6)', () => {
    expectFailure12(hello12({ renegotiationInfo: new Uint8Array(12).fill(1) }), 'handshake_failure', 'BadRenegotiationInfo');
  });
  it('ec_point_formats without uncompressed → illegal_parameter (RFC 8422 §5.1.2)', () => {
    expectFailure12(hello12({ pointFormats: [1, 2] }), 'illegal_parameter', 'NoPointFormat');
  });
  it('requireExtendedMasterSecret: a client without EMS → handshake_failure; with EMS it works', () => {
    const ctx = makeContext12({ requireExtendedMasterSecret: true });
    expectFailure12(hello12({ ems: false }, ctx), 'handshake_failure', 'ExtendedMasterSecretRequired');
    expect(handshake12(ctx).conn.phase).toBe('open');
  });
  it('only TLS 1.3 suites → handshake_failure', () => {
    expectFailure12(hello12({ cipherSuites: [0x1301, 0x1302] }), 'handshake_failure', 'NoCommonCipherSuite');
  });
  it('only CBC / RSA-key-exchange suites → handshake_failure', () => {
    expectFailure12(hello12({ cipherSuites: [0xc013, 0x002f, 0x009c] }), 'handshake_failure', 'NoCommonCipherSuite');
  });
  it('only ECDHE_RSA suites with an ECDSA certificate → handshake_failure', () => {
    expectFailure12(hello12({ cipherSuites: [0xc02f, 0xc030] }), 'handshake_failure', 'NoCommonCipherSuite');
  });
  it('no common group → handshake_failure', () => {
    expectFailure12(hello12({ groups: [0x001e, 0x0100] }), 'handshake_failure', 'NoCommonGroup');
  });
  it('only the hybrid ML-KEM group → handshake_failure (not defined for TLS 1.2)', () => {
    expectFailure12(hello12({ groups: [0x11ec] }), 'handshake_failure', 'NoCommonGroup');
  });
  it('the certificate’s curve not in supported_groups → handshake_failure (RFC 8422 §5.3)', () => {
    expectFailure12(hello12({ groups: [0x001d] }), 'handshake_failure', 'NoCommonCipherSuite');
  });
  it('signature_algorithms our key cannot make → handshake_failure', () => {
    expectFailure12(hello12({ sigAlgs: [0x0804, 0x0401, 0x0201] }), 'handshake_failure', 'NoCommonSignatureScheme');
  });
  it('ALPN without overlap → no_application_protocol', () => {
    expectFailure12(hello12({ alpn: ['spdy/1'] }, makeContext12({ alpnProtocols: ['h2'] })), 'no_application_protocol', 'NoApplicationProtocol');
  });
  it('a malformed extension → decode_error', () => {
    expectFailure12(hello12({ extra: [{ type: 23, data: Uint8Array.of(0) }], ems: false }), 'decode_error', 'TrailingData');
  });
});

describe('TLS 1.2 message order and contents', () => {
  it('ChangeCipherSpec before ClientKeyExchange → unexpected_message', () => {
    const x = hello12();
    x.send(plain(Uint8Array.of(1), 20));
    expectFailure12(x, 'unexpected_message', 'UnexpectedChangeCipherSpec');
  });
  it('a Certificate instead of ClientKeyExchange → unexpected_message', () => {
    const x = hello12();
    x.send(plain(writeCertificate12([])));
    expectFailure12(x, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it('Finished before ChangeCipherSpec → unexpected_message', () => {
    const x = hello12();
    x.send(plain(x.client.clientKeyExchange()));
    x.send(plain(writeFinished(new Uint8Array(12))));
    expectFailure12(x, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it('an unprotected record after the client’s ChangeCipherSpec → bad_record_mac', () => {
    const x = hello12();
    x.send(plain(x.client.clientKeyExchange()));
    x.send(plain(Uint8Array.of(1), 20));
    x.send(plain(Uint8Array.of(1), 20));
    expectFailure12(x, 'bad_record_mac', 'DecryptFailed');
  });
  it('application data before the handshake completed → unexpected_message', () => {
    const x = hello12();
    x.send(plain(Uint8Array.of(1, 2, 3), 23));
    expectFailure12(x, 'unexpected_message', 'UnexpectedApplicationData');
  });
  it('ClientKeyExchange: an invalid x25519 point (all zeros) → illegal_parameter', () => {
    const x = hello12({ groups: [0x001d, 0x0017] });
    x.send(x.client.finish({ point: new Uint8Array(32) }));
    expectFailure12(x, 'illegal_parameter', 'InvalidKeyShare');
  });
  it('ClientKeyExchange: a P-256 point not on the curve → illegal_parameter', () => {
    const x = hello12({ groups: [0x0017] });
    const bad = new Uint8Array(65).fill(1);
    bad[0] = 4;
    x.send(x.client.finish({ point: bad }));
    expectFailure12(x, 'illegal_parameter', 'InvalidKeyShare');
  });
  it('ClientKeyExchange: a wrong-length point → illegal_parameter; an empty one or trailing bytes → decode_error', () => {
    const x = hello12();
    x.send(plain(writeClientKeyExchangeEcdhe(new Uint8Array(31).fill(9))));
    expectFailure12(x, 'illegal_parameter', 'InvalidKeyShare');
    const y = hello12();
    y.send(plain(Uint8Array.of(16, 0, 0, 1, 0)));
    expectFailure12(y, 'decode_error', 'EmptyVector');
    const z = hello12();
    z.send(plain(Uint8Array.of(16, 0, 0, 3, 1, 9, 9)));
    expectFailure12(z, 'decode_error', 'TrailingData');
  });
  it('a wrong client Finished → decrypt_error', () => {
    const x = hello12();
    x.send(x.client.finish({ corruptFinished: true }));
    expectFailure12(x, 'decrypt_error', 'BadFinished');
  });
  it('a Finished of 13 bytes → decode_error', () => {
    const x = hello12();
    x.send(x.client.finish({ finishedBody: new Uint8Array(13) }));
    expectFailure12(x, 'decode_error', 'BadLength');
  });
  it('after the handshake: a ChangeCipherSpec, or a handshake message other than ClientHello → unexpected_message', () => {
    const x = handshake12();
    x.send(x.client.sendChangeCipherSpec());
    expectFailure12(x, 'unexpected_message', 'UnexpectedChangeCipherSpec');
    const y = handshake12();
    y.send(y.client.sendHandshake(writeFinished(new Uint8Array(12))));
    expectFailure12(y, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it(`more than ${MAX_REFUSED_RENEGOTIATIONS} renegotiation attempts → unexpected_message`, () => {
    const x = handshake12();
    const ch = new TestClient12(x.client.provider).buildClientHello();
    for (let i = 0; i < MAX_REFUSED_RENEGOTIATIONS; i++) {
      x.send(x.client.sendHandshake(ch));
      // Data in between (each side's record layer caps consecutive warning alerts).
      x.send(x.client.sendApplicationData(Uint8Array.of(i)));
      x.conn.write(Uint8Array.of(i));
      x.pump();
    }
    expect(x.errors).toEqual([]);
    expect(x.client.alerts.filter((a) => a.description === AlertDescription.no_renegotiation)).toHaveLength(MAX_REFUSED_RENEGOTIATIONS);
    x.send(x.client.sendHandshake(ch));
    expectFailure12(x, 'unexpected_message', 'RenegotiationAttempted');
  });
  it('a record version other than 0x0303 after ServerHello → protocol_version', () => {
    const x = hello12();
    x.send(TestClient12.plaintextRecord(x.client.clientKeyExchange(), 22, 0x0301));
    expectFailure12(x, 'protocol_version', 'BadRecordVersion');
  });
});

describe('TLS 1.2: mutated ClientHellos (fast-check)', () => {
  const ctx = makeContext12({ alpnProtocols: ['h2'] });
  const base = new TestClient12(ctx.provider).buildClientHello({ alpn: ['h2'], sessionTicket: true, sessionId: new Uint8Array(32).fill(5), recordSizeLimit: 4096 });
  it('never throw out of receive(), never internal_error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(base.length), { nil: undefined }),
        (flips, cut) => {
          const m = base.slice(0, cut ?? base.length);
          for (const [at, v] of flips) if (at < m.length) m[at] = v;
          const conn = new ServerConnection(ctx);
          let err: { alert: string | null; reason: string } | undefined;
          conn.on('error', (e) => (err = e));
          conn.receive(TestClient12.plaintextRecord(m));
          if (err) expect(err.alert, err.reason).not.toBe('internal_error');
          return true;
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 20_000, seed: 5246 },
    );
  });
  it('mutated client second flights never give internal_error', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const x = exchange12(ctx);
        x.send(TestClient12.plaintextRecord(x.client.buildClientHello()));
        const flight = x.client.finish();
        for (const [at, v] of flips) if (at < flight.length) flight[at] = v;
        x.conn.receive(flight);
        for (const e of x.errors) expect(e.alert, e.reason).not.toBe('internal_error');
        return true;
      }),
      { numRuns: 150, interruptAfterTimeLimit: 20_000, seed: 7627 },
    );
  });
});
