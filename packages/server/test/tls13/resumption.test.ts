/**
 * TLS 1.3 resumption in the state machine (RFC 8446 §2.2, §4.2.11, §4.2.10, §4.6.1) against a
 * minimal Map-backed SessionGlue: the contract between the handshake and whatever keeps sessions.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, createNobleProvider } from '@puretls/crypto';
import type { SessionRefusal, StoredSession } from '@puretls/handshake-state-machine/internal';
import { NO_SESSIONS, ServerConnection, type SessionGlue } from '../../src/index';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { ecdsaCertificate, type Exchange } from '@puretls/test-support/harness13';
import { ServerContext } from '../../src/index';

/** Stateful single-use tickets in a Map; optionally answers lookups asynchronously. TLS 1.3 only. */
class MapGlue implements SessionGlue {
  lookupSession12 = NO_SESSIONS.lookupSession12;
  openTicket12 = NO_SESSIONS.openTicket12;
  sessionIdForNewSession12 = NO_SESSIONS.sessionIdForNewSession12;
  wantsTicket12 = NO_SESSIONS.wantsTicket12;
  newSession12 = NO_SESSIONS.newSession12;
  issueTicket12 = NO_SESSIONS.issueTicket12;
  handshakeStarted = NO_SESSIONS.handshakeStarted;
  handshakeCompleted = NO_SESSIONS.handshakeCompleted;
  readonly store = new Map<string, StoredSession>();
  readonly events: string[] = [];
  asyncLookups = false;
  multiUse = false;
  lookupPsk(_c: object, identity: Uint8Array) {
    const s = this.store.get(Buffer.from(identity).toString('hex'));
    this.events.push(`lookup ${s ? 'hit' : 'miss'}`);
    return this.asyncLookups ? new Promise<StoredSession | undefined>((r) => setTimeout(() => r(s), 5)) : s;
  }
  consumePsk(_c: object, s: StoredSession) {
    const ok = this.store.delete(s.handle as string);
    this.events.push(`consume ${ok}`);
    return ok;
  }
  issueTicket(_c: object, t: Parameters<SessionGlue['issueTicket']>[1]) {
    const id = createNobleProvider().random(32);
    const key = Buffer.from(id).toString('hex');
    // A copy of the state: the handshake wipes its own once this returns.
    this.store.set(key, { id, state: t.state.slice(), createdAt: t.createdAt, authTime: t.authTime, singleUse: !this.multiUse, handle: key });
    this.events.push('issue');
    return { ticket: id, singleUse: !this.multiUse };
  }
  sessionAccepted() {
    this.events.push('resumed');
  }
  sessionRefused(_c: object, _s: StoredSession, why: SessionRefusal) {
    this.events.push(why === 'badBinder' ? 'binderFailed' : `refused ${why}`);
  }
  ticketsAfterHandshake(_c: object, resumed: boolean) {
    return resumed ? 1 : 2;
  }
  connectionEnded() {}
}

function setup(glue: MapGlue, extra: Partial<ConstructorParameters<typeof ServerContext>[0]> = {}) {
  return new ServerContext({ certificates: [ecdsaCertificate()], sessions: glue, ...extra });
}

/** A handshake over a fresh connection, returning the exchange after the client's Finished. */
function run(ctx: ServerContext, opts: Parameters<TestClient13['buildClientHello']>[0] = {}, early?: Uint8Array): Exchange & { early: Uint8Array[] } {
  const conn = new ServerConnection(ctx);
  const client = new TestClient13(createNobleProvider());
  const errors: Exchange['errors'] = [];
  const early_: Uint8Array[] = [];
  conn.on('error', (e) => errors.push(e));
  conn.on('earlyData', (d) => early_.push(d.slice()));
  const x = {
    conn,
    client,
    errors,
    clientAlerts: client.alerts,
    early: early_,
    send(bytes: Uint8Array) {
      conn.receive(bytes);
      const out = conn.takeOutput();
      if (out.length) client.receive(out);
    },
  };
  const ch = TestClient13.plaintextRecord(client.buildClientHello(opts));
  x.send(early ? concatBytes(ch, client.earlyDataRecords(early)) : ch);
  if (client.serverFinishedOk) x.send(client.finish());
  return x;
}

/** A full handshake that leaves tickets with the client. */
function ticketsFrom(ctx: ServerContext): ClientTicket[] {
  const x = run(ctx);
  expect(x.errors).toEqual([]);
  return x.client.tickets;
}

describe('TLS 1.3 resumption (state machine + glue contract)', () => {
  it('a full handshake issues 2 tickets; resuming one (psk_dhe_ke) skips Certificate and issues 1', () => {
    const glue = new MapGlue();
    const ctx = setup(glue);
    const tickets = ticketsFrom(ctx);
    expect(tickets).toHaveLength(2);
    const x = run(ctx, { resume: { tickets: [tickets[0]!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: true, pskMode: 'psk_dhe_ke', group: 'x25519', signatureScheme: undefined, earlyData: 'none' });
    expect(x.client.received.map((m) => m.type)).toEqual([2, 8, 20, 4]); // no Certificate (11) / CertificateVerify (15)
    expect(x.client.tickets).toHaveLength(1);
    expect(glue.events.slice(2)).toEqual(['lookup hit', 'consume true', 'resumed', 'issue']);
  });

  it('psk_ke: resumption without (EC)DHE when the client offers only that mode', () => {
    const ctx = setup(new MapGlue());
    const [t] = ticketsFrom(ctx);
    const x = run(ctx, { pskModes: [0], resume: { tickets: [t!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: true, pskMode: 'psk_ke', group: undefined });
  });

  it('psk_ke is refused when allowPskKe is false: a full handshake instead', () => {
    const ctx = setup(new MapGlue(), { allowPskKe: false });
    const [t] = ticketsFrom(ctx);
    const x = run(ctx, { pskModes: [0], resume: { tickets: [t!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
  });

  it('single use: the second resumption with one ticket is a full handshake', () => {
    const ctx = setup(new MapGlue());
    const [t] = ticketsFrom(ctx);
    expect(run(ctx, { resume: { tickets: [t!] } }).conn.info?.resumed).toBe(true);
    const again = run(ctx, { resume: { tickets: [t!] } });
    expect(again.errors).toEqual([]);
    expect(again.conn.info?.resumed).toBe(false);
  });

  it('a bad binder → decrypt_error, and the ticket is NOT consumed (RFC 8446 §4.2.11)', () => {
    const glue = new MapGlue();
    const ctx = setup(glue);
    const [t] = ticketsFrom(ctx);
    const bad = run(ctx, { resume: { tickets: [t!], corruptBinder: true } });
    expect(bad.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decrypt_error BadBinder']);
    expect(glue.events).toContain('binderFailed');
    expect(run(ctx, { resume: { tickets: [t!] } }).conn.info?.resumed).toBe(true);
  });

  it('an unknown identity is a miss; the next identity is tried', () => {
    const ctx = setup(new MapGlue());
    const [t] = ticketsFrom(ctx);
    const bogus: ClientTicket = { ...t!, ticket: new Uint8Array(32).fill(7) };
    const x = run(ctx, { resume: { tickets: [bogus, t!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(true);
    expect(x.client.selectedIdentity).toBe(1);
  });

  it('a ticket made with a SHA-384 suite is not used for a SHA-256 suite (RFC 8446 §4.2.11)', () => {
    const ctx = setup(new MapGlue());
    const first = run(ctx, { cipherSuites: [0x1302] });
    const [t] = first.client.tickets;
    const x = run(ctx, { cipherSuites: [0x1301], resume: { tickets: [t!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
  });

  it('an asynchronous lookup: the handshake waits (AwaitSession), then completes', async () => {
    const glue = new MapGlue();
    const ctx = setup(glue);
    const [t] = ticketsFrom(ctx);
    glue.asyncLookups = true;
    const conn = new ServerConnection(ctx);
    const client = new TestClient13(createNobleProvider());
    const errors: unknown[] = [];
    conn.on('error', (e) => errors.push(e));
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ resume: { tickets: [t!] } })));
    expect(conn.waitingForSession).toBe(true);
    expect(conn.takeOutput().length).toBe(0);
    await new Promise<void>((resolve) => conn.on('output', () => resolve()));
    client.receive(conn.takeOutput());
    conn.receive(client.finish());
    expect(errors).toEqual([]);
    expect(conn.info?.resumed).toBe(true);
  });

  describe('0-RTT (RFC 8446 §4.2.10)', () => {
    const early = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
    it('accepted on a single-use ticket: delivered as earlyData, then EndOfEarlyData and Finished', () => {
      const ctx = setup(new MapGlue(), { maxEarlyData: 1024 });
      const [t] = ticketsFrom(ctx);
      expect(t!.maxEarlyData).toBe(1024);
      const x = run(ctx, { resume: { tickets: [t!], earlyData: early } }, early);
      expect(x.errors).toEqual([]);
      expect(x.conn.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
      expect(x.early.map((d) => new TextDecoder().decode(d))).toEqual(['GET / HTTP/1.1\r\n\r\n']);
    });
    it('never on a multi-use ticket: the early data is skipped and the handshake goes on 1-RTT', () => {
      const glue = new MapGlue();
      glue.multiUse = true;
      const ctx = setup(glue, { maxEarlyData: 1024 });
      const [t] = ticketsFrom(ctx);
      const x = run(ctx, { resume: { tickets: [t!], earlyData: early } }, early);
      expect(x.errors).toEqual([]);
      expect(x.conn.info).toMatchObject({ resumed: true, earlyData: 'rejected' });
      expect(x.early).toEqual([]);
    });
    it('rejected when the server disables it after the ticket was issued', () => {
      const glue = new MapGlue();
      const [t] = ticketsFrom(setup(glue, { maxEarlyData: 1024 }));
      const x = run(setup(glue, { maxEarlyData: 0 }), { resume: { tickets: [t!], earlyData: early } }, early);
      expect(x.errors).toEqual([]);
      expect(x.conn.info?.earlyData).toBe('rejected');
    });
    it('a stale ticket age (§8.3) rejects 0-RTT but still resumes', () => {
      const ctx = setup(new MapGlue(), { maxEarlyData: 1024 });
      const [t] = ticketsFrom(ctx);
      const x = run(ctx, { resume: { tickets: [t!], earlyData: early, ageMs: 60_000 } }, early);
      expect(x.errors).toEqual([]);
      expect(x.conn.info).toMatchObject({ resumed: true, earlyData: 'rejected' });
    });
    it('more early data than max_early_data_size → unexpected_message', () => {
      const ctx = setup(new MapGlue(), { maxEarlyData: 16 });
      const [t] = ticketsFrom(ctx);
      const x = run(ctx, { resume: { tickets: [t!], earlyData: early } }, early);
      expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['unexpected_message TooMuchEarlyData']);
    });
  });
});
