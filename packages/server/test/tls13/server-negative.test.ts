/**
 * Every malformed or out-of-order TLS 1.3 message we can name gets the alert the RFC names, our
 * reason, and a closed connection. Plus fast-check mutations of a valid ClientHello: only ever a
 * `TlsError` (never internal_error, never an exception out of `receive`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { certificateVerifyContent, writeFinished, writeHandshake, writeKeyUpdate } from '@puretls/handshake-state-machine/internal';
import { ServerConnection } from '../../src/index';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { exchange, handshake, helloWith, makeContext, type Exchange } from '@puretls/test-support/harness13';

function expectFailure(x: Exchange, alert: keyof typeof AlertDescription, reason: string): void {
  expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual([`${alert} ${reason}`]);
  expect(x.conn.phase).toBe('closed');
  expect(x.clientAlerts.at(-1)).toBe(AlertDescription[alert]);
}

const X25519 = 0x001d;
const P256 = 0x0017;

describe('TLS 1.3 server: ClientHello rules', () => {
  it('a client without TLS 1.3 in supported_versions → protocol_version (TLS 1.3-only context)', () => {
    expectFailure(helloWith({ versions: [0x0303] }, makeContext({ minVersion: 'TLSv1.3' })), 'protocol_version', 'NoCommonVersion');
  });
  it('no supported_versions at all (a TLS 1.2 client) → protocol_version (TLS 1.3-only context)', () => {
    expectFailure(helloWith({ versions: null }, makeContext({ minVersion: 'TLSv1.3' })), 'protocol_version', 'NoCommonVersion');
  });
  it('legacy_version 0x0300 or below → protocol_version (RFC 8446 Appendix D.5)', () => {
    expectFailure(helloWith({ legacyVersion: 0x0300 }), 'protocol_version', 'InvalidLegacyVersion');
    expectFailure(helloWith({ legacyVersion: 0x0200 }), 'protocol_version', 'InvalidLegacyVersion');
  });
  it('any other legacy_version is not used for version negotiation (RFC 8446 §4.2.1), as OpenSSL', () => {
    for (const v of [0x0301, 0x0302, 0x0304, 0x0305, 0x0403]) {
      const x = handshake(undefined, { legacyVersion: v });
      expect(x.errors, `0x${v.toString(16)}`).toEqual([]);
      expect(x.conn.info).toMatchObject({ version: 0x0304 });
    }
  });
  it('compression methods other than [null] → illegal_parameter (RFC 8446 §4.1.2)', () => {
    expectFailure(helloWith({ compression: [1, 0] }), 'illegal_parameter', 'InvalidCompressionMethods');
  });
  it('no common cipher suite → handshake_failure', () => {
    expectFailure(helloWith({ cipherSuites: [0xc02b, 0x009c] }), 'handshake_failure', 'NoCommonCipherSuite');
  });
  it('no signature_algorithms without PSK → missing_extension (RFC 8446 §9.2)', () => {
    expectFailure(helloWith({ sigAlgs: null }), 'missing_extension', 'MissingExtension');
  });
  it('supported_groups without key_share → missing_extension (RFC 8446 §9.2)', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(stripExtension(x.client.buildClientHello({ groups: [X25519] }), 51)));
    expectFailure(x, 'missing_extension', 'MissingExtension');
  });
  it('neither key_share/supported_groups nor pre_shared_key → missing_extension', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(stripExtension(x.client.buildClientHello({ groups: null }), 51)));
    expectFailure(x, 'missing_extension', 'MissingKeyShareOrPsk');
  });
  it('a key share for a group not in supported_groups → illegal_parameter (RFC 8446 §4.2.8)', () => {
    expectFailure(helloWith({ groups: [P256], shareGroups: ['x25519'] }), 'illegal_parameter', 'KeyShareGroupNotOffered');
  });
  it('two key shares for one group → illegal_parameter', () => {
    const share = new Uint8Array(32).fill(9);
    expectFailure(helloWith({ rawShares: [{ group: X25519, keyExchange: share }, { group: X25519, keyExchange: share }] }), 'illegal_parameter', 'DuplicateKeyShare');
  });
  it('an extension twice → illegal_parameter (RFC 8446 §4.2)', () => {
    expectFailure(helloWith({ extra: [{ type: 0x1234, data: new Uint8Array(0) }, { type: 0x1234, data: new Uint8Array(0) }] }), 'illegal_parameter', 'DuplicateExtension');
  });
  it('an x25519 share that yields the all-zero secret → illegal_parameter (RFC 8446 §7.4.2)', () => {
    expectFailure(helloWith({ rawShares: [{ group: X25519, keyExchange: new Uint8Array(32) }] }), 'illegal_parameter', 'InvalidKeyShare');
  });
  it('an x25519 share of the wrong length → illegal_parameter', () => {
    expectFailure(helloWith({ rawShares: [{ group: X25519, keyExchange: new Uint8Array(31).fill(7) }] }), 'illegal_parameter', 'InvalidKeyShare');
  });
  it('a P-256 share that is not on the curve → illegal_parameter', () => {
    const bad = new Uint8Array(65).fill(1);
    bad[0] = 4;
    expectFailure(helloWith({ groups: [P256], rawShares: [{ group: P256, keyExchange: bad }] }), 'illegal_parameter', 'InvalidKeyShare');
  });
  it('a compressed P-256 share → illegal_parameter (TLS 1.3 uses uncompressed points only)', () => {
    const bad = new Uint8Array(33).fill(1);
    bad[0] = 2;
    expectFailure(helloWith({ groups: [P256], rawShares: [{ group: P256, keyExchange: bad }] }), 'illegal_parameter', 'InvalidKeyShare');
  });
  it('no group in common → handshake_failure', () => {
    expectFailure(helloWith({ groups: [0x0019], rawShares: [{ group: 0x0019, keyExchange: new Uint8Array(133).fill(4) }] }), 'handshake_failure', 'NoCommonGroup');
  });
  it('signature_algorithms that fit none of our keys → handshake_failure', () => {
    expectFailure(helloWith({ sigAlgs: [0x0804, 0x0401] }), 'handshake_failure', 'NoCommonSignatureScheme');
  });
  it('ALPN without overlap → no_application_protocol (RFC 7301 §3.2)', () => {
    expectFailure(helloWith({ alpn: ['spdy/1'] }, makeContext({ alpnProtocols: ['h2'] })), 'no_application_protocol', 'NoApplicationProtocol');
  });
  it('record_size_limit below 64 → illegal_parameter (RFC 8449 §4)', () => {
    expectFailure(helloWith({ recordSizeLimit: 63 }), 'illegal_parameter', 'BadRecordSizeLimit');
  });
  it('pre_shared_key not last → illegal_parameter (RFC 8446 §4.2.11)', () => {
    const psk = { type: 41, data: new Uint8Array([0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...new Array(32).fill(1)]) };
    expectFailure(helloWith({ extra: [psk, { type: 0x4444, data: new Uint8Array(0) }] }), 'illegal_parameter', 'PskNotLastExtension');
  });
  it('trailing bytes after the ClientHello → decode_error', () => {
    const x = exchange();
    const ch = x.client.buildClientHello();
    const longer = new Uint8Array(ch.length + 2);
    longer.set(ch);
    const len = ch.length - 4 + 2;
    longer.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 1);
    x.send(TestClient13.plaintextRecord(longer));
    expectFailure(x, 'decode_error', 'TrailingData');
  });
  it('a truncated ClientHello body → decode_error', () => {
    const x = exchange();
    const ch = x.client.buildClientHello();
    const body = ch.subarray(4, 40);
    x.send(TestClient13.plaintextRecord(writeHandshake(1, (w) => w.bytes(body))));
    expectFailure(x, 'decode_error', 'Truncated');
  });
  it('an empty ALPN protocol name → decode_error (RFC 7301 §3.1)', () => {
    expectFailure(helloWith({ extra: [{ type: 16, data: new Uint8Array([0, 3, 0, 1, 0x61]) }] }), 'decode_error', 'EmptyAlpnProtocol');
  });
  it('two host_name entries in server_name → illegal_parameter (RFC 6066 §3: at most one name per type)', () => {
    const sni = new Uint8Array([0, 8, 0, 0, 1, 0x61, 0, 0, 1, 0x62]);
    expectFailure(helloWith({ serverName: null, extra: [{ type: 0, data: sni }] }), 'illegal_parameter', 'DuplicateServerName');
  });
});

describe('TLS 1.3 server: out-of-order messages', () => {
  it('a Finished instead of a ClientHello → unexpected_message', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(writeFinished(new Uint8Array(32))));
    expectFailure(x, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it('application data before the handshake → unexpected_message', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(new Uint8Array([1, 2, 3]), 23));
    expect(x.errors[0]?.alert).toBe('unexpected_message');
    expect(x.conn.phase).toBe('closed');
  });
  it('a second ClientHello instead of the Finished → unexpected_message', () => {
    const x = helloWith({});
    x.client.useHandshakeWriteKey();
    x.send(x.client.sendHandshake(x.client.buildClientHello()));
    expectFailure(x, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it('a wrong client Finished → decrypt_error (RFC 8446 §4.4.4)', () => {
    const x = helloWith({});
    x.send(x.client.finish({ corruptFinished: true }));
    expectFailure(x, 'decrypt_error', 'BadFinished');
  });
  it('a ClientHello after the handshake (renegotiation) → unexpected_message', () => {
    const x = handshake();
    x.send(x.client.sendHandshake(new TestClient13(x.client.provider).buildClientHello()));
    expectFailure(x, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
  it('a KeyUpdate with request_update = 2 → illegal_parameter (RFC 8446 §4.6.3)', () => {
    const x = handshake();
    x.send(x.client.sendHandshake(writeHandshake(24, (w) => w.u8(2))));
    expectFailure(x, 'illegal_parameter', 'KeyUpdateBadValue');
  });
  it('a fatal alert from the client ends the connection without an answer', () => {
    const x = handshake();
    x.send(x.client.sendAlert(AlertDescription.handshake_failure));
    expect(x.errors.map((e) => `${e.alert} ${e.reason} ${e.peerAlert}`)).toEqual([`null AlertReceived ${AlertDescription.handshake_failure}`]);
    expect(x.conn.phase).toBe('closed');
    expect(x.clientAlerts).toEqual([]);
  });
  it('a warning alert other than close_notify/user_canceled is fatal in TLS 1.3 (RFC 8446 §6.2)', () => {
    const x = handshake();
    x.send(x.client.sendAlert(AlertDescription.bad_certificate, 1));
    expect(x.errors[0]?.reason).toBe('AlertReceived');
  });
  it('close_notify during the handshake: we answer close_notify (RFC 8446 §6.1) and close without a handshake', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(new Uint8Array([1, 0]), 21));
    expect(x.errors[0]?.reason).toBe('PeerClosed');
    expect(x.conn.phase).toBe('closed');
    expect(x.clientAlerts).toEqual([AlertDescription.close_notify]);
  });
});

describe('TLS 1.3 server: HelloRetryRequest rules (RFC 8446 §4.1.2, §4.1.4)', () => {
  function retried(opts: Parameters<TestClient13['buildClientHello']>[0], mutate?: (ch2: Uint8Array) => Uint8Array): Exchange {
    const x = helloWith({ shareGroups: ['x25519'] }, makeContext({ groups: ['secp256r1'] }));
    expect(x.client.helloRetry).toBeDefined();
    const ch2 = x.client.buildClientHello({ random: x.client.clientRandom, shareGroups: ['secp256r1'], cookie: x.client.helloRetry!.cookie!, ...opts });
    x.send(TestClient13.plaintextRecord(mutate ? mutate(ch2) : ch2, 22, 0x0303));
    return x;
  }
  it('a second ClientHello without our cookie → illegal_parameter', () => {
    expectFailure(retried({ cookie: new Uint8Array([1, 2, 3]) }), 'illegal_parameter', 'BadCookie');
  });
  it('a second ClientHello with another random → illegal_parameter', () => {
    expectFailure(retried({ random: new Uint8Array(32).fill(3) }), 'illegal_parameter', 'SecondClientHelloChanged');
  });
  it('a second ClientHello with other cipher suites → illegal_parameter', () => {
    expectFailure(retried({ cipherSuites: [0x1302] }), 'illegal_parameter', 'SecondClientHelloChanged');
  });
  it('a second ClientHello whose key share is not for the selected group → illegal_parameter', () => {
    expectFailure(retried({ shareGroups: ['x25519'] }), 'illegal_parameter', 'HrrKeyShareNotFixed');
  });
  it('a second ClientHello with early_data → illegal_parameter (RFC 8446 §4.2.10)', () => {
    expectFailure(retried({ extra: [{ type: 42, data: new Uint8Array(0) }] }), 'illegal_parameter', 'SecondClientHelloChanged');
  });
});

describe('TLS 1.3 server: mutated ClientHellos (fast-check)', () => {
  const base = new TestClient13(makeContext().provider).buildClientHello({ alpn: ['h2'], serverName: 'localhost' });
  it('never throw out of receive(), never internal_error', () => {
    const ctx = makeContext();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(base.length), { nil: undefined }),
        (flips, cut) => {
          const m = base.slice(0, cut ?? base.length);
          for (const [at, v] of flips) if (at < m.length) m[at] = v;
          const conn = new ServerConnection(ctx);
          let err: { alert: string | null } | undefined;
          conn.on('error', (e) => (err = e));
          conn.receive(TestClient13.plaintextRecord(m));
          if (err) expect(err.alert).not.toBe('internal_error');
          return true;
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 20_000, seed: 8446 },
    );
  });
});

/** Removes the extension `type` from a ClientHello message (raw), fixing the lengths. */
function stripExtension(ch: Uint8Array, type: number): Uint8Array {
  const body = ch.subarray(4);
  let o = 2 + 32;
  o += 1 + body[o]!;
  o += 2 + ((body[o]! << 8) | body[o + 1]!);
  o += 1 + body[o]!;
  const extStart = o + 2;
  const kept: number[] = [];
  for (let p = extStart; p < body.length; ) {
    const t = (body[p]! << 8) | body[p + 1]!;
    const l = (body[p + 2]! << 8) | body[p + 3]!;
    if (t !== type) kept.push(...body.subarray(p, p + 4 + l));
    p += 4 + l;
  }
  const head = [...body.subarray(0, o)];
  const newBody = new Uint8Array([...head, kept.length >> 8, kept.length & 0xff, ...kept]);
  return writeHandshake(1, (w) => w.bytes(newBody));
}
