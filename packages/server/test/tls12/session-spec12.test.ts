/**
 * The session spec over TLS 1.2 with the REAL session subsystem (SessionCache + key ring through
 * CacheSessionGlue): the new-session event during the full handshake, the get callback with the
 * session id, mode `off`, EMS mismatch, unclean shutdown, fatal alert, RFC 5077 tickets.
 */
import { describe, expect, it } from 'vitest';
import type { RemoveReason, Session } from '@puretls/session-cache';
import { ServerContext, type ServerContextOptions } from '../../src/index';
import { exchange12, type Exchange12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options, type ClientSession12 } from '@puretls/test-support/tls12-client';
import { ecdsaCertificate } from '@puretls/test-support/harness13';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function context(extra: Partial<ServerContextOptions> = {}) {
  const events: string[] = [];
  const ctx = new ServerContext({
    certificates: [ecdsaCertificate()],
    newSession: (_c, s) => void events.push(`new ${hex(s.id).slice(0, 8)}`),
    removeSession: (_c, s, reason: RemoveReason) => void events.push(`remove ${reason} ${hex(s.id).slice(0, 8)}`),
    ...extra,
  });
  return { ctx, events };
}

function run(ctx: ServerContext, opts: ClientHello12Options = {}): Exchange12 {
  const x = exchange12(ctx);
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  if (x.errors.length === 0 && x.conn.phase === 'handshaking' && !x.conn.waitingForSession) x.send(x.client.finish());
  return x;
}

function session(x: Exchange12): ClientSession12 {
  expect(x.errors).toEqual([]);
  expect(x.conn.phase).toBe('open');
  return x.client.session;
}

describe('session spec over TLS 1.2 with the session cache', () => {
  it('newSession fires during the full handshake with the ServerHello session id; the id resumes', () => {
    const t = context();
    const x = run(t.ctx);
    const s = session(x);
    expect(s.sessionId).toHaveLength(32);
    expect(t.events).toEqual([`new ${hex(s.sessionId).slice(0, 8)}`]);
    expect(hex(x.conn.info!.sessionId)).toBe(hex(s.sessionId));
    const r = run(t.ctx, { resume: s });
    expect(r.errors).toEqual([]);
    expect(r.conn.info).toMatchObject({ version: 0x0303, resumed: true, resumedVia: 'sessionId' });
    expect(hex(r.conn.info!.sessionId)).toBe(hex(s.sessionId));
    expect(t.ctx.sessionStats.hits).toBe(1);
    expect(t.events).toHaveLength(1); // no newSession on resumption
  });

  it('a client offering tickets gets an empty session id and an RFC 5077 ticket (no newSession), which resumes', () => {
    const t = context();
    const s = session(run(t.ctx, { sessionTicket: true }));
    expect(s.sessionId).toHaveLength(0);
    expect(s.ticket?.length).toBeGreaterThan(0);
    expect(t.events).toEqual([]);
    const r = run(t.ctx, { resume: s, sessionTicket: true });
    expect(r.conn.info?.resumed).toBe(true);
  });

  it('a ticket sealed with the previous key resumes and is re-issued; once the key is dropped it is a miss', () => {
    const t = context();
    const s = session(run(t.ctx, { sessionTicket: true }));
    t.ctx.ticketKeys.rotate();
    const r = run(t.ctx, { resume: s, sessionTicket: true });
    expect(r.conn.info?.resumed).toBe(true);
    expect(r.client.ticket?.ticket.length).toBeGreaterThan(0); // a fresh ticket under the new key
    t.ctx.ticketKeys.dropPrevious();
    const miss = run(t.ctx, { resume: s, sessionTicket: true });
    expect(miss.errors).toEqual([]);
    expect(miss.conn.info?.resumed).toBe(false);
  });

  it("mode 'off': an empty session id for new sessions, but the get callback is still consulted", () => {
    const store = new Map<string, Session>();
    const a = context({ newSession: (_c, s) => void store.set(hex(s.id), s) });
    const s = session(run(a.ctx));
    const b = context({ sessionCacheMode: 'off', getSession: (_c, id) => store.get(hex(id)) });
    const fresh = session(run(b.ctx));
    expect(fresh.sessionId).toHaveLength(0);
    const r = run(b.ctx, { resume: s });
    expect(r.conn.info?.resumed).toBe(true);
    expect(b.ctx.sessionStats.cbHits).toBe(1);
  });

  it('an asynchronous get callback with the session id', async () => {
    const store = new Map<string, Session>();
    const a = context({ newSession: (_c, s) => void store.set(hex(s.id), s) });
    const s = session(run(a.ctx));
    const seen: string[] = [];
    const b = context({
      sessionCacheMode: 'noInternalLookup',
      getSession: (_c, id) => {
        seen.push(hex(id));
        return new Promise((res) => setTimeout(() => res(store.get(hex(id))), 5));
      },
    });
    const x = exchange12(b.ctx);
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ resume: s })));
    expect(x.conn.waitingForSession).toBe(true);
    await new Promise<void>((done) => x.conn.on('output', () => done()));
    x.pump();
    x.send(x.client.finish());
    expect(seen).toEqual([hex(s.sessionId)]);
    expect(x.conn.info?.resumed).toBe(true);
  });

  it('EMS: a session made with EMS, resumed by a hello without it → handshake_failure (RFC 7627 §5.3)', () => {
    const t = context();
    const s = session(run(t.ctx));
    const x = run(t.ctx, { resume: s, ems: false });
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['handshake_failure ExtendedMasterSecretMismatch']);
  });

  it('EMS: a session made without EMS, resumed by a hello with it → full handshake', () => {
    const t = context();
    const s = session(run(t.ctx, { ems: false }));
    const x = run(t.ctx, { resume: s, ems: true });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
  });

  it('the resumed suite must be among the client offered ones → illegal_parameter', () => {
    const t = context();
    const s = session(run(t.ctx));
    const x = run(t.ctx, { resume: s, cipherSuites: [0xc02c] });
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['illegal_parameter ResumedSuiteNotOffered']);
  });

  it('uncleanShutdown: the connection ends without our close_notify', () => {
    const t = context();
    const x = run(t.ctx);
    const s = session(x);
    x.conn.destroy();
    expect(t.events.at(-1)).toBe(`remove uncleanShutdown ${hex(s.sessionId).slice(0, 8)}`);
    expect(run(t.ctx, { resume: s }).conn.info?.resumed).toBe(false);
  });

  it('fatalAlert: a fatal alert on a connection invalidates its session', () => {
    const t = context();
    const x = run(t.ctx);
    const s = session(x);
    x.send(x.client.sendAlert(40));
    expect(t.events.at(-1)).toBe(`remove fatalAlert ${hex(s.sessionId).slice(0, 8)}`);
  });
});
