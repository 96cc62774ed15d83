import { describe, expect, it } from 'vitest';
import { MAX_TICKET_LIFETIME, createSession, sessionCost, sessionLifetime, tls13SuiteHash, withFields } from '../src/index';
import { FakeClock, newId, tls12, tls13 } from './helpers';

describe('§1 Session', () => {
  it('is frozen, and its byte fields are copies of the caller’s', () => {
    const id = newId();
    const idCopy = id.slice();
    const secret = new Uint8Array(48).fill(3);
    const s = createSession({ id, version: 0x0303, cipherSuite: 0xc02f, secret, createdAt: 1000, timeout: 60, extendedMasterSecret: true });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.peerCertificates)).toBe(true);
    id.fill(0);
    secret.fill(0);
    expect(s.id).toEqual(idCopy);
    expect(s.secret.every((b) => b === 3)).toBe(true);
    expect(() => ((s as { timeout: number }).timeout = 5)).toThrow(TypeError);
  });
  it('defaults: authTime = createdAt, empty contextId/ticketNonce, 0 ticketAgeAdd/maxEarlyData, EMS true for TLS 1.3', () => {
    const s = createSession({ id: newId(), version: 0x0304, cipherSuite: 0x1301, secret: new Uint8Array(32), createdAt: 5, timeout: 1 });
    expect(s).toMatchObject({ authTime: 5, ticketAgeAdd: 0, maxEarlyData: 0, extendedMasterSecret: true, serverName: undefined, alpn: undefined });
    expect(s.contextId.length + s.ticketNonce.length + s.peerCertificates.length).toBe(0);
  });
  it('validates every field (RangeError/TypeError naming it)', () => {
    const base = { id: newId(), version: 0x0303 as const, cipherSuite: 0xc02f, secret: new Uint8Array(48), createdAt: 10, timeout: 1, extendedMasterSecret: false };
    const bad: [object, RegExp][] = [
      [{ id: new Uint8Array(0) }, /"id" length 0/],
      [{ id: new Uint8Array(33) }, /"id" length 33/],
      [{ version: 0x0302 }, /"version"/],
      [{ secret: new Uint8Array(0) }, /"secret"/],
      [{ secret: new Uint8Array(65) }, /"secret"/],
      [{ createdAt: -1 }, /"createdAt"/],
      [{ createdAt: 1.5 }, /"createdAt"/],
      [{ authTime: 11 }, /"authTime"/],
      [{ timeout: 2 ** 32 }, /"timeout"/],
      [{ cipherSuite: 0x10000 }, /"cipherSuite"/],
      [{ serverName: '' }, /"serverName"/],
      [{ serverName: 'a b' }, /"serverName"/],
      [{ serverName: 'é.example' }, /"serverName"/],
      [{ alpn: new Uint8Array(0) }, /"alpn"/],
      [{ ticketAgeAdd: 2 ** 32 }, /"ticketAgeAdd"/],
      [{ extendedMasterSecret: undefined }, /"extendedMasterSecret"/],
      [{ id: 'abc' }, /"id" expected Uint8Array/],
    ];
    for (const [over, msg] of bad) expect(() => createSession({ ...base, ...over } as never), JSON.stringify(over)).toThrow(msg);
  });
  it('TLS 1.3 suite hashes; lifetime min(timeout, 604800) for TLS 1.3 only', () => {
    expect(tls13SuiteHash(0x1301)).toBe('sha256');
    expect(tls13SuiteHash(0x1302)).toBe('sha384');
    expect(tls13SuiteHash(0xc02f)).toBeUndefined();
    const clock = new FakeClock();
    expect(sessionLifetime(tls13(clock, { timeout: 10 ** 6 }))).toBe(MAX_TICKET_LIFETIME);
    expect(sessionLifetime(tls12(clock, { timeout: 10 ** 6 }))).toBe(10 ** 6);
  });
  it('withFields makes a validated copy; sessionCost grows with the fields', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const t = withFields(s, { createdAt: s.createdAt + 1 });
    expect(t.createdAt).toBe(s.createdAt + 1);
    expect(t.id).toEqual(s.id);
    expect(sessionCost(withFields(s, { peerCertificates: [new Uint8Array(1000)] }))).toBeGreaterThan(sessionCost(s) + 1000);
  });
});
