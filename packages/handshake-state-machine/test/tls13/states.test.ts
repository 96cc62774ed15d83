/**
 * The TLS 1.3 server states, driven directly (no ServerConnection): each test asserts what the
 * states do through `HandshakeIo` — the order of messages and key switches (RFC 8446 §2, §4), the
 * waiting state, the session hooks — with the workspace's TLS 1.3 test client on the other side.
 */
import { describe, expect, it } from 'vitest';
import { isTlsError } from '@puretls/record-layer';
import { TestClient13, type ClientHelloOptions } from '@puretls/test-support/tls13-client';
import { decodeSessionState, type StoredSession } from '../../src/internal';
import { RecordingIo, StateDriver, config, provider, type SessionHooks } from './state-driver';

/** ClientHello → the server's flight → the client; returns the driver and client after the server Finished. */
function hello(opts: ClientHelloOptions = {}, hooks: SessionHooks = {}, cfg = config()) {
  const io = new RecordingIo(hooks);
  const d = new StateDriver(io, cfg);
  const client = new TestClient13(provider);
  d.receive(TestClient13.plaintextRecord(client.buildClientHello(opts)));
  client.receive(d.output());
  return { d, io, client };
}

/** A complete handshake; returns the driver in `Traffic13`. */
function full(opts: ClientHelloOptions = {}, hooks: SessionHooks = {}, cfg = config()) {
  const x = hello(opts, hooks, cfg);
  x.d.receive(x.client.finish());
  expect(x.d.state.kind).toBe('Traffic13');
  return x;
}

function caught(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('TLS 1.3 states through HandshakeIo', () => {
  it('full handshake: ServerHello in clear, then EE, Certificate, CertificateVerify, Finished under the handshake key; application keys after the client Finished (RFC 8446 §2)', () => {
    const { d, io, client } = hello();
    expect(d.state.kind).toBe('ExpectFinished');
    // The write key switches twice (handshake, then application); the read key once (handshake) so far.
    expect(io.calls).toEqual(['version tls13', 'send 2', 'writeKeys', 'send 8', 'send 11', 'send 15', 'send 20', 'writeKeys', 'readKeys']);
    expect(client.received.map((m) => m.type)).toEqual([2, 8, 11, 15, 20]);
    io.calls.length = 0;
    d.receive(client.finish());
    expect(d.state.kind).toBe('Traffic13');
    expect(io.calls).toEqual(['readKeys', 'done', 'event handshakeComplete']);
    const done = io.events.find((e) => e.type === 'handshakeComplete');
    expect(done).toMatchObject({ info: { version: 0x0304, cipherSuite: 0x1301, group: 'x25519', serverName: 'localhost', resumed: false, helloRetry: false } });
    // The key log secrets, in order, with the client random.
    expect(io.events.filter((e) => e.type === 'secret').map((e) => e.type === 'secret' && e.label)).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ]);
  });

  it('a wrong client Finished → BadFinished (decrypt_error, RFC 8446 §4.4.4); nothing more is sent and the keys stay', () => {
    const { d, io, client } = hello();
    io.calls.length = 0;
    const e = caught(() => d.receive(client.finish({ corruptFinished: true })));
    expect(isTlsError(e) && `${e.alert} ${e.reason}`).toBe('decrypt_error BadFinished');
    expect(d.state.kind).toBe('ExpectFinished');
    expect(io.calls).toEqual([]);
  });

  it('anything but the expected message → UnexpectedHandshakeMessage (unexpected_message)', () => {
    const { d, client } = hello();
    const e = caught(() => {
      client.useHandshakeWriteKey();
      d.receive(client.sendHandshake(client.buildClientHello()));
    });
    expect(isTlsError(e) && `${e.alert} ${e.reason}`).toBe('unexpected_message UnexpectedHandshakeMessage');
  });

  it('HelloRetryRequest when the client has no share for a group we take: ExpectClientHello2, the second ClientHello completes (RFC 8446 §4.1.4)', () => {
    const cfg = config({ groups: ['secp256r1'] });
    const io = new RecordingIo();
    const d = new StateDriver(io, cfg);
    const client = new TestClient13(provider);
    d.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
    expect(d.state.kind).toBe('ExpectClientHello2');
    expect(io.calls).toEqual(['version tls13', 'send 2']);
    client.receive(d.output());
    expect(client.helloRetry?.group).toBe(0x0017);
    expect(client.helloRetry?.cookie).toBeUndefined(); // no cookie unless configured
    d.receive(TestClient13.plaintextRecord(client.buildClientHello({ random: client.clientRandom, shareGroups: ['secp256r1'] })));
    expect(d.state.kind).toBe('ExpectFinished');
    client.receive(d.output());
    d.receive(client.finish());
    expect(d.state.kind).toBe('Traffic13');
    expect(io.events.find((e) => e.type === 'handshakeComplete')).toMatchObject({ info: { group: 'secp256r1', helloRetry: true } });
  });

  it('Traffic13: a KeyUpdate with update_requested switches the read key, answers with a KeyUpdate and switches the write key (RFC 8446 §4.6.3)', () => {
    const { d, io, client } = full();
    io.calls.length = 0;
    d.receive(client.sendHandshake(Uint8Array.of(24, 0, 0, 1, 1)));
    expect(io.calls).toEqual(['readKeys', 'event keyUpdate', 'send 24', 'writeKeys']);
    expect(io.events.at(-1)).toEqual({ type: 'keyUpdate', requested: true });
  });

  it('Traffic13: sendNewSessionTicket hands the glue an encoded session state and sends the ticket it returns (RFC 8446 §4.6.1)', () => {
    const { d, io, client } = full({}, { issueTicket: () => ({ ticket: Uint8Array.of(1, 2, 3), singleUse: false }) });
    const traffic = d.state;
    if (traffic.kind !== 'Traffic13') throw new Error('not in Traffic13');
    io.calls.length = 0;
    expect(traffic.sendNewSessionTicket()).toBe(true);
    expect(io.calls).toEqual(['issueTicket', 'send 4']);
    const issued = io.issued.at(-1)!;
    expect(issued.lifetime).toBe(7200);
    expect(decodeSessionState(issued.state)).toMatchObject({ version: 0x0304, cipherSuite: 0x1301, serverName: 'localhost', context: Uint8Array.of(7, 7, 7) });
    client.receive(d.output());
    expect(client.tickets.map((t) => [...t.ticket])).toEqual([[1, 2, 3]]);
  });

  it('Traffic13: when the glue has nowhere to keep the session, no ticket is sent', () => {
    const { d, io } = full();
    const traffic = d.state;
    if (traffic.kind !== 'Traffic13') throw new Error('not in Traffic13');
    io.calls.length = 0;
    expect(traffic.sendNewSessionTicket()).toBe(false);
    expect(io.calls).toEqual(['issueTicket']);
  });
});

describe('TLS 1.3 resumption through HandshakeIo: the states decide, the glue only stores', () => {
  /** A full handshake that issues one reusable ticket; the glue keeps what the state handed it. */
  function ticketed() {
    let kept: StoredSession | undefined;
    const first = full({}, { issueTicket: (t) => ((kept = { id: Uint8Array.of(9), state: t.state.slice(), createdAt: t.createdAt, authTime: t.authTime, singleUse: false, handle: 'h1' }), { ticket: Uint8Array.of(9), singleUse: false }) });
    if (first.d.state.kind !== 'Traffic13') throw new Error('not in Traffic13');
    first.d.state.sendNewSessionTicket();
    first.client.receive(first.d.output());
    return { ticket: first.client.tickets[0]!, stored: kept! };
  }

  it('a found session that passes every rule: PSK handshake (no Certificate), sessionAccepted, resumed info', () => {
    const { ticket, stored } = ticketed();
    const { d, io, client } = hello({ resume: { tickets: [ticket] } }, { lookupPsk: () => stored });
    expect(io.calls).toEqual(['lookupPsk', 'version tls13', 'send 2', 'writeKeys', 'send 8', 'send 20', 'writeKeys', 'accepted', 'readKeys']);
    d.receive(client.finish());
    expect(io.events.find((e) => e.type === 'handshakeComplete')).toMatchObject({ info: { resumed: true, pskMode: 'psk_dhe_ke', sessionId: Uint8Array.of(9) } });
  });

  it('the glue answers asynchronously: AwaitSession takes no input, then resume() continues the handshake', async () => {
    const { ticket, stored } = ticketed();
    const { d, io, client } = hello({ resume: { tickets: [ticket] } }, { lookupPsk: () => Promise.resolve(stored) });
    const waiting = d.state;
    if (waiting.kind !== 'AwaitSession') throw new Error(`expected AwaitSession, got ${waiting.kind}`);
    expect(io.calls).toEqual(['lookupPsk']);
    expect(isTlsError(caught(() => waiting.handle({ kind: 'handshake', type: 20, raw: new Uint8Array(4), body: new Uint8Array(0) })))).toBe(true);
    await waiting.pending;
    d.state = waiting.resume();
    expect(d.state.kind).toBe('ExpectFinished');
    client.receive(d.output());
    d.receive(client.finish());
    expect(io.events.find((e) => e.type === 'handshakeComplete')).toMatchObject({ info: { resumed: true } });
  });

  it('a store failure (a rejection that is not a TlsError) is a miss: a full handshake', async () => {
    const { ticket } = ticketed();
    const { d, io } = hello({ resume: { tickets: [ticket] } }, { lookupPsk: () => Promise.reject(new Error('store down')) });
    const waiting = d.state;
    if (waiting.kind !== 'AwaitSession') throw new Error(`expected AwaitSession, got ${waiting.kind}`);
    await waiting.pending;
    d.state = waiting.resume();
    expect(d.state.kind).toBe('ExpectFinished');
    expect(io.calls).toContain('send 11'); // a Certificate: the full handshake
  });

  it('another server name, or a state made under another configuration: refused, full handshake', () => {
    const { ticket, stored } = ticketed();
    const sni = hello({ serverName: 'other.example', resume: { tickets: [ticket] } }, { lookupPsk: () => stored });
    expect(sni.io.refused).toEqual(['mismatch']);
    expect(sni.io.calls).toContain('send 11');
    const ctx = hello({ resume: { tickets: [ticket] } }, { lookupPsk: () => stored }, config({ sessionContext: Uint8Array.of(8) }));
    expect(ctx.io.refused).toEqual(['contextMismatch']);
  });

  it('a bad binder: sessionRefused(badBinder) and decrypt_error, and the session is not consumed', () => {
    const { ticket, stored } = ticketed();
    const io = new RecordingIo({ lookupPsk: () => ({ ...stored, singleUse: true }) });
    const d = new StateDriver(io);
    const client = new TestClient13(provider);
    const e = caught(() => d.receive(TestClient13.plaintextRecord(client.buildClientHello({ resume: { tickets: [ticket], corruptBinder: true } }))));
    expect(isTlsError(e) && `${e.alert} ${e.reason}`).toBe('decrypt_error BadBinder');
    expect(io.calls).toEqual(['lookupPsk', 'refused badBinder']);
  });

  it('single use: the binder is checked before the take; a take that fails is a full handshake', () => {
    const { ticket, stored } = ticketed();
    const { io } = hello({ resume: { tickets: [ticket] } }, { lookupPsk: () => ({ ...stored, singleUse: true }), consumePsk: () => false });
    expect(io.calls.slice(0, 2)).toEqual(['lookupPsk', 'consumePsk']);
    expect(io.calls).toContain('send 11');
    expect(io.calls).not.toContain('accepted');
  });
});
