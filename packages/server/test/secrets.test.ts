/**
 * Secrets in memory (issue #10): comparisons of Finished, binders and the HelloRetryRequest cookie
 * are constant-time (the function reads every byte here; the call sites use it:
 * constant-time-call-sites.test.ts), ticket MACs are AEAD tags checked by the AEAD; key material is
 * wiped (`fill(0)`) when a connection closes (during or after the handshake, TLS 1.3 and 1.2) and
 * when ticket keys rotate out.
 *
 * The wiping is observed from outside: the context's `crypto:` option gets a provider that keeps a
 * reference to every secret it hands out or is handed (`SecretRecorder`); after the connection ends
 * those very buffers must read all zero.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, equalConstantTime } from '@puretls/crypto';
import { TicketKeyRing } from '@puretls/session-cache';
import type { ServerContextOptions } from '../src/index';
import { exchange, makeContext } from '@puretls/test-support/harness13';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { exchange12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';
import { SecretRecorder, isWiped } from '@puretls/test-support/secret-recorder';

describe('equalConstantTime', () => {
  it('is correct', () => {
    const a = Uint8Array.of(1, 2, 3, 4);
    expect(equalConstantTime(a, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect(equalConstantTime(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    for (let i = 0; i < 4; i++) {
      for (const bit of [1, 0x80]) {
        const b = a.slice();
        b[i]! ^= bit;
        expect(equalConstantTime(a, b)).toBe(false);
      }
    }
    expect(equalConstantTime(a, Uint8Array.of(1, 2, 3))).toBe(false);
  });

  it('reads every byte whatever the first difference (no early exit)', () => {
    /** A Uint8Array that counts index reads. */
    const counting = (bytes: Uint8Array) => {
      const reads = new Set<number>();
      const proxy = new Proxy(bytes, {
        get(t, k) {
          if (typeof k === 'string' && /^\d+$/.test(k)) reads.add(Number(k));
          const v = Reflect.get(t, k, t) as unknown;
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
      return { proxy, reads };
    };
    const n = 48;
    for (const diffAt of [0, 1, n - 1]) {
      const a = counting(new Uint8Array(n).fill(7));
      const other = new Uint8Array(n).fill(7);
      other[diffAt] = 8;
      const b = counting(other);
      expect(equalConstantTime(a.proxy, b.proxy)).toBe(false);
      expect(a.reads.size).toBe(n);
      expect(b.reads.size).toBe(n);
    }
  });
});

/** A context whose provider records every secret (the context's own ticket keys included). */
function recorded<T>(make: (extra: Partial<ServerContextOptions>) => T): { r: SecretRecorder; ctx: T } {
  const r = new SecretRecorder(createNobleProvider());
  return { r, ctx: make({ crypto: r.provider }) };
}

/** The one buffer named `role` (the test fails when the engine derived it more or less than once). */
function one(r: SecretRecorder, role: string): Uint8Array {
  const found = r.find(role);
  expect(found, `${role} among ${r.roles().join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The connection's record keys: every AEAD key made but the context's ticket key ring's (keyed by `random ticket_key` bytes). */
function recordKeys(r: SecretRecorder) {
  const ticketKeys = new Set(r.find('random ticket_key'));
  return r.aeadKeys.filter((k) => k.key === undefined || !ticketKeys.has(k.key));
}

describe('key material is wiped', () => {
  it('TLS 1.3, after the handshake: traffic, exporter and resumption secrets and the record keys, on close', () => {
    const { r, ctx } = recorded(makeContext);
    const x = exchange(ctx);
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    x.send(x.client.finish());
    expect(x.conn.phase).toBe('open');
    // The open connection keeps its secrets in copies the provider only sees when they are used:
    // the resumption master secret for the tickets just sent, our traffic secret for a KeyUpdate.
    x.conn.keyUpdate(false);
    x.conn.takeOutput();
    const kept = [...r.find('prk resumption'), one(r, 'prk traffic upd')];
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const b of kept) expect(isWiped(b)).toBe(false);
    // Client and server traffic secrets, exporter and resumption master share one allocation with
    // the client random (views of it are what the provider was handed): all of it, on close.
    const whole = kept.map((b) => new Uint8Array(b.buffer, 0, b.buffer.byteLength));
    for (const b of whole) expect(isWiped(b)).toBe(false);
    // The secrets as derived were copied into the kept buffer and wiped then.
    for (const role of ['expand c ap traffic', 'expand s ap traffic', 'expand exp master', 'expand res master']) expect(isWiped(one(r, role)), role).toBe(true);
    expect(recordKeys(r).length).toBeGreaterThanOrEqual(4); // handshake and application keys, both ways
    x.conn.close();
    x.conn.takeOutput(); // our close_notify, under the new key: not for the client
    x.conn.receive(x.client.sendAlert(0, 1)); // the client's close_notify: both sides closed
    expect(x.conn.phase).toBe('closed');
    for (const b of [...kept, ...whole]) expect(isWiped(b)).toBe(true);
    expect(recordKeys(r).filter((k) => !k.cleaned)).toEqual([]);
  });

  it('TLS 1.3, during the handshake (no client Finished yet): handshake and application secrets, on destroy', () => {
    const { r, ctx } = recorded(makeContext);
    const x = exchange(ctx);
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    expect(x.conn.phase).toBe('handshaking');
    const held = ['expand c hs traffic', 'expand c ap traffic', 'expand s ap traffic', 'expand exp master'].map((role) => one(r, role));
    for (const b of held) expect(isWiped(b)).toBe(false);
    x.conn.destroy();
    for (const b of held) expect(isWiped(b)).toBe(true);
    expect(recordKeys(r).length).toBeGreaterThanOrEqual(3);
    expect(recordKeys(r).filter((k) => !k.cleaned)).toEqual([]);
  });

  it('TLS 1.3: the server handshake traffic secret is wiped as soon as the server Finished is sent', () => {
    const { r, ctx } = recorded(makeContext);
    const x = exchange(ctx);
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    expect(x.client.serverFinishedOk).toBe(true);
    expect(isWiped(one(r, 'expand s hs traffic'))).toBe(true);
    // The handshake still works (the record key was derived before the wipe).
    x.send(x.client.finish());
    expect(x.conn.phase).toBe('open');
  });

  it('TLS 1.2: master secret and premaster secret when the handshake dies before the client Finished', () => {
    const { r, ctx } = recorded(makeContext12);
    const x = exchange12(ctx);
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({})));
    x.send(TestClient12.plaintextRecord(x.client.clientKeyExchange(), 22, 0x0303));
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('handshaking');
    // The PRF keys (RFC 5246 §5: P_hash(secret, seed)): the 32-byte ECDHE premaster secret, then
    // the 48-byte master secret (for the key block).
    const premaster = one(r, 'agree');
    const master = r.find('hmac key').filter((b) => b.length === 48);
    expect(master).toHaveLength(1);
    expect(isWiped(premaster)).toBe(true); // wiped as soon as the master secret exists
    expect(isWiped(master[0]!)).toBe(false);
    x.conn.destroy();
    expect(isWiped(master[0]!)).toBe(true);
  });

  it('TLS 1.2: our ephemeral ECDHE key pair when the client never sends its key exchange', () => {
    const { r, ctx } = recorded(makeContext12);
    const x = exchange12(ctx);
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({})));
    expect(x.client.ske).toBeDefined();
    expect(r.keyPairs.map((k) => k.cleaned)).toEqual([false]);
    x.conn.destroy();
    expect(r.keyPairs.map((k) => k.cleaned)).toEqual([true]);
  });

  it('ticket keys: a key rotated out of the ring is wiped; clean() wipes the rest', () => {
    let now = 1_000_000;
    const r = new SecretRecorder(createNobleProvider());
    const ring = new TicketKeyRing(r.provider, { now: () => now, rotationIntervalMs: 1000, keepPrevious: 1 });
    const keys = () => r.find('random ticket_key');
    const ticket = ring.seal(Uint8Array.of(1, 2, 3));
    const first = keys();
    expect(first.length).toBeGreaterThanOrEqual(1);
    for (const k of first) expect(isWiped(k)).toBe(false);
    now += 1000; // first → previous
    expect(ring.open(ticket)).not.toBeNull();
    for (const k of first) expect(isWiped(k)).toBe(false);
    now += 1000; // first drops out (keepPrevious 1)
    expect(ring.open(ticket)).toBeNull();
    expect(isWiped(first[0]!)).toBe(true);
    const live = keys().filter((k) => !isWiped(k));
    expect(live.length).toBeGreaterThanOrEqual(1);
    ring.clean();
    for (const k of keys()) expect(isWiped(k)).toBe(true);
  });
});
