/**
 * One home for every resumption rule (issue 15): the session cache finds and expires sessions, the
 * handshake decides whether one is resumed, and the cache's statistics follow the handshake's
 * decision — a hit is counted only when the connection really resumed. Each case runs the real
 * session subsystem (ServerContext → CacheSessionGlue → SessionCache) end to end and checks the
 * connection's `resumed` against `sessionStats`.
 */
import { describe, expect, it } from 'vitest';
import { ServerContext, type ServerContextOptions } from '../src/index';
import { ecdsaCertificate, handshake, helloWith } from '@puretls/test-support/harness13';
import type { ClientHelloOptions } from '@puretls/test-support/tls13-client';
import { exchange12, type Exchange12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options, type ClientSession12 } from '@puretls/test-support/tls12-client';

function context13(extra: Partial<ServerContextOptions> = {}): ServerContext {
  return new ServerContext({ certificates: [ecdsaCertificate()], ...extra });
}

/** A full TLS 1.3 handshake on `ctx` (SNI `serverName`), then a resumption with `resume` options. */
function resume13(ctx: ServerContext, first: ClientHelloOptions, again: (t: ReturnType<typeof handshake>['client']['tickets']) => ClientHelloOptions) {
  const full = handshake(ctx, first);
  expect(full.errors).toEqual([]);
  expect(full.client.tickets.length).toBeGreaterThan(0);
  return handshake(ctx, again(full.client.tickets));
}

function run12(ctx: ServerContext, opts: ClientHello12Options = {}): Exchange12 {
  const x = exchange12(ctx);
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  if (x.errors.length === 0 && x.conn.phase === 'handshaking' && !x.conn.waitingForSession) x.send(x.client.finish());
  return x;
}

function session12(x: Exchange12): ClientSession12 {
  expect(x.errors).toEqual([]);
  expect(x.conn.info?.resumed).toBe(false);
  return x.client.session;
}

describe.each(['stateless', 'stateful'] as const)('TLS 1.3 %s tickets: the cache counts what the handshake decides', (tickets) => {
  it('SNI compares case-insensitively (RFC 4343): a ticket for localhost resumes for LOCALHOST, and it is one hit', () => {
    const ctx = context13({ tickets });
    const x = resume13(ctx, { serverName: 'localhost' }, (t) => ({ serverName: 'LOCALHOST', resume: { tickets: [t[0]!] } }));
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(true);
    expect(ctx.sessionStats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('another server name: a full handshake, counted as a miss, not a hit (RFC 6066 §3)', () => {
    const ctx = context13({ tickets });
    const x = resume13(ctx, { serverName: 'localhost' }, (t) => ({ serverName: 'other.example', resume: { tickets: [t[0]!] } }));
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, cbHits: 0, misses: 1 });
  });

  it("a PSK whose hash is not the negotiated suite's (RFC 8446 §4.2.11): a full handshake and a miss", () => {
    const ctx = context13({ tickets });
    // The ticket is made under TLS_AES_128_GCM_SHA256; the resumption offers only the SHA-384 suite.
    const x = resume13(ctx, { cipherSuites: [0x1301] }, (t) => ({ cipherSuites: [0x1302], resume: { tickets: [t[0]!] } }));
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: false, cipherSuite: 0x1302 });
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('a bad binder: decrypt_error, no hit, counted in binderFailures and misses', () => {
    const ctx = context13({ tickets });
    const full = handshake(ctx);
    const x = helloWith({ resume: { tickets: [full.client.tickets[0]!], corruptBinder: true } }, ctx);
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decrypt_error BadBinder']);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1, binderFailures: 1 });
  });

  it('the first identity unknown, the second resumed: one hit (a stateful id not found is a miss; a foreign stateless ticket is no lookup, as in OpenSSL)', () => {
    const ctx = context13({ tickets });
    const a = handshake(ctx, { serverName: 'localhost' });
    const b = handshake(ctx, { serverName: 'localhost' });
    const other = handshake(context13({ tickets }), { serverName: 'localhost' });
    // A ticket of another context (a miss whatever the mode: it does not open, or is not found) and one of ours.
    const x = handshake(ctx, { serverName: 'localhost', resume: { tickets: [other.client.tickets[0]!, a.client.tickets[0]!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(true);
    expect(ctx.sessionStats).toMatchObject({ hits: 1, misses: tickets === 'stateful' ? 1 : 0 });
    expect(b.errors).toEqual([]);
  });
});

describe('TLS 1.3: sessions are bound to the configuration (session spec §6)', () => {
  it('a stateless ticket from a context with another ALPN set opens (shared keys) but is refused: contextMismatches, no hit', () => {
    const a = context13({ alpnProtocols: ['h2'] });
    const b = context13({ alpnProtocols: ['http/1.1'], ticketKeys: a.ticketKeys.export() });
    const full = handshake(a, { alpn: ['h2'] });
    expect(full.errors).toEqual([]);
    const x = handshake(b, { alpn: ['http/1.1'], resume: { tickets: [full.client.tickets[0]!] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
    expect(b.sessionStats).toMatchObject({ hits: 0, misses: 1, contextMismatches: 1 });
  });
});

describe.each([
  ['session id', {}],
  ['RFC 5077 ticket', { sessionTicket: true }],
] as const)('TLS 1.2 %s: the cache counts what the handshake decides', (_name, how: ClientHello12Options) => {
  it('SNI compares case-insensitively: a session for localhost resumes for LOCALHOST, one hit', () => {
    const ctx = context13();
    const s = session12(run12(ctx, { ...how, serverName: 'localhost' }));
    const x = run12(ctx, { ...how, serverName: 'LOCALHOST', resume: s });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(true);
    expect(ctx.sessionStats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('another server name: a full handshake and a miss', () => {
    const ctx = context13();
    const s = session12(run12(ctx, { ...how, serverName: 'localhost' }));
    const x = run12(ctx, { ...how, serverName: 'other.example', resume: s });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('the resumed suite not offered: illegal_parameter, and no hit (RFC 5246 §7.4.1.2)', () => {
    const ctx = context13();
    const s = session12(run12(ctx, how));
    const x = run12(ctx, { ...how, resume: s, cipherSuites: [0xc02c] });
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['illegal_parameter ResumedSuiteNotOffered']);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('a session made without EMS, offered with EMS: a full handshake and a miss (RFC 7627 §5.3)', () => {
    const ctx = context13();
    const s = session12(run12(ctx, { ...how, ems: false }));
    const x = run12(ctx, { ...how, resume: s, ems: true });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('a session of a context with another configuration is refused: contextMismatches', () => {
    const a = context13({ alpnProtocols: ['h2'] });
    const b = context13({ alpnProtocols: ['http/1.1'], ticketKeys: a.ticketKeys.export(), getSession: (_c, id) => a.sessionCache.peek(id) });
    const s = session12(run12(a, { ...how, alpn: ['h2'] }));
    const x = run12(b, { ...how, alpn: ['http/1.1'], resume: s });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.resumed).toBe(false);
    expect(b.sessionStats).toMatchObject({ hits: 0, cbHits: 0, contextMismatches: 1, misses: 1 });
  });
});

describe('rules that used to be checked twice (cache and handshake), now once in the handshake', () => {
  it('TLS 1.3: another suite of the same hash resumes (RFC 8446 §4.2.11), and it is a hit', () => {
    const ctx = context13();
    const x = resume13(ctx, { cipherSuites: [0x1301] }, (t) => ({ cipherSuites: [0x1303], resume: { tickets: [t[0]!] } }));
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: true, cipherSuite: 0x1303 });
    expect(ctx.sessionStats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('TLS 1.3 ticket lifetime is min(sessionTimeout, 604800) (RFC 8446 §4.6.1), in the NewSessionTicket and in the stored session', () => {
    const timeouts: number[] = [];
    const ctx = context13({ tickets: 'stateful', sessionTimeout: 10 * 24 * 3600, newSession: (_c, s) => void timeouts.push(s.timeout) });
    const x = handshake(ctx);
    expect(x.client.tickets.map((t) => t.lifetime)).toEqual([604800, 604800]);
    expect(timeouts).toEqual([604800, 604800]);
  });

  it('a TLS 1.3 ticket offered as a TLS 1.2 RFC 5077 ticket (same key ring) opens but is refused: another version', () => {
    const ctx = context13();
    const full = handshake(ctx);
    const x = run12(ctx, { sessionTicket: full.client.tickets[0]!.ticket });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ version: 0x0303, resumed: false });
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('TLS 1.2: a session with EMS offered without it aborts (handshake_failure) and is not a hit', () => {
    const ctx = context13();
    const s = session12(run12(ctx));
    const x = run12(ctx, { resume: s, ems: false });
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['handshake_failure ExtendedMasterSecretMismatch']);
    expect(ctx.sessionStats).toMatchObject({ hits: 0, misses: 1 });
  });

  it('a refusal is not a removal: after a wrong server name, the session still resumes under its own', () => {
    const removed: string[] = [];
    const ctx = context13({ removeSession: (_c, _s, reason) => void removed.push(reason) });
    const s = session12(run12(ctx, { serverName: 'localhost' }));
    expect(run12(ctx, { serverName: 'other.example', resume: s }).conn.info?.resumed).toBe(false);
    const again = run12(ctx, { serverName: 'localhost', resume: s });
    expect(again.conn.info?.resumed).toBe(true);
    expect(removed).toEqual([]);
    expect(ctx.sessionStats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('TLS 1.2: a session from a context with other suites is refused as another configuration (the fingerprint covers the suite policy)', () => {
    const a = context13();
    const s = session12(run12(a, { cipherSuites: [0xc02b] }));
    const b = context13({ cipherSuites: ['TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384'], ticketKeys: a.ticketKeys.export(), getSession: (_c, id) => a.sessionCache.peek(id) });
    const x = run12(b, { resume: s, cipherSuites: [0xc02b, 0xc02c] });
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ resumed: false, cipherSuite: 0xc02c });
    expect(b.sessionStats).toMatchObject({ hits: 0, cbHits: 0, misses: 1, contextMismatches: 1 });
  });
});
