/**
 * TLS 1.3 external PSKs (RFC 8446 §4.2.11, §7.1) through `ServerContextOptions.externalPsk`, in
 * memory against the test client, on both crypto providers: the "ext binder" label, SHA-256 PSKs,
 * psk_dhe_ke (psk_ke only with `allowPskKe`), external before ticket (OpenSSL's order), a server
 * without certificates (OpenSSL's SHA-256 preference), and what the handshake reports.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createNodeProvider, type CryptoProvider } from '@puretls/crypto';
import { suiteByCode } from '@puretls/handshake-state-machine';
import { ServerContext, type ExternalPskInfo, type ServerContextOptions } from '../../src/index';
import { ecdsaCertificate, exchange, handshake, type Exchange } from '@puretls/test-support/harness13';
import { TestClient13, type ClientHelloOptions, type ClientTicket } from '@puretls/test-support/tls13-client';

const KEY = new Uint8Array(32).fill(0x42);
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const AES128 = 0x1301;
const AES256 = 0x1302;
const CHACHA = 0x1303;
const PSK_KE = 0;
const PSK_DHE_KE = 1;

/** The client's view of an external PSK: identity and key (a "ticket" whose binder uses "ext binder"). */
function external(identity: string, key = KEY, suite = AES128): ClientTicket {
  return { ticket: enc(identity), psk: key, suite: suiteByCode(suite)!, ticketAgeAdd: 0, lifetime: 0, maxEarlyData: 0, nonce: new Uint8Array(0), external: true };
}

/** A context whose externalPsk knows "alice" (and records every call). */
function pskContext(extra: Partial<ServerContextOptions> = {}, provider: 'noble' | 'node' = 'noble') {
  const calls: { identity: string; info: ExternalPskInfo }[] = [];
  const ctx = new ServerContext({
    certificates: [],
    crypto: provider,
    externalPsk: (identity, info) => {
      calls.push({ identity: dec(identity), info });
      return dec(identity) === 'alice' ? KEY : undefined;
    },
    ...extra,
  });
  return { ctx, calls };
}

function run(ctx: ServerContext, opts: ClientHelloOptions, provider: CryptoProvider = createNobleProvider()): Exchange {
  const x = exchange(ctx, provider);
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello(opts)));
  if (x.errors.length === 0) x.send(x.client.finish());
  return x;
}

const PROVIDERS: ['noble' | 'node', () => CryptoProvider][] = [
  ['noble', () => createNobleProvider()],
  ['node', () => createNodeProvider()],
];

describe.each(PROVIDERS)('external PSK, %s provider', (name, provider) => {
  it('a PSK-only server: handshake with psk_dhe_ke, no Certificate, the identity reported, data flows', () => {
    const { ctx, calls } = pskContext({}, name);
    const x = run(ctx, { serverName: 'psk.example', resume: { tickets: [external('alice')] } }, provider());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
    expect(x.client.selectedIdentity).toBe(0);
    // RFC 8446 §2.2: a PSK handshake has no Certificate (11) nor CertificateVerify (15).
    expect(x.client.received.map((m) => m.type).filter((t) => t === 11 || t === 15)).toEqual([]);
    const info = x.conn.info!;
    expect(info).toMatchObject({ version: 0x0304, cipherSuite: AES128, resumed: true, resumedSession: undefined, pskMode: 'psk_dhe_ke', certificateIndex: undefined, earlyData: 'none' });
    expect(dec(info.pskIdentity!)).toBe('alice');
    expect(calls.map((c) => [c.identity, c.info.version, c.info.serverName, c.info.connection === x.conn])).toEqual([['alice', 'TLSv1.3', 'psk.example', true]]);
    const got: Uint8Array[] = [];
    x.conn.on('data', (d) => got.push(d.slice()));
    x.send(x.client.sendApplicationData(enc('ping')));
    expect(dec(got[0]!)).toBe('ping');
  });

  it('a wrong key: the binder does not verify → decrypt_error (RFC 8446 §4.2.11)', () => {
    const { ctx } = pskContext({}, name);
    const x = run(ctx, { resume: { tickets: [external('alice', new Uint8Array(32).fill(1))] } }, provider());
    expect(x.errors.map((e) => `${e.reason} ${e.alert}`)).toEqual(['BadBinder decrypt_error']);
    expect(x.clientAlerts).toEqual([51]);
  });

  it('the binder of a resumption PSK ("res binder") over the external key does not verify: the labels differ (RFC 8446 §7.1)', () => {
    const { ctx } = pskContext({}, name);
    const x = run(ctx, { resume: { tickets: [{ ...external('alice'), external: false }] } }, provider());
    expect(x.errors.map((e) => e.reason)).toEqual(['BadBinder']);
  });
});

describe('which PSK, which suite', () => {
  it('an unknown identity on a server without certificates: a full handshake it cannot do → handshake_failure', () => {
    const { ctx, calls } = pskContext();
    const x = run(ctx, { resume: { tickets: [external('mallory')] } });
    expect(calls.map((c) => c.identity)).toEqual(['mallory']);
    expect(x.errors.map((e) => e.alert)).toEqual(['handshake_failure']);
    expect(x.clientAlerts).toEqual([40]);
  });

  it('the first identity the lookup knows is selected; later ones are not asked', () => {
    const { ctx, calls } = pskContext();
    const x = run(ctx, { resume: { tickets: [external('mallory'), external('alice'), external('bob')] } });
    expect(x.errors).toEqual([]);
    expect(x.client.selectedIdentity).toBe(1);
    expect(calls.map((c) => c.identity)).toEqual(['mallory', 'alice']);
  });

  it('identities longer than 256 bytes (OpenSSL PSK_MAX_IDENTITY_LEN) are not asked', () => {
    const { ctx, calls } = pskContext();
    const x = run(ctx, { resume: { tickets: [external('x'.repeat(257)), external('alice')] } });
    expect(x.client.selectedIdentity).toBe(1);
    expect(calls.map((c) => c.identity.length)).toEqual([5]);
  });

  it('no certificate: the first SHA-256 suite wins over a preferred SHA-384 one (OpenSSL prefer_sha256)', () => {
    const { ctx } = pskContext({ cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] });
    const x = run(ctx, { cipherSuites: [AES128, AES256, CHACHA], resume: { tickets: [external('alice')] } });
    expect(x.errors).toEqual([]);
    expect(x.conn.info!.cipherSuite).toBe(CHACHA);
  });

  it('with a certificate the server order stands: SHA-384 first → the SHA-256 PSK does not fit → full handshake (as OpenSSL)', () => {
    const { ctx, calls } = pskContext({ certificates: [ecdsaCertificate()], cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] });
    const x = run(ctx, { cipherSuites: [AES128, AES256], resume: { tickets: [external('alice')] } });
    expect(x.errors).toEqual([]);
    expect(calls.map((c) => c.identity)).toEqual(['alice']);
    expect(x.conn.info).toMatchObject({ cipherSuite: AES256, resumed: false, pskIdentity: undefined, certificateIndex: 0 });
    expect(x.client.received.some((m) => m.type === 11)).toBe(true);
  });

  it('only a SHA-384 suite offered, no certificate: the PSK cannot be used → handshake_failure', () => {
    const { ctx } = pskContext();
    const x = run(ctx, { cipherSuites: [AES256], resume: { tickets: [external('alice', KEY, AES256)] } });
    expect(x.errors.map((e) => e.alert)).toEqual(['handshake_failure']);
  });

  it('psk_ke only: refused unless allowPskKe (the rule resumption follows), then no key share is used', () => {
    const refused = run(pskContext({ allowPskKe: false }).ctx, { pskModes: [PSK_KE], resume: { tickets: [external('alice')] } });
    expect(refused.errors.map((e) => e.alert)).toEqual(['handshake_failure']);
    const allowed = run(pskContext({ allowPskKe: true }).ctx, { pskModes: [PSK_KE], resume: { tickets: [external('alice')] } });
    expect(allowed.errors).toEqual([]);
    expect(allowed.conn.info).toMatchObject({ pskMode: 'psk_ke', group: undefined });
    const dhe = run(pskContext({ allowPskKe: true }).ctx, { pskModes: [PSK_KE, PSK_DHE_KE], resume: { tickets: [external('alice')] } });
    expect(dhe.conn.info).toMatchObject({ pskMode: 'psk_dhe_ke' });
  });

  it('0-RTT is never accepted with an external PSK (rejected and skipped)', () => {
    const { ctx } = pskContext({ maxEarlyData: 1024, tickets: 'stateful' });
    const x = run(ctx, { resume: { tickets: [external('alice')], earlyData: enc('early') } });
    expect(x.errors).toEqual([]);
    expect(x.client.earlyDataAccepted).toBe(false);
    expect(x.conn.info!.earlyData).toBe('rejected');
  });
});

describe('external PSKs and resumption', () => {
  it('each identity is tried as an external PSK first, then as a ticket (OpenSSL tls_parse_ctos_psk)', () => {
    const calls: string[] = [];
    const ctx = new ServerContext({
      certificates: [ecdsaCertificate()],
      externalPsk: (identity) => {
        calls.push(dec(identity).length > 16 ? 'ticket bytes' : dec(identity));
        return dec(identity) === 'alice' ? KEY : undefined;
      },
    });
    const first = handshake(ctx, { cipherSuites: [AES128] });
    expect(first.client.tickets.length).toBe(2);
    const ticket = first.client.tickets[0]!;
    // The ticket first in the list: asked as an external PSK, unknown there, resumed as a ticket.
    const viaTicket = run(ctx, { cipherSuites: [AES128], resume: { tickets: [ticket, external('alice')] } });
    expect(viaTicket.client.selectedIdentity).toBe(0);
    expect(viaTicket.conn.info).toMatchObject({ resumed: true, pskIdentity: undefined, resumedVia: 'ticket' });
    // The external PSK first: selected, the ticket not even looked up.
    const hitsBefore = ctx.sessionStats.hits;
    const viaExternal = run(ctx, { cipherSuites: [AES128], resume: { tickets: [external('alice'), first.client.tickets[1]!] } });
    expect(viaExternal.client.selectedIdentity).toBe(0);
    expect(viaExternal.conn.info).toMatchObject({ resumed: true, resumedSession: undefined, resumedVia: undefined });
    expect(dec(viaExternal.conn.info!.pskIdentity!)).toBe('alice');
    expect(calls).toEqual(['ticket bytes', 'alice']);
    // No session cache hit for an external PSK (none was looked up), and one ticket after it, as after a resumption.
    expect(ctx.sessionStats.hits).toBe(hitsBefore);
    expect(viaExternal.client.tickets.length).toBe(1);
  });

  it('a ticket issued after an external PSK handshake resumes without asking externalPsk again', () => {
    const { ctx, calls } = pskContext();
    const first = run(ctx, { resume: { tickets: [external('alice')] } });
    expect(first.client.tickets.length).toBe(1);
    const again = run(ctx, { resume: { tickets: [first.client.tickets[0]!] } });
    expect(again.errors).toEqual([]);
    expect(again.conn.info).toMatchObject({ resumed: true, resumedVia: 'ticket', pskIdentity: undefined });
    // The ticket bytes were offered to externalPsk first (OpenSSL's order) and not known there.
    expect(calls.map((c) => c.identity === 'alice')).toEqual([true, false]);
  });
});

describe('the options', () => {
  it('refused by name: a non-function externalPsk, a hint without it, a hint over 256 bytes', () => {
    expect(() => new ServerContext({ certificates: [], externalPsk: 'x' as never })).toThrow(/options\.externalPsk/);
    expect(() => new ServerContext({ certificates: [ecdsaCertificate()], pskIdentityHint: 'h' })).toThrow(/options\.pskIdentityHint: only meaningful with options\.externalPsk/);
    expect(() => new ServerContext({ certificates: [], externalPsk: () => undefined, pskIdentityHint: 'h'.repeat(257) })).toThrow(RangeError);
    expect(() => new ServerContext({ certificates: [], externalPsk: () => undefined, pskIdentityHint: 'h'.repeat(256) })).not.toThrow();
  });

  it('a lookup answering something that is no key, or a key over 512 bytes, fails the handshake with internal_error', () => {
    for (const answer of ['key', new Uint8Array(513)] as unknown[]) {
      const { ctx } = pskContext({ externalPsk: () => answer as Uint8Array });
      const x = run(ctx, { resume: { tickets: [external('alice')] } });
      expect(x.errors.map((e) => `${e.reason} ${e.alert}`)).toEqual(['ExternalPskCallbackFailed internal_error']);
    }
  });

  it('an empty key is an unknown identity (OpenSSL: length 0)', () => {
    const { ctx } = pskContext({ externalPsk: () => new Uint8Array(0) });
    const x = run(ctx, { resume: { tickets: [external('alice')] } });
    expect(x.errors.map((e) => e.alert)).toEqual(['handshake_failure']);
  });
});
