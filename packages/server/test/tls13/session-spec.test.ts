/**
 * The session spec (shared/docs/session-callbacks.md) end to end over TLS 1.3: handshake events →
 * glue → SessionCache → callbacks, through a real ServerContext and the in-memory test client.
 * The cache's own unit tests (packages/session-cache) cover each rule in isolation; these show the
 * connection drives them. Each test is named after its rule.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import { AlertDescription } from '@puretls/record-layer';
import type { RemoveReason, Session } from '@puretls/session-cache';
import { ServerConnection, ServerContext, type ServerContextOptions } from '../../src/index';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { ecdsaCertificate } from '@puretls/test-support/harness13';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function context(extra: Partial<ServerContextOptions> = {}) {
  const removed: string[] = [];
  const created: Session[] = [];
  let now = Date.UTC(2026, 10, 1);
  const ctx = new ServerContext({
    certificates: [ecdsaCertificate()],
    now: () => now,
    removeSession: (_c, s, reason: RemoveReason) => removed.push(`${reason} ${hex(s.id).slice(0, 8)}`),
    newSession: (_c, s) => {
      created.push(s);
    },
    ...extra,
  });
  return { ctx, removed, created, advance: (ms: number) => (now += ms) };
}

interface Run {
  conn: ServerConnection;
  client: TestClient13;
  errors: string[];
}

function connect(ctx: ServerContext, opts: Parameters<TestClient13['buildClientHello']>[0] = {}): Run {
  const conn = new ServerConnection(ctx);
  const client = new TestClient13(createNobleProvider());
  const errors: string[] = [];
  conn.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
  conn.receive(TestClient13.plaintextRecord(client.buildClientHello(opts)));
  client.receive(conn.takeOutput());
  if (client.serverFinishedOk) {
    conn.receive(client.finish());
    client.receive(conn.takeOutput());
  }
  return { conn, client, errors };
}

function closeCleanly(r: Run): void {
  r.conn.receive(r.client.sendAlert(AlertDescription.close_notify, 1));
  r.conn.close();
}

const resume = (tickets: ClientTicket[]) => ({ resume: { tickets } });

describe('session spec over TLS 1.3: events and callbacks', () => {
  it('newSession fires once per NewSessionTicket (2 after a full handshake, 1 after a resumption), after the internal add', () => {
    const seen: number[] = [];
    const t = context({ tickets: 'stateful', newSession: () => void seen.push(t.ctx.sessionCache.size) });
    const r = connect(t.ctx);
    expect(r.client.tickets).toHaveLength(2);
    expect(seen).toEqual([1, 2]); // the session was already in the cache when the callback ran
    const r2 = connect(t.ctx, resume([r.client.tickets[0]!]));
    expect(r2.conn.info?.resumed).toBe(true);
    expect(hex(r2.conn.info!.sessionId)).toBe(hex(r.client.tickets[0]!.ticket)); // a 32-byte stateful ticket is its id
    expect(r2.client.tickets).toHaveLength(1);
    expect(seen).toHaveLength(3);
  });

  it('numTickets changes the count; sendSessionTicket() sends more on request', () => {
    const t = context({ tickets: 'stateful', numTickets: 3 });
    const r = connect(t.ctx);
    expect(r.client.tickets).toHaveLength(3);
    expect(r.conn.sendSessionTicket(2)).toBe(2);
    r.client.receive(r.conn.takeOutput());
    expect(r.client.tickets).toHaveLength(5);
  });

  it('a new-session callback returning false: the stateful ticket is not sent (never a ticket that cannot be redeemed)', () => {
    const t = context({ tickets: 'stateful', newSession: () => false });
    const r = connect(t.ctx);
    expect(r.errors).toEqual([]);
    expect(r.client.tickets).toHaveLength(0);
    expect(t.removed.filter((x) => x.startsWith('rejected'))).toHaveLength(2);
  });

  it("mode 'off' with stateful tickets: no ticket is issued (nowhere to keep it)", () => {
    const t = context({ tickets: 'stateful', sessionCacheMode: 'off', newSession: undefined });
    expect(connect(t.ctx).client.tickets).toHaveLength(0);
  });

  it("the get callback is consulted in mode 'off' and its session is resumed", () => {
    const store = new Map<string, Session>();
    const a = context({ tickets: 'stateful', newSession: (_c, s) => void store.set(hex(s.id), s) });
    const [ticket] = connect(a.ctx).client.tickets;
    const b = context({ tickets: 'stateful', sessionCacheMode: 'off', getSession: (_c, id) => store.get(hex(id)) });
    const r = connect(b.ctx, resume([ticket!]));
    expect(r.conn.info?.resumed).toBe(true);
    expect(b.ctx.sessionStats.cbHits).toBe(1);
  });

  it('remove reason consumed: a stateful ticket is single use; the second use is a full handshake', () => {
    const t = context({ tickets: 'stateful' });
    const [ticket] = connect(t.ctx).client.tickets;
    expect(connect(t.ctx, resume([ticket!])).conn.info?.resumed).toBe(true);
    expect(t.removed.filter((x) => x.startsWith('consumed'))).toHaveLength(1);
    expect(connect(t.ctx, resume([ticket!])).conn.info?.resumed).toBe(false);
  });

  it('a bad binder does not consume the ticket and is counted in binderFailures', () => {
    const t = context({ tickets: 'stateful' });
    const [ticket] = connect(t.ctx).client.tickets;
    const bad = connect(t.ctx, { resume: { tickets: [ticket!], corruptBinder: true } });
    expect(bad.errors).toEqual(['decrypt_error BadBinder']);
    expect(t.ctx.sessionStats.binderFailures).toBe(1);
    expect(connect(t.ctx, resume([ticket!])).conn.info?.resumed).toBe(true);
  });

  it('remove reason fatalAlert: every ticket of a connection that gets a fatal alert', () => {
    const t = context({ tickets: 'stateful' });
    const r = connect(t.ctx);
    r.conn.receive(r.client.sendHandshake(new TestClient13(createNobleProvider()).buildClientHello())); // renegotiation attempt → fatal
    expect(r.errors).toEqual(['unexpected_message UnexpectedHandshakeMessage']);
    expect(t.removed.filter((x) => x.startsWith('fatalAlert'))).toHaveLength(2);
  });

  it('remove reason uncleanShutdown: the connection ends without our close_notify (spec §5)', () => {
    const t = context({ tickets: 'stateful' });
    connect(t.ctx).conn.destroy();
    expect(t.removed.filter((x) => x.startsWith('uncleanShutdown'))).toHaveLength(2);
  });

  it('removeOnUncleanShutdown: false keeps them; a clean close never removes', () => {
    const t = context({ tickets: 'stateful', removeOnUncleanShutdown: false });
    connect(t.ctx).conn.destroy();
    closeCleanly(connect(t.ctx));
    expect(t.removed).toEqual([]);
    expect(t.ctx.sessionCache.size).toBe(4);
  });

  it('remove reason contextClosed: ctx.close() flushes every session', () => {
    const t = context({ tickets: 'stateful' });
    closeCleanly(connect(t.ctx));
    t.ctx.close();
    expect(t.removed.filter((x) => x.startsWith('contextClosed'))).toHaveLength(2);
  });

  it('remove reason expired: a ticket past the session timeout is a miss', () => {
    const t = context({ tickets: 'stateful', sessionTimeout: 60 });
    const r = connect(t.ctx);
    closeCleanly(r);
    t.advance(61_000);
    expect(connect(t.ctx, resume([r.client.tickets[0]!])).conn.info?.resumed).toBe(false);
    expect(t.removed.filter((x) => x.startsWith('expired'))).toHaveLength(1);
    expect(t.ctx.sessionStats.timeouts).toBe(1);
  });

  it('statistics add up: accept, acceptGood, hits, misses', () => {
    const t = context({ tickets: 'stateful' });
    const r = connect(t.ctx);
    closeCleanly(r);
    connect(t.ctx, resume([r.client.tickets[0]!]));
    connect(t.ctx, resume([{ ...r.client.tickets[1]!, ticket: new Uint8Array(32).fill(9) }]));
    const s = t.ctx.sessionStats;
    expect(s).toMatchObject({ accept: 3, acceptGood: 3, hits: 1, misses: 1 });
  });
});

describe('session spec over TLS 1.3: stateless tickets and binding', () => {
  it('stateless (default): the ticket is the sealed session; it resumes on another context sharing the key ring', () => {
    const a = context();
    const r = connect(a.ctx);
    expect(r.client.tickets[0]!.ticket.length).toBeGreaterThan(64);
    const b = context({ ticketKeys: a.ctx.ticketKeys.export() });
    expect(connect(b.ctx, resume([r.client.tickets[0]!])).conn.info?.resumed).toBe(true);
  });

  it('key rotation: a ticket sealed with the previous key still opens; once that key is dropped it is a miss', () => {
    const t = context();
    const [ticket] = connect(t.ctx).client.tickets;
    t.ctx.ticketKeys.rotate();
    expect(connect(t.ctx, resume([ticket!])).conn.info?.resumed).toBe(true);
    t.ctx.ticketKeys.dropPrevious();
    const miss = connect(t.ctx, resume([ticket!]));
    expect(miss.errors).toEqual([]);
    expect(miss.conn.info?.resumed).toBe(false);
  });

  it('contextId binding: a ticket from a context with another ALPN set is a miss, never an error', () => {
    const a = context({ alpnProtocols: ['h2'] });
    const [ticket] = connect(a.ctx, { alpn: ['h2'] }).client.tickets;
    const b = context({ alpnProtocols: ['http/1.1'], ticketKeys: a.ctx.ticketKeys.export() });
    const r = connect(b.ctx, { alpn: ['http/1.1'], ...resume([ticket!]) });
    expect(r.errors).toEqual([]);
    expect(r.conn.info?.resumed).toBe(false);
    expect(b.ctx.sessionStats.contextMismatches).toBe(1);
  });

  it('SNI binding: a ticket for another server name is a miss (full handshake)', () => {
    const t = context();
    const [ticket] = connect(t.ctx, { serverName: 'a.example' }).client.tickets;
    const r = connect(t.ctx, { serverName: 'b.example', ...resume([ticket!]) });
    expect(r.errors).toEqual([]);
    expect(r.conn.info?.resumed).toBe(false);
  });

  it("tickets 'off': no NewSessionTicket at all", () => {
    expect(connect(context({ tickets: 'off' }).ctx).client.tickets).toHaveLength(0);
  });
});

describe('session spec over TLS 1.3: asynchronous get callback', () => {
  it('an async get that resolves in time resumes; one that resolves late is a miss (lookupTimeouts)', async () => {
    const store = new Map<string, Session>();
    const a = context({ tickets: 'stateful', newSession: (_c, s) => void store.set(hex(s.id), s) });
    const tickets = connect(a.ctx).client.tickets;
    let delay = 5;
    const b = context({
      tickets: 'stateful',
      sessionCacheMode: 'noInternalLookup',
      lookupTimeoutMs: 40,
      getSession: (_c, id) => new Promise((res) => setTimeout(() => res(store.get(hex(id))), delay)),
    });
    const run = async (ticket: ClientTicket) => {
      const conn = new ServerConnection(b.ctx);
      const client = new TestClient13(createNobleProvider());
      conn.receive(TestClient13.plaintextRecord(client.buildClientHello(resume([ticket]))));
      expect(conn.waitingForSession).toBe(true);
      await new Promise<void>((done) => conn.on('output', () => done()));
      client.receive(conn.takeOutput());
      conn.receive(client.finish());
      return conn;
    };
    expect((await run(tickets[0]!)).info?.resumed).toBe(true);
    delay = 200;
    expect((await run(tickets[1]!)).info?.resumed).toBe(false);
    expect(b.ctx.sessionStats.lookupTimeouts).toBe(1);
  });

  it('a rejected get promise is a miss counted in callbackErrors', async () => {
    const b = context({ tickets: 'stateful', sessionCacheMode: 'noInternalLookup', getSession: () => Promise.reject(new Error('store down')) });
    const a = context({ tickets: 'stateful' });
    const [ticket] = connect(a.ctx).client.tickets;
    const conn = new ServerConnection(b.ctx);
    const client = new TestClient13(createNobleProvider());
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello(resume([ticket!]))));
    await new Promise<void>((done) => conn.on('output', () => done()));
    client.receive(conn.takeOutput());
    conn.receive(client.finish());
    expect(conn.info?.resumed).toBe(false);
    expect(b.ctx.sessionStats.callbackErrors).toBe(1);
  });
});

describe('waiting for the session store is bounded', () => {
  it('a peer that keeps sending while an async lookup is pending is cut off (unexpected_message)', async () => {
    const a = context({ tickets: 'stateful' });
    const [ticket] = connect(a.ctx).client.tickets;
    const b = context({ tickets: 'stateful', sessionCacheMode: 'noInternalLookup', getSession: () => new Promise(() => {}), lookupTimeoutMs: 1000 });
    const conn = new ServerConnection(b.ctx);
    const errors: string[] = [];
    conn.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
    const client = new TestClient13(createNobleProvider());
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello(resume([ticket!]))));
    expect(conn.waitingForSession).toBe(true);
    const junk = TestClient13.plaintextRecord(new Uint8Array(16000), 23);
    for (let i = 0; i < 10 && errors.length === 0; i++) conn.receive(junk);
    expect(errors).toEqual(['unexpected_message TooMuchDataWhileWaiting']);
    expect(conn.phase).toBe('closed');
  });
});
