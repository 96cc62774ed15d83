/**
 * Issue 16.3 / 15.6: every row of the reason → alert table (record-layer/src/alerts.ts), produced
 * through the public API with real bytes: the error names the reason, its alert is the row's, its
 * code is the reason's own, and the alert is what the client received — decrypted where it was
 * protected — or nothing for the reasons that send none. The table is typed `Record<Reason, …>`:
 * a reason added without a scenario does not compile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes, createNobleProvider, NAMED_GROUP_CODEPOINT } from '@puretls/crypto';
import {
  AlertDescription,
  ContentType,
  REASON_ALERT,
  RecordLayer,
  TlsError,
  isTlsError,
  reasonCode,
  type Reason,
} from '@puretls/record-layer';
import { keysFor, nextTrafficSecret, readServerKeyExchange, suiteByCode, writeClientKeyExchangeEcdhePsk, writeHandshake } from '@puretls/handshake-state-machine/internal';
import { NO_SESSIONS, ServerContext } from '../../src/index';
import { driveTo, plainRecord, type StateId } from '../fuzz/drive';
import { ecdsaCertificate, exchange, handshake, makeContext } from '@puretls/test-support/harness13';
import { TestClient13, type ClientHelloOptions } from '@puretls/test-support/tls13-client';
import { MapGlue12, exchange12, handshake12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options } from '@puretls/test-support/tls12-client';
import { Sealer } from './wire';
import { ClientPki, type ClientKind } from '@puretls/test-support/client-pki';
import { mtlsHandshake, type TlsVersion } from '@puretls/test-support/harness-mtls';
import type { ClientAuthAnswer } from '@puretls/test-support/tls13-client';
import type { CertificateAlert } from '@puretls/crypto';

/** What a scenario saw: the server's errors and the alert descriptions its peer received (null: no connection). */
interface Seen {
  readonly errors: readonly TlsError[];
  readonly wire: readonly number[] | null;
}
type Scenario = () => Seen;

const X25519 = NAMED_GROUP_CODEPOINT.x25519;
const hs = (type: number, body: Uint8Array | number[] = []) => writeHandshake(type, (w) => w.bytes(Uint8Array.from(body)));
const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);

function h13(opts: ClientHelloOptions = {}, ctx: ServerContext = makeContext()): Seen {
  const x = exchange(ctx);
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello(opts)));
  return { errors: x.errors, wire: x.clientAlerts };
}
function h12(opts: ClientHello12Options = {}, ctx: ServerContext = makeContext12()): Seen {
  const x = exchange12(ctx);
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  return { errors: x.errors, wire: x.client.alerts.map((a) => a.description) };
}
/** Bytes sent by a client in state `id` (sealed under its key there, by `d.record`). */
function inState(id: StateId, build: (d: ReturnType<typeof driveTo>) => Uint8Array | Uint8Array[]): Seen {
  const d = driveTo(id);
  const out = build(d);
  for (const b of Array.isArray(out) ? out : [out]) d.send(b);
  return { errors: d.errors, wire: d.alerts().map((a) => a.description) };
}
/** A thrown `TlsError` from a public API call that is not a connection. */
function api(f: () => unknown): Seen {
  try {
    f();
  } catch (e) {
    if (isTlsError(e)) return { errors: [e], wire: null };
    throw e;
  }
  throw new Error('no TlsError thrown');
}
/** After a full TLS 1.3 handshake: records sealed under the client's application key from sequence 0. */
function afterHandshake13(build: (seal: Sealer) => Uint8Array[]): Seen {
  const x = handshake();
  const p = x.client.provider;
  const seal = new Sealer(p, keysFor(p, x.client.suite!, x.client.clientApSecret!));
  for (const b of build(seal)) x.send(b);
  return { errors: x.errors, wire: x.clientAlerts };
}
/** A ClientHello after a HelloRetryRequest (the context has only P-256; the first hello offers an x25519 share). */
function secondHello(second: ClientHelloOptions, ctx = makeContext({ groups: ['secp256r1'] })): Seen {
  const x = exchange(ctx);
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ shareGroups: ['x25519'] })));
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ random: x.client.clientRandom, shareGroups: ['secp256r1'], ...second }), 22, 0x0303));
  return { errors: x.errors, wire: x.clientAlerts };
}
/** A ClientHello `msg` with `n` more bytes and its length patched (trailing data). */
function longer(msg: Uint8Array, n: number): Uint8Array {
  const out = concatBytes(msg, new Uint8Array(n));
  const len = out.length - 4;
  out.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 1);
  return out;
}

// ---- external PSKs: a PSK-only context (no certificate) knowing the identity "id1"
const pskContext = (lookup: (identity: Uint8Array) => Uint8Array | undefined = (id) => (new TextDecoder().decode(id) === 'id1' ? bytes(32, 7) : undefined)) =>
  new ServerContext({ certificates: [], externalPsk: lookup, cipherSuites: ['TLS_AES_128_GCM_SHA256', 'ECDHE-PSK-CHACHA20-POLY1305'] });
/** A TLS 1.3 ClientHello offering the external PSK `identity` (key `key`). */
function psk13(identity: string, ctx: ServerContext, key = bytes(32, 7)): Seen {
  const ticket = { ticket: new TextEncoder().encode(identity), psk: key, suite: suiteByCode(0x1301)!, ticketAgeAdd: 0, lifetime: 0, maxEarlyData: 0, nonce: new Uint8Array(0), external: true };
  return h13({ cipherSuites: [0x1301], resume: { tickets: [ticket] } }, ctx);
}
/** A TLS 1.2 ECDHE-PSK hello, then a ClientKeyExchange naming `identity` (x25519 point 9: the base point). */
function psk12(identity: Uint8Array): Seen {
  const x = exchange12(pskContext());
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ cipherSuites: [0xccac] })));
  const point = new Uint8Array(32);
  point[0] = 9;
  x.send(TestClient12.plaintextRecord(writeClientKeyExchangeEcdhePsk(identity, point), 22, 0x0303));
  return { errors: x.errors, wire: x.client.alerts.map((a) => a.description) };
}

// ---- client authentication: a context with requestCert (rejectUnauthorized by default) and the test CA
let pki: ClientPki | undefined;
const clientPki = (): ClientPki => (pki ??= new ClientPki());
afterAll(() => pki?.close());
const mtlsContext = () => makeContext({ requestCert: true, ca: clientPki().caPem });
function mtls(version: TlsVersion, answer: ClientAuthAnswer): Seen {
  const r = mtlsHandshake(version, mtlsContext(), { answer });
  return { errors: r.errors, wire: r.alerts };
}
/** A client presenting the `kind` certificate with its key. */
const present = (kind: ClientKind, over: Partial<ClientAuthAnswer> = {}): ClientAuthAnswer => {
  const f = clientPki().client(kind);
  return { chain: f.chain, key: f.key, ...over };
};
/** A verifier of our own (the handshake takes any): it refuses every chain with `alert`. */
function refusedWith(alert: CertificateAlert): Seen {
  const base = mtlsContext();
  const clientAuth = { ...base.handshake.clientAuth!, verifyChain: () => ({ authorized: false, error: 'CUSTOM', alert }) };
  const context = { ...base, provider: base.provider, sessions: base.sessions, now: base.now, handshake: { ...base.handshake, clientAuth } };
  const r = mtlsHandshake('1.3', context, { answer: present('p256') });
  return { errors: r.errors, wire: r.alerts };
}

const SCENARIOS: Record<Reason, Scenario> = {
  // ---- decoding
  TrailingData: () => h13({ extra: [{ type: 49 /* post_handshake_auth: empty */, data: Uint8Array.of(0) }] }),
  Truncated: () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(hs(1, x.client.buildClientHello().subarray(4, 40))));
    return { errors: x.errors, wire: x.clientAlerts };
  },
  BadLength: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.handshake, hs(20, bytes(31)))),
  BadVectorLength: () => {
    const x = exchange();
    // legacy_session_id<0..32> of 33 bytes
    x.send(TestClient13.plaintextRecord(writeHandshake(1, (w) => w.u16(0x0303).bytes(bytes(32)).vec8((w) => w.bytes(bytes(33))).bytes(bytes(10)))));
    return { errors: x.errors, wire: x.clientAlerts };
  },
  EmptyVector: () => h13({ serverName: null, extra: [{ type: 0, data: Uint8Array.of(0, 3, 0, 0, 0) }] }), // an empty host_name
  // A handshake header claiming 2^24-1 bytes (issue 20.5): refused from the header.
  MessageTooLarge: () => inState('tls13/ExpectClientHello', () => plainRecord(ContentType.handshake, Uint8Array.of(1, 0xff, 0xff, 0xff), 0x0301)),
  BadAlertMessage: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.alert, Uint8Array.of(1, 0, 0))),
  EmptyAlpnProtocol: () => h13({ extra: [{ type: 16, data: Uint8Array.of(0, 3, 0, 1, 0x61) }] }),
  // ---- records
  EmptyAlertRecord: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.alert, new Uint8Array(0))),
  EmptyHandshakeRecord: () => inState('tls12/ExpectClientKeyExchange', () => plainRecord(ContentType.handshake, new Uint8Array(0))),
  BadChangeCipherSpec: () => inState('tls12/ExpectChangeCipherSpec12', () => plainRecord(ContentType.change_cipher_spec, Uint8Array.of(2))),
  UnknownContentType: () => inState('tls13/ExpectClientHello', () => plainRecord(24, Uint8Array.of(1, 0, 0))),
  UnexpectedPlaintextRecord: () => inState('tls13/ExpectFinished', (d) => plainRecord(ContentType.handshake, d.validNext[0]!)),
  BadRecordVersion: () => inState('tls12/ExpectClientKeyExchange', (d) => plainRecord(ContentType.handshake, d.validNext[0]!, 0x0301)),
  RecordOverflow: () => inState('tls13/ExpectClientHello', () => plainRecord(ContentType.handshake, bytes(2 ** 14 + 1, 1))),
  CiphertextOverflow: () => inState('tls13/ExpectFinished', () => plainRecord(ContentType.application_data, bytes(2 ** 14 + 257, 1))),
  PlaintextOverflow: () => afterHandshake13((seal) => [seal.record(ContentType.application_data, bytes(2 ** 14 + 1, 1))]),
  DecryptFailed: () =>
    inState('tls13/Traffic13', (d) => {
      const r = d.record(ContentType.application_data, Uint8Array.of(1, 2, 3));
      r[r.length - 1]! ^= 1;
      return r;
    }),
  AllZeroInnerPlaintext: () => afterHandshake13((seal) => [seal.record(0, new Uint8Array(0), 5)]),
  MessageSpansKeyChange: () => {
    const x = exchange();
    // The ClientHello and the start of another message in one record: the handshake key takes over mid-record.
    x.send(plainRecord(ContentType.handshake, concatBytes(x.client.buildClientHello(), Uint8Array.of(20, 0, 0, 32)), 0x0301));
    return { errors: x.errors, wire: x.clientAlerts };
  },
  InterleavedHandshakeData: () => {
    const x = exchange();
    const ch = x.client.buildClientHello();
    x.send(concatBytes(plainRecord(ContentType.handshake, ch.subarray(0, 50), 0x0301), plainRecord(ContentType.alert, Uint8Array.of(1, 90)), plainRecord(ContentType.handshake, ch.subarray(50))));
    return { errors: x.errors, wire: x.clientAlerts };
  },
  UnexpectedChangeCipherSpec: () => inState('tls12/ExpectClientKeyExchange', () => plainRecord(ContentType.change_cipher_spec, Uint8Array.of(1))),
  // Issue 16.4: zero-length application data interleaved with the handshake (under the handshake key).
  UnexpectedApplicationData: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.application_data, new Uint8Array(0))),
  TooMuchEarlyData: () => inState('tls13/ExpectEndOfEarlyData', (d) => d.record(ContentType.application_data, bytes(2000, 1))),
  // ---- floods
  TooManyEmptyRecords: () => inState('tls13/Traffic13', (d) => Array.from({ length: 33 }, () => d.record(ContentType.application_data, new Uint8Array(0)))),
  TooManyWarningAlerts: () => inState('tls12/ExpectClientKeyExchange', () => Array.from({ length: 5 }, () => plainRecord(ContentType.alert, Uint8Array.of(1, 43)))),
  // 33 KeyUpdates in a row, each in its own record under the key the previous one moved to.
  TooManyKeyUpdates: () => {
    const x = handshake();
    const p = x.client.provider;
    let secret = x.client.clientApSecret!;
    for (let i = 0; i < 33; i++) {
      x.send(new Sealer(p, keysFor(p, x.client.suite!, secret)).record(ContentType.handshake, Uint8Array.of(24, 0, 0, 1, 0)));
      secret = nextTrafficSecret(p, x.client.suite!.hash, secret);
    }
    return { errors: x.errors, wire: x.clientAlerts };
  },
  TooMuchDataWhileWaiting: () => {
    const glue = new MapGlue12();
    glue.asyncLookups = true;
    const x = exchange12(makeContext12({ sessions: glue }));
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ sessionId: bytes(32, 3) })));
    x.send(concatBytes(...Array.from({ length: 5 }, () => plainRecord(ContentType.application_data, bytes(2 ** 14, 1)))));
    return { errors: x.errors, wire: x.client.alerts.map((a) => a.description) };
  },
  RenegotiationAttempted: () => inState('tls12/Traffic12', (d) => Array.from({ length: 17 }, () => d.record(ContentType.handshake, d.validNext[0]!))),
  UnexpectedHandshakeMessage: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.handshake, hs(11, bytes(4)))),
  // ---- illegal_parameter
  DuplicateExtension: () => h13({ extra: [{ type: 0x1234, data: new Uint8Array(0) }, { type: 0x1234, data: new Uint8Array(0) }] }),
  IllegalParameter: () => api(() => readServerKeyExchange(Uint8Array.of(1, 0, 0x17, 1, 4, 4, 3, 0, 0))), // curve type explicit_prime
  InvalidKeyShare: () => h13({ rawShares: [{ group: X25519, keyExchange: bytes(31, 7) }] }),
  DuplicateKeyShare: () => h13({ rawShares: [{ group: X25519, keyExchange: bytes(32, 9) }, { group: X25519, keyExchange: bytes(32, 9) }] }),
  KeyShareGroupNotOffered: () => h13({ groups: [0x0017], shareGroups: ['x25519'] }),
  InvalidCompressionMethods: () => h13({ compression: [1, 0] }),
  PskNotLastExtension: () => h13({ extra: [{ type: 41, data: Uint8Array.of(0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...bytes(32, 1)) }, { type: 0x4444, data: new Uint8Array(0) }] }),
  PskIdentityBinderMismatch: () => h13({ extra: [{ type: 41, data: Uint8Array.of(0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 66, 32, ...bytes(32, 1), 32, ...bytes(32, 2)) }] }),
  SecondClientHelloChanged: () => secondHello({ alpn: ['h2'] }),
  HrrKeyShareNotFixed: () => secondHello({ shareGroups: ['x25519'] }),
  BadCookie: () => secondHello({ cookie: Uint8Array.of(1, 2, 3) }),
  KeyUpdateBadValue: () => inState('tls13/Traffic13', (d) => d.record(ContentType.handshake, Uint8Array.of(24, 0, 0, 1, 2))),
  ResumedSuiteNotOffered: () => {
    const ctx = makeContext12();
    const first = handshake12(ctx);
    return h12({ resume: first.client.session, cipherSuites: [0xcca9] }, ctx);
  },
  BadRecordSizeLimit: () => h12({ recordSizeLimit: 63 }),
  BadServerName: () => h13({ serverName: null, extra: [{ type: 0, data: Uint8Array.of(0, 7, 0, 0, 4, 0x61, 0, 0x62, 0x63) }] }), // host_name "a\0bc"
  DuplicateServerName: () => h13({ serverName: null, extra: [{ type: 0, data: Uint8Array.of(0, 8, 0, 0, 1, 0x61, 0, 0, 1, 0x62) }] }),
  BadMaxFragmentLength: () => h12({ extra: [{ type: 1, data: Uint8Array.of(5) }] }),
  NoPointFormat: () => h12({ pointFormats: [1] }),
  // ---- versions
  InvalidLegacyVersion: () => h13({ legacyVersion: 0x0300 }),
  NoCommonVersion: () => h12({ legacyVersion: 0x0302 }),
  InappropriateFallback: () => h12({ legacyVersion: 0x0304, fallbackScsv: true }),
  // ---- cryptographic checks
  BadFinished: () =>
    inState('tls13/ExpectFinished', (d) => {
      const fin = d.validNext[0]!.slice();
      fin[fin.length - 1]! ^= 1;
      return d.record(ContentType.handshake, fin);
    }),
  BadBinder: () => {
    const ctx = makeContext();
    const first = handshake(ctx);
    return h13({ resume: { tickets: [first.client.tickets[0]!], corruptBinder: true } }, ctx);
  },
  // ---- external PSKs
  UnknownPskIdentity: () => psk12(new TextEncoder().encode('nobody')),
  PskIdentityTooLong: () => psk12(bytes(257, 0x61)),
  ExternalPskCallbackFailed: () =>
    psk13(
      'id1',
      pskContext(() => {
        throw new Error('lookup failed');
      }),
    ),
  // ---- nothing in common
  NoCommonCipherSuite: () => h13({ cipherSuites: [0xc02b, 0x009c] }),
  NoCommonGroup: () => h13({ groups: [0x1234, 0x2345], rawShares: [{ group: 0x1234, keyExchange: bytes(10, 7) }] }),
  NoCommonSignatureScheme: () => h12({ sigAlgs: null }),
  NoApplicationProtocol: () => h13({ alpn: ['spdy/1'] }, makeContext({ alpnProtocols: ['h2'] })),
  MissingExtension: () => h13({ sigAlgs: null }),
  MissingKeyShareOrPsk: () => h13({ groups: null }),
  PskWithoutKeyExchangeModes: () => {
    const x = exchange();
    const all = readExtensionList(x.client.buildClientHello({ extra: [{ type: 41, data: Uint8Array.of(0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...bytes(32, 1)) }] }));
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ rawExtensions: all.filter((e) => e.type !== 45) })));
    return { errors: x.errors, wire: x.clientAlerts };
  },
  ExtendedMasterSecretRequired: () => h12({ ems: false }, makeContext12({ requireExtendedMasterSecret: true })),
  ExtendedMasterSecretMismatch: () => {
    const ctx = makeContext12();
    const first = handshake12(ctx);
    return h12({ resume: first.client.session, ems: false }, ctx);
  },
  BadRenegotiationInfo: () => h12({ renegotiationInfo: Uint8Array.of(1, 2) }),
  // ---- client authentication
  ClientCertificateRequired: () => mtls('1.3', { chain: [] }),
  NoClientCertificate: () => mtls('1.2', { chain: [] }),
  ClientCertificateBad: () => mtls('1.3', present('notYetValid')), // CERT_NOT_YET_VALID
  ClientCertificateUnsupported: () => mtls('1.2', present('serverAuthOnly')), // INVALID_PURPOSE
  ClientCertificateRevoked: () => refusedWith('certificate_revoked'),
  ClientCertificateExpired: () => mtls('1.3', present('expired')), // CERT_HAS_EXPIRED
  ClientCertificateUnknown: () => mtls('1.2', present('criticalExtension')), // UNHANDLED_CRITICAL_EXTENSION
  ClientCertificateUnknownCa: () => mtls('1.3', present('selfSigned')), // DEPTH_ZERO_SELF_SIGNED_CERT
  ClientCertificateBadSignature: () => mtls('1.2', present('badSignature')), // CERT_SIGNATURE_FAILURE
  ClientCertificateUnverifiable: () => refusedWith('internal_error'),
  MalformedClientCertificate: () => mtls('1.3', { chain: [Uint8Array.of(0x30, 0x03, 1, 2, 3)] }),
  ClientCertificateContextMismatch: () => mtls('1.3', present('p256', { requestContext: Uint8Array.of(1) })),
  UnrequestedCertificateExtension: () => mtls('1.3', present('p256', { leafExtensions: [{ type: 18 /* signed_certificate_timestamp */, data: Uint8Array.of(0, 0) }] })),
  BadCertificateVerify: () => mtls('1.2', present('p256', { corruptSignature: true })),
  // rsa_pkcs1_sha256 in TLS 1.3 (RFC 8446 §4.2.3: not for CertificateVerify, so not offered).
  CertificateVerifySchemeNotOffered: () => mtls('1.3', present('rsa', { scheme: 0x0401 })),
  // A P-256 key claiming ecdsa_secp384r1_sha384 (TLS 1.3 binds the curve).
  CertificateVerifySchemeKeyMismatch: () => mtls('1.3', present('p256', { scheme: 0x0503, signature: bytes(70, 1) })),
  // ---- not the peer's fault
  Internal: () =>
    h12(
      {},
      new ServerContext({
        certificates: [ecdsaCertificate()],
        sessions: {
          ...NO_SESSIONS,
          sessionIdForNewSession12: () => {
            throw new Error('a bug in the session glue');
          },
        },
      }),
    ),
  SequenceNumberExhausted: () =>
    api(() => {
      const rl = new RecordLayer({ provider: createNobleProvider() });
      rl.setVersion('tls13');
      rl.setWriteProtection({ version: 'tls13', algorithm: 'chacha20-poly1305', key: bytes(32), iv: bytes(12), initialSequenceNumber: 2n ** 64n - 1n });
      rl.writeApplicationData(Uint8Array.of(1));
      rl.writeApplicationData(Uint8Array.of(2));
    }),
  KeyUsageLimitReached: () =>
    api(() => {
      const rl = new RecordLayer({ provider: createNobleProvider() });
      rl.setVersion('tls13');
      rl.setWriteProtection({ version: 'tls13', algorithm: 'aes-128-gcm', key: bytes(16), iv: bytes(12), initialSequenceNumber: BigInt(Math.floor(2 ** 24.5)) });
      rl.writeApplicationData(Uint8Array.of(1));
    }),
  // ---- nothing sent
  AlertReceived: () => inState('tls13/ExpectFinished', (d) => d.record(ContentType.alert, Uint8Array.of(2, 40))),
  PeerClosed: () => inState('tls12/ExpectClientKeyExchange', () => plainRecord(ContentType.alert, Uint8Array.of(1, 0))),
};

/** The extensions of a ClientHello message (header included), in order. */
function readExtensionList(msg: Uint8Array): { type: number; data: Uint8Array }[] {
  let o = 4 + 2 + 32;
  o += 1 + msg[o]!;
  o += 2 + ((msg[o]! << 8) | msg[o + 1]!);
  o += 1 + msg[o]!;
  const end = o + 2 + ((msg[o]! << 8) | msg[o + 1]!);
  const out: { type: number; data: Uint8Array }[] = [];
  for (o += 2; o < end; ) {
    const type = (msg[o]! << 8) | msg[o + 1]!;
    const len = (msg[o + 2]! << 8) | msg[o + 3]!;
    out.push({ type, data: msg.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return out;
}

describe('every reason of REASON_ALERT, through the public API with real bytes', () => {
  it.each(Object.keys(REASON_ALERT) as Reason[])('%s', (reason) => {
    const seen = SCENARIOS[reason]();
    const e = seen.errors[0];
    expect(e, 'an error').toBeDefined();
    expect({ reason: e!.reason, alert: e!.alert, code: e!.code }).toEqual({ reason, alert: REASON_ALERT[reason], code: reasonCode(reason) });
    expect(seen.errors).toHaveLength(1); // fatal errors stick: one error, once
    if (seen.wire === null) return;
    const alert = REASON_ALERT[reason];
    if (alert === null) {
      // No error alert: the peer's own alert ended it, or its close_notify is answered with ours.
      expect(seen.wire.filter((a) => a !== AlertDescription.close_notify)).toEqual([]);
    } else {
      expect(seen.wire.at(-1), 'the alert the peer received').toBe(AlertDescription[alert]);
    }
  });
});

describe('codes', () => {
  it('one per reason, ERR_TLS_ + the reason in upper snake case', () => {
    const reasons = Object.keys(REASON_ALERT) as Reason[];
    expect(new Set(reasons.map(reasonCode)).size).toBe(reasons.length);
    expect(reasonCode('TrailingData')).toBe('ERR_TLS_TRAILING_DATA');
    expect(reasonCode('InvalidKeyShare')).toBe('ERR_TLS_INVALID_KEY_SHARE');
    for (const r of reasons) expect(reasonCode(r)).toMatch(/^ERR_TLS_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    // the brand works across copies of the package
    const e = new TlsError('TrailingData');
    expect(isTlsError(e)).toBe(true);
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('puretls.error')]).toBe(true);
  });
  it('a reason not in the table is API misuse: TypeError naming the argument', () => {
    expect(() => new TlsError('NoSuchReason' as Reason)).toThrow(/reason: not a Reason/);
    expect(() => new TlsError('NoSuchReason' as Reason)).toThrow(TypeError);
  });
});
