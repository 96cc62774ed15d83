/**
 * Client authentication and sessions: the client's chain and the verifier's verdict travel in
 * the session state (format 2), so a resumed connection reports them again — TLS 1.3 stateless and
 * stateful tickets, TLS 1.2 session ids and RFC 5077 tickets — without a new CertificateRequest
 * (RFC 8446 §4.3.2: not with a resumption PSK). The session context fingerprint covers the
 * client-auth mode and the CA set (session spec §6), so a session is never resumed under a policy
 * it was not authenticated for; the session callbacks see the state with the chain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSessionState } from '@puretls/handshake-state-machine/internal';
import { decodeSession, encodeSession, type Session } from '@puretls/session-cache';
import { ServerContext, type ServerContextOptions } from '../../src/index';
import { ClientPki, type ClientKind } from '@puretls/test-support/client-pki';
import { mtlsHandshake, type MtlsOptions, type MtlsResult } from '@puretls/test-support/harness-mtls';
import { TestClient13, type ClientAuthAnswer, type ClientTicket } from '@puretls/test-support/tls13-client';
import { TestClient12, type ClientSession12 } from '@puretls/test-support/tls12-client';

const pki = new ClientPki();
afterAll(() => pki.close());

function context(extra: Partial<ServerContextOptions> = {}): ServerContext {
  const server = pki.server();
  return new ServerContext({ certificates: [{ cert: server.chainPem, key: server.keyPem }], requestCert: true, ca: pki.caPem, ...extra });
}
const present = (kind: ClientKind): ClientAuthAnswer => ({ chain: pki.client(kind).chain, key: pki.client(kind).key });

/** A full handshake, then what a client keeps to resume: TLS 1.3 tickets, or the TLS 1.2 session. */
function full13(ctx: ServerContext, answer?: ClientAuthAnswer): { r: MtlsResult; tickets: ClientTicket[] } {
  const r = mtlsHandshake('1.3', ctx, { ...(answer ? { answer } : {}) });
  expect(r.errors).toEqual([]);
  return { r, tickets: (r.client as TestClient13).tickets };
}
function full12(ctx: ServerContext, answer: ClientAuthAnswer | undefined, hello12: MtlsOptions['hello12'] = {}): { r: MtlsResult; session: ClientSession12 } {
  const r = mtlsHandshake('1.2', ctx, { ...(answer ? { answer } : {}), hello12 });
  expect(r.errors).toEqual([]);
  return { r, session: (r.client as TestClient12).session };
}
const resume13 = (ctx: ServerContext, t: ClientTicket) => mtlsHandshake('1.3', ctx, { hello13: { resume: { tickets: [t] } } });
const resume12 = (ctx: ServerContext, s: ClientSession12) => mtlsHandshake('1.2', ctx, { hello12: { resume: s } });

describe('a resumed connection reports the original client authentication', () => {
  it.each(['stateless', 'stateful'] as const)('TLS 1.3 %s tickets: authorized and the chain; no CertificateRequest', (tickets) => {
    const ctx = context({ tickets });
    const { r, tickets: t } = full13(ctx, present('intermediate'));
    const again = resume13(ctx, t[0]!);
    expect(again.errors).toEqual([]);
    expect(again.info?.resumed).toBe(true);
    expect(again.client.received.map((m) => m.type)).not.toContain(13);
    expect(again.info?.clientAuth).toEqual(r.info?.clientAuth);
    expect(again.info?.clientAuth).toEqual({ peerCertificates: pki.client('intermediate').chain, authorized: true, error: undefined });
    // The ticket issued by the resumed connection carries it on too.
    const third = resume13(ctx, (again.client as TestClient13).tickets[0]!);
    expect(third.info?.resumed).toBe(true);
    expect(third.info?.clientAuth).toEqual(r.info?.clientAuth);
  });

  it.each([
    ['a session id', {}],
    ['an RFC 5077 ticket', { sessionTicket: true as const }],
  ])('TLS 1.2 with %s: authorized and the chain; no CertificateRequest', (_what, hello12) => {
    const ctx = context();
    const { r, session } = full12(ctx, present('rsa'), hello12);
    const again = resume12(ctx, session);
    expect(again.errors).toEqual([]);
    expect(again.info).toMatchObject({ resumed: true, resumedVia: 'sessionTicket' in hello12 ? 'ticket' : 'sessionId' });
    expect(again.client.received.map((m) => m.type)).not.toContain(13);
    expect(again.info?.clientAuth).toEqual(r.info?.clientAuth);
    expect(again.info?.clientAuth?.authorized).toBe(true);
  });

  it('rejectUnauthorized: false: an unauthorized verdict comes back with its code (OpenSSL keeps verify_result in the session)', () => {
    const ctx = context({ rejectUnauthorized: false });
    const { tickets } = full13(ctx, present('expired'));
    expect(resume13(ctx, tickets[0]!).info?.clientAuth).toEqual({ peerCertificates: pki.client('expired').chain, authorized: false, error: 'CERT_HAS_EXPIRED' });
    const { session } = full12(ctx, present('selfSigned'));
    expect(resume12(ctx, session).info?.clientAuth).toEqual({ peerCertificates: pki.client('selfSigned').chain, authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('a client that sent no certificate stays unauthorized when it resumes (Node reports authorized after a TLS 1.3 resumption: we do not)', () => {
    const ctx = context({ rejectUnauthorized: false });
    const { tickets } = full13(ctx, { chain: [] });
    expect(resume13(ctx, tickets[0]!).info?.clientAuth).toEqual({ peerCertificates: [], authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT' });
    const { session } = full12(ctx, { chain: [] });
    expect(resume12(ctx, session).info?.clientAuth).toEqual({ peerCertificates: [], authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT' });
  });
});

describe('the session context fingerprint covers the client-auth mode and the CAs (session spec §6)', () => {
  const server = () => ({ certificates: [{ cert: pki.server().chainPem, key: pki.server().keyPem }] });
  /** Two contexts sharing ticket keys (a fleet, or a reloaded configuration) that differ only in client auth. */
  function pair(a: Partial<ServerContextOptions>, b: Partial<ServerContextOptions>): [ServerContext, ServerContext] {
    const first = new ServerContext({ ...server(), ...a });
    return [first, new ServerContext({ ...server(), ...a, ...b, ticketKeys: first.ticketKeys })];
  }

  it.each([
    ['no client auth → requestCert', { requestCert: false }, { requestCert: true, ca: pki.caPem }],
    ['requestCert with rejectUnauthorized: false → true', { requestCert: true, ca: pki.caPem, rejectUnauthorized: false }, { rejectUnauthorized: true }],
    ['requestCert → none', { requestCert: true, ca: pki.caPem }, { requestCert: false }],
    ['one CA → another CA set', { requestCert: true, ca: pki.caPem }, { ca: [pki.caPem, pki.server().leafPem] }],
  ] as [string, Partial<ServerContextOptions>, Partial<ServerContextOptions>][])('%s: the ticket is refused, a full handshake asks (or not) as now configured', (_what, a, b) => {
    const [before, after] = pair(a, b);
    const answer = a.requestCert ? present('p256') : undefined;
    const { tickets } = full13(before, answer);
    const later = mtlsHandshake('1.3', after, { hello13: { resume: { tickets: [tickets[0]!] } }, answer: present('p256') });
    expect(later.errors).toEqual([]);
    expect(later.info?.resumed).toBe(false);
    expect(later.client.received.map((m) => m.type).includes(13)).toBe(after.clientAuth !== undefined);
    expect(later.info?.clientAuth?.authorized).toBe(after.clientAuth ? true : undefined);
    // Same for TLS 1.2 RFC 5077 tickets.
    const { session } = full12(before, answer, { sessionTicket: true });
    const later12 = mtlsHandshake('1.2', after, { hello12: { resume: session }, answer: present('p256') });
    expect(later12.errors).toEqual([]);
    expect(later12.info?.resumed).toBe(false);
  });

  it('the same client-auth configuration in another context (a fleet): resumed', () => {
    const [before, after] = pair({ requestCert: true, ca: pki.caPem }, {});
    const { tickets } = full13(before, present('p256'));
    expect(resume13(after, tickets[0]!).info).toMatchObject({ resumed: true, clientAuth: { authorized: true } });
  });
});

describe('the session callbacks carry the state with the chain', () => {
  it('newSession gets it (TLS 1.2 id, TLS 1.3 stateful ticket); a getSession store in another server resumes it, authorized; removeSession sees it', () => {
    for (const version of ['1.2', '1.3'] as const) {
      const stored = new Map<string, Uint8Array>();
      const removed: string[] = [];
      const options: Partial<ServerContextOptions> = {
        tickets: 'stateful',
        sessionCacheMode: 'noInternal',
        newSession: (_c, s: Session) => {
          stored.set(Buffer.from(s.id).toString('hex'), encodeSession(s));
        },
        getSession: (_c, id) => {
          const b = stored.get(Buffer.from(id).toString('hex'));
          return b ? decodeSession(b) : undefined;
        },
        takeSession: (_c, id) => stored.delete(Buffer.from(id).toString('hex')),
        removeSession: (_cache, s, why) => {
          // The session removed is the one stored: its state still carries the chain.
          expect(decodeSessionState(s.state)?.peerCertificates).toEqual(pki.client('p256').chain);
          removed.push(`${version} ${why}`);
        },
      };
      const a = context(options);
      const first = version === '1.3' ? full13(a, present('p256')).r : full12(a, present('p256')).r;
      expect(stored.size).toBeGreaterThan(0);
      for (const bytes of stored.values()) {
        const state = decodeSessionState(decodeSession(bytes)!.state)!;
        expect(state.peerCertificates).toEqual(pki.client('p256').chain);
        expect(state.peerVerification).toEqual({ authorized: true, error: undefined });
      }
      // Another server of the fleet: the same configuration (fingerprint) and store.
      const b = context(options);
      const again = version === '1.3' ? resume13(b, (first.client as TestClient13).tickets[0]!) : resume12(b, (first.client as TestClient12).session);
      expect(again.errors).toEqual([]);
      expect(again.info).toMatchObject({ resumed: true, clientAuth: { authorized: true, peerCertificates: pki.client('p256').chain } });
      // A stateful TLS 1.3 ticket is single use: taken, then removed as consumed (session spec §6).
      expect(removed).toEqual(version === '1.3' ? ['1.3 consumed'] : []);
    }
  });
});
