/**
 * Per-connection resource limits (issue #10), in memory: each is a context option with a safe
 * default, and each fails with the alert we chose for it (see REASON_ALERT in alerts.ts):
 * ClientHello size (decode_error; by default the largest the wire format allows, see
 * conformance/client-hello-size.test.ts), key shares and PSK identities considered (not an error:
 * the rest is ignored), handshake message size (decode_error), warning alerts, empty records and
 * KeyUpdates in a row (unexpected_message, as OpenSSL).
 * (Early data beyond max_early_data_size: tls13/resumption.test.ts and tls13/session-spec.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { NAMED_GROUP_CODEPOINT, createNobleProvider } from '@puretls/crypto';
import {
  MAX_CLIENT_HELLO_LENGTH,
  keysFor,
  nextTrafficSecret,
  writeKeyUpdate,
} from '@puretls/handshake-state-machine/internal';
import { ContentType, MAX_USELESS_RECORDS, MAX_WARNING_ALERTS, createEncrypter } from '@puretls/record-layer';
import { DEFAULT_MAX_KEY_UPDATES, ServerContext } from '../src/index';
import { ecdsaCertificate, exchange, handshake, makeContext, type Exchange } from '@puretls/test-support/harness13';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { handshake12, makeContext12 } from '@puretls/test-support/harness12';

/** A handshake message split over plaintext records of at most 2^14 bytes (RFC 8446 §5.1). */
function records(msg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let o = 0; o < msg.length; o += 1 << 14) parts.push(TestClient13.plaintextRecord(msg.subarray(o, o + (1 << 14))));
  return Buffer.concat(parts);
}

/** The padding extension (RFC 7685) of `n` zero bytes, to grow a ClientHello. */
const padding = (n: number) => ({ type: 21, data: new Uint8Array(n) });

function sendHello(ctx: ServerContext, opts: Parameters<TestClient13['buildClientHello']>[0]): Exchange {
  const x = exchange(ctx);
  x.send(records(x.client.buildClientHello(opts)));
  return x;
}

const failures = (x: { errors: readonly { alert: string | null; reason: string }[] }) => x.errors.map((e) => `${e.alert} ${e.reason}`);
/** The handshake went on: the server answered with a ServerHello (or HelloRetryRequest) and no error. */
const answered = (x: Exchange) => x.errors.length === 0 && x.client.received.some((m) => m.type === 2);

describe('ClientHello size (maxClientHelloLength)', () => {
  it('defaults to the largest ClientHello the syntax allows (131,396 bytes): a 60 KiB one is served', () => {
    expect(MAX_CLIENT_HELLO_LENGTH).toBe(131_396);
    expect(answered(sendHello(makeContext(), { extra: [padding(60 * 1024)] }))).toBe(true);
  });
  it('is an option: a larger ClientHello is refused with decode_error from its header, before any of it is buffered', () => {
    const ctx = makeContext({ maxClientHelloLength: 1024 });
    expect(answered(sendHello(ctx, { extra: [padding(100)] }))).toBe(true);
    expect(failures(sendHello(ctx, { extra: [padding(1024)] }))).toEqual(['decode_error MessageTooLarge']);
    // Also for a TLS 1.2 ClientHello (same first state).
    expect(failures(sendHello(ctx, { versions: null, cipherSuites: [0xc02b], extra: [padding(1024)] }))).toEqual(['decode_error MessageTooLarge']);
    const x = exchange(ctx);
    x.send(TestClient13.plaintextRecord(Uint8Array.of(1, 0, 0x04, 0x01)));
    expect(failures(x)).toEqual(['decode_error MessageTooLarge']);
    expect(x.conn.bufferedBytes).toBe(0);
    expect(() => makeContext({ maxClientHelloLength: 100 })).toThrow(RangeError);
    expect(() => makeContext({ maxClientHelloLength: 1.5e3 + 0.5 })).toThrow(RangeError);
    expect(() => makeContext({ maxClientHelloLength: MAX_CLIENT_HELLO_LENGTH + 1 })).toThrow(RangeError);
  });
});

describe('extensions per ClientHello', () => {
  it('are not counted: 1,000 unknown ones are served; the old maxClientHelloExtensions option is refused by name', () => {
    const unknown = Array.from({ length: 1000 }, (_, i) => ({ type: 0x7000 + i, data: new Uint8Array(0) }));
    expect(answered(sendHello(makeContext(), { extra: unknown }))).toBe(true);
    expect(() => makeContext({ maxClientHelloExtensions: 64 } as never)).toThrow(/options\.maxClientHelloExtensions: no longer supported/);
  });
});

describe('key shares considered (maxKeyShares)', () => {
  const grease = [0x0a0a, 0x1a1a, 0x2a2a];
  const x25519 = NAMED_GROUP_CODEPOINT.x25519;
  /** GREASE shares first, the real x25519 share last (position 4). */
  function offer(ctx: ServerContext, junkShareGroup?: number): Exchange {
    const x = exchange(ctx);
    const kp = x.client.provider.generateKeyPair('x25519');
    x.client.keyPairs.set(x25519, kp);
    const rawShares = [...grease.map((g) => ({ group: g, keyExchange: new Uint8Array(32).fill(1) })), { group: x25519, keyExchange: kp.publicKey }];
    if (junkShareGroup !== undefined) rawShares.push({ group: junkShareGroup, keyExchange: new Uint8Array(32) });
    x.send(records(x.client.buildClientHello({ groups: [...grease, x25519], rawShares })));
    return x;
  }
  it('shares beyond the limit are ignored: the client gets a HelloRetryRequest instead of a ServerHello', () => {
    const served = offer(makeContext({ maxKeyShares: 4 }));
    expect(answered(served)).toBe(true);
    expect(served.client.helloRetry).toBeUndefined();
    const retried = offer(makeContext({ maxKeyShares: 3 }));
    expect(answered(retried)).toBe(true);
    expect(retried.client.helloRetry).toMatchObject({ group: x25519 });
  });
  it('ignored shares are not even checked (RFC 8446 §4.2.8 group check): no work for them', () => {
    // A share for a group missing from supported_groups is illegal_parameter when considered …
    expect(failures(offer(makeContext({ maxKeyShares: 8 }), 0x0017 /* secp256r1, not offered */))).toEqual(['illegal_parameter KeyShareGroupNotOffered']);
    // … and ignored beyond the limit.
    expect(answered(offer(makeContext({ maxKeyShares: 4 }), 0x0017))).toBe(true);
    expect(() => makeContext({ maxKeyShares: 0 })).toThrow(RangeError);
  });
});

describe('PSK identities looked up (maxPskIdentities)', () => {
  function ticket(ctx: ServerContext): ClientTicket {
    const x = handshake(ctx);
    expect(x.client.tickets.length).toBeGreaterThan(0);
    return x.client.tickets[0]!;
  }
  it('only the first N identities are tried: a good ticket at position N+1 is never looked up', () => {
    const p = createNobleProvider();
    const mk = (max: number) => makeContext({ maxPskIdentities: max, ticketKeys: shared });
    const shared = makeContext().ticketKeys; // one ring for every context: tickets open everywhere
    const good = ticket(mk(8));
    const junk = (): ClientTicket => ({ ...good, ticket: p.random(good.ticket.length), psk: p.random(32) });
    const tickets = [junk(), junk(), good];
    const within = sendHello(mk(3), { resume: { tickets } });
    within.send(within.client.finish());
    expect(within.conn.info).toMatchObject({ resumed: true });
    expect(within.client.selectedIdentity).toBe(2);
    const beyond = sendHello(mk(2), { resume: { tickets } });
    beyond.send(beyond.client.finish());
    expect(beyond.errors).toEqual([]);
    expect(beyond.conn.info).toMatchObject({ resumed: false });
    expect(() => makeContext({ maxPskIdentities: 0 })).toThrow(RangeError);
  });
});

describe('handshake message size (maxHandshakeMessageLength)', () => {
  it('a handshake message header announcing more than the limit fails at once with decode_error', () => {
    const x = exchange(makeContext({ maxHandshakeMessageLength: 4096 }));
    // Only the 4-byte header of a 5000-byte ClientHello: refused before the body is buffered.
    x.send(TestClient13.plaintextRecord(Uint8Array.of(1, 0, 0x13, 0x88)));
    expect(failures(x)).toEqual(['decode_error MessageTooLarge']);
  });
});

/**
 * A TLS 1.3 handshake finished; returns helpers that send records as the client, sealed by hand
 * under the client's application key (the record layer never writes empty records).
 */
function open13(ctx: ServerContext) {
  const x = handshake(ctx);
  expect(x.conn.phase).toBe('open');
  const c = x.client;
  let secret = c.clientApSecret!;
  let enc = createEncrypter(c.provider, keysFor(c.provider, c.suite!, secret));
  const seal = (type: ContentType, content: Uint8Array) => {
    const out = new Uint8Array(enc.recordLength(content.length, 0));
    enc.sealInto(type, content, 0, out, 0);
    x.send(out);
  };
  return {
    x,
    data: (s: string) => seal(ContentType.application_data, new TextEncoder().encode(s)),
    empty: () => seal(ContentType.application_data, new Uint8Array(0)),
    warning: (description: number) => seal(ContentType.alert, Uint8Array.of(1, description)),
    keyUpdate: () => {
      // RFC 8446 §4.6.3: KeyUpdate under the old key, then the sender switches.
      seal(ContentType.handshake, writeKeyUpdate(false));
      secret = nextTrafficSecret(c.provider, c.suite!.hash, secret);
      enc = createEncrypter(c.provider, keysFor(c.provider, c.suite!, secret));
    },
  };
}

describe('empty records in a row (maxEmptyRecords)', () => {
  it(`default ${MAX_USELESS_RECORDS} (OpenSSL's MAX_EMPTY_RECORDS): one more → unexpected_message; data in between resets the count`, () => {
    const t = open13(makeContext());
    for (let i = 0; i < MAX_USELESS_RECORDS; i++) t.empty();
    t.data('x');
    for (let i = 0; i < MAX_USELESS_RECORDS; i++) t.empty();
    expect(t.x.errors).toEqual([]);
    t.empty();
    expect(failures(t.x)).toEqual(['unexpected_message TooManyEmptyRecords']);
    expect(t.x.clientAlerts).toContain(10); // unexpected_message reached the client
  });
  it('is an option', () => {
    const t = open13(makeContext({ maxEmptyRecords: 3 }));
    for (let i = 0; i < 3; i++) t.empty();
    expect(t.x.errors).toEqual([]);
    t.empty();
    expect(failures(t.x)).toEqual(['unexpected_message TooManyEmptyRecords']);
    expect(() => makeContext({ maxEmptyRecords: -1 })).toThrow(RangeError);
  });
});

describe('warning alerts in a row (maxWarningAlerts)', () => {
  const user_canceled = 90;
  it(`TLS 1.3: user_canceled warnings are ignored up to ${MAX_WARNING_ALERTS} in a row (the 5th fails, like OpenSSL's MAX_WARN_ALERT_COUNT)`, () => {
    const t = open13(makeContext());
    for (let i = 0; i < MAX_WARNING_ALERTS; i++) t.warning(user_canceled);
    t.data('x');
    for (let i = 0; i < MAX_WARNING_ALERTS; i++) t.warning(user_canceled);
    expect(t.x.errors).toEqual([]);
    t.warning(user_canceled);
    expect(failures(t.x)).toEqual(['unexpected_message TooManyWarningAlerts']);
  });
  it('TLS 1.3: any other warning alert is fatal at once (RFC 8446 §6.2)', () => {
    const t = open13(makeContext());
    t.warning(42 /* bad_certificate */);
    expect(t.x.errors.map((e) => e.reason)).toEqual(['AlertReceived']);
  });
  it('TLS 1.2: the same rule, and the limit is an option', () => {
    const x = handshake12(makeContext12({ maxWarningAlerts: 1 }));
    expect(x.conn.phase).toBe('open');
    x.send(x.client.sendAlert(user_canceled, 1));
    expect(x.errors).toEqual([]);
    x.send(x.client.sendAlert(user_canceled, 1));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['unexpected_message TooManyWarningAlerts']);
    expect(() => makeContext({ maxWarningAlerts: 0.5 })).toThrow(RangeError);
  });
});

describe('KeyUpdates in a row (maxKeyUpdates)', () => {
  it(`default ${DEFAULT_MAX_KEY_UPDATES} without application data in between; one more → unexpected_message`, () => {
    const t = open13(makeContext());
    for (let i = 0; i < DEFAULT_MAX_KEY_UPDATES; i++) t.keyUpdate();
    t.data('still readable after 32 key updates');
    for (let i = 0; i < DEFAULT_MAX_KEY_UPDATES; i++) t.keyUpdate();
    expect(t.x.errors).toEqual([]);
    t.keyUpdate();
    expect(failures(t.x)).toEqual(['unexpected_message TooManyKeyUpdates']);
  });
  it('is an option', () => {
    const data: string[] = [];
    const t = open13(makeContext({ maxKeyUpdates: 2 }));
    t.x.conn.on('data', (d) => data.push(new TextDecoder().decode(d)));
    t.keyUpdate();
    t.keyUpdate();
    t.data('a');
    t.keyUpdate();
    t.keyUpdate();
    expect(t.x.errors).toEqual([]);
    expect(data).toEqual(['a']);
    t.keyUpdate();
    expect(failures(t.x)).toEqual(['unexpected_message TooManyKeyUpdates']);
    expect(() => new ServerContext({ certificates: [ecdsaCertificate()], maxKeyUpdates: 0 })).toThrow(RangeError);
  });
});
