/**
 * Session security (issue #10): what the existing suites did not cover yet. Already covered
 * elsewhere (not repeated here):
 * - context binding (ALPN set) and SNI binding, TLS 1.3: tls13/session-spec.test.ts; SNI and suite,
 *   TLS 1.2: tls12/resumption12.test.ts; a SHA-384 ticket never used for a SHA-256 suite:
 *   tls13/resumption.test.ts;
 * - expired TLS 1.3 ticket, dropped ticket key: tls13/session-spec.test.ts; unknown identity:
 *   tls13/resumption.test.ts; a TLS 1.2 ticket that does not open: tls12/resumption12.test.ts;
 * - single use of stateful tickets: tls13/session-spec.test.ts, tls13/resumption.test.ts;
 * - binder failures counted and not consuming the ticket: tls13/session-spec.test.ts;
 * - a second ClientHello without our cookie: tls13/server-negative.test.ts;
 * - the downgrade sentinel (and none when TLS 1.3 is off): tls12/server-handshake12.test.ts,
 *   against OpenSSL in tls12/interop12.test.ts.
 * Added here: foreign and tampered tickets (both versions), `sessionIdContext` binding, TLS 1.2
 * expiry, an exact replay of a 0-RTT first flight, and a forged or transplanted HRR cookie.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createSelfSignedCertificate, generateEcdsaP256Key, privateKeyToPem } from '@puretls/crypto';
import { ServerConnection, ServerContext, type ServerContextOptions } from '../src/index';
import { ecdsaCertificate } from '@puretls/test-support/harness13';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { exchange12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

let now = Date.UTC(2026, 10, 1);
function context(extra: Partial<ServerContextOptions> = {}): ServerContext {
  return new ServerContext({ certificates: [ecdsaCertificate()], now: () => now, ...extra });
}

interface Run {
  conn: ServerConnection;
  client: TestClient13;
  errors: string[];
  early: string[];
  /** Every byte the client sent, in order (for replays). */
  sent: Uint8Array[];
}

/** A TLS 1.3 connection: ClientHello (+ early data), then the client's Finished if the server's verified. */
function connect(ctx: ServerContext, opts: Parameters<TestClient13['buildClientHello']>[0] = {}, early?: string): Run {
  const conn = new ServerConnection(ctx);
  const client = new TestClient13(createNobleProvider());
  const r: Run = { conn, client, errors: [], early: [], sent: [] };
  conn.on('error', (e) => r.errors.push(`${e.alert} ${e.reason}`));
  conn.on('earlyData', (d) => r.early.push(new TextDecoder().decode(d)));
  const send = (b: Uint8Array) => {
    r.sent.push(b.slice());
    conn.receive(b);
    const out = conn.takeOutput();
    if (out.length) client.receive(out);
  };
  send(TestClient13.plaintextRecord(client.buildClientHello(opts)));
  if (early !== undefined) send(client.earlyDataRecords(new TextEncoder().encode(early)));
  if (client.serverFinishedOk) send(client.finish());
  return r;
}
const resume = (tickets: ClientTicket[], extra: { earlyData?: Uint8Array } = {}) => ({ resume: { tickets, ...extra } });

describe('foreign and tampered tickets are misses, never errors', () => {
  it('TLS 1.3: a stateless ticket from another server (another key ring), or with one bit flipped, is a full handshake', () => {
    const a = context();
    const [ticket] = connect(a).client.tickets;
    const b = context(); // its own fresh key ring
    const foreign = connect(b, resume([ticket!]));
    expect(foreign.errors).toEqual([]);
    expect(foreign.conn.info?.resumed).toBe(false);
    for (const at of [0, 20, ticket!.ticket.length - 1]) {
      const bad = ticket!.ticket.slice();
      bad[at]! ^= 1;
      const tampered = connect(a, resume([{ ...ticket!, ticket: bad }]));
      expect(tampered.errors).toEqual([]);
      expect(tampered.conn.info?.resumed).toBe(false);
    }
    // A ticket that does not open is no lookup at all (like OpenSSL: no sess_miss either).
    expect(b.sessionStats).toMatchObject({ hits: 0, misses: 0 });
    expect(a.sessionStats).toMatchObject({ hits: 0, misses: 0 });
    // The genuine one still works where it belongs.
    expect(connect(a, resume([ticket!])).conn.info?.resumed).toBe(true);
  });

  it('TLS 1.2: an RFC 5077 ticket from another server is a full handshake', () => {
    const a = makeContext12();
    const first = exchange12(a);
    first.send(TestClient12.plaintextRecord(first.client.buildClientHello({ sessionTicket: true })));
    first.send(first.client.finish());
    const session = first.client.session;
    expect(session.ticket?.length).toBeGreaterThan(0);
    // At home it resumes …
    const home = exchange12(a);
    home.send(TestClient12.plaintextRecord(home.client.buildClientHello({ resume: session })));
    expect(home.client.resumed).toBe(true);
    // … elsewhere it is a full handshake.
    const x = exchange12(makeContext12());
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ resume: session })));
    expect(x.errors).toEqual([]);
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: false });
  });
});

describe('tickets are bound to the context', () => {
  it('TLS 1.3: sessionIdContext — a ticket of a server with the same keys but another sessionIdContext is a miss (contextMismatches)', () => {
    const a = context({ sessionIdContext: new TextEncoder().encode('app A') });
    const [ticket] = connect(a).client.tickets;
    const b = context({ ticketKeys: a.ticketKeys.export(), sessionIdContext: new TextEncoder().encode('app B') });
    const r = connect(b, resume([ticket!]));
    expect(r.errors).toEqual([]);
    expect(r.conn.info?.resumed).toBe(false);
    expect(b.sessionStats.contextMismatches).toBe(1);
    const same = context({ ticketKeys: a.ticketKeys.export(), sessionIdContext: new TextEncoder().encode('app A') });
    expect(connect(same, resume([ticket!])).conn.info?.resumed).toBe(true);
  });

  it('TLS 1.3: a ticket of a server with another certificate (same keys) is a miss', () => {
    const a = context();
    const [ticket] = connect(a).client.tickets;
    const p = createNobleProvider();
    const key = generateEcdsaP256Key(p);
    const other = { cert: createSelfSignedCertificate(p, { key, commonName: 'localhost', dnsNames: ['localhost'] }).pem, key: privateKeyToPem(key) };
    const b = new ServerContext({ certificates: [other], now: () => now, ticketKeys: a.ticketKeys.export() });
    const r = connect(b, resume([ticket!]));
    expect(r.errors).toEqual([]);
    expect(r.conn.info?.resumed).toBe(false);
    expect(b.sessionStats.contextMismatches).toBe(1);
  });
});

describe('TLS 1.2 expiry', () => {
  it('a session id past sessionTimeout is a miss (timeouts)', () => {
    const ctx = makeContext12({ now: () => now, sessionTimeout: 60 });
    const first = exchange12(ctx);
    first.send(TestClient12.plaintextRecord(first.client.buildClientHello({})));
    first.send(first.client.finish());
    const session = first.client.session;
    expect(session.sessionId.length).toBe(32);
    const again = (advanceMs: number) => {
      now += advanceMs;
      const x = exchange12(ctx);
      x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ resume: session })));
      return x;
    };
    expect(again(30_000).client.resumed).toBe(true);
    const late = again(61_000);
    expect(late.errors).toEqual([]);
    expect(late.client.resumed).toBe(false);
    expect(ctx.sessionStats.timeouts).toBe(1);
  });
});

describe('0-RTT replay', () => {
  it('the exact first flight (ClientHello + early data) replayed on a new connection: the early data is not delivered again', () => {
    const ctx = context({ tickets: 'stateful', maxEarlyData: 1024 });
    const [ticket] = connect(ctx).client.tickets;
    expect(ticket!.maxEarlyData).toBe(1024);
    const original = connect(ctx, resume([ticket!], { earlyData: new Uint8Array(1) }), 'POST /pay');
    expect(original.errors).toEqual([]);
    expect(original.early).toEqual(['POST /pay']);
    // An attacker replays the recorded ClientHello and 0-RTT records (it cannot make a Finished).
    const replay = new ServerConnection(ctx);
    const early: string[] = [];
    const errors: string[] = [];
    replay.on('earlyData', (d) => early.push(new TextDecoder().decode(d)));
    replay.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
    for (const b of original.sent.slice(0, 2)) replay.receive(b);
    expect(early).toEqual([]);
    expect(errors).toEqual([]);
    expect(replay.phase).toBe('handshaking'); // a full handshake, the 0-RTT records skipped
    expect(ctx.sessionStats.misses).toBeGreaterThanOrEqual(1);
  });

  it('stateless tickets never carry max_early_data: nothing to replay', () => {
    const ctx = context({ tickets: 'stateless', maxEarlyData: 1024 });
    const [ticket] = connect(ctx).client.tickets;
    expect(ticket!.maxEarlyData).toBe(0);
  });
});

describe('the HelloRetryRequest cookie (opt-in: hrrCookie) is authenticated', () => {
  function firstHello(ctx: ServerContext) {
    const conn = new ServerConnection(ctx);
    const client = new TestClient13(createNobleProvider());
    const errors: string[] = [];
    conn.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
    client.receive(conn.takeOutput());
    expect(client.helloRetry?.cookie?.length).toBeGreaterThan(0);
    const second = (cookie: Uint8Array) => {
      conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ random: client.clientRandom, shareGroups: ['secp256r1'], cookie }), 22, 0x0303));
      return errors;
    };
    return { cookie: client.helloRetry!.cookie!, second, conn };
  }
  const ctx = () => context({ groups: ['secp256r1'], hrrCookie: true });

  it('our cookie with one bit flipped → illegal_parameter BadCookie', () => {
    const h = firstHello(ctx());
    const bad = h.cookie.slice();
    bad[bad.length - 1]! ^= 0x80;
    expect(h.second(bad)).toEqual(['illegal_parameter BadCookie']);
  });

  it("another connection's valid cookie → illegal_parameter BadCookie; our own → the handshake goes on", () => {
    const c = ctx();
    const other = firstHello(c);
    const h = firstHello(c);
    expect(h.second(other.cookie)).toEqual(['illegal_parameter BadCookie']);
    const ok = firstHello(c);
    expect(ok.second(ok.cookie)).toEqual([]);
    expect(ok.conn.phase).toBe('handshaking');
  });
});
