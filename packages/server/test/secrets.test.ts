/**
 * Secrets in memory (issue #10): comparisons of Finished, binders and the HelloRetryRequest cookie
 * are constant-time (the function reads every byte; the call sites use it), ticket MACs are AEAD
 * tags checked by the AEAD; key material is wiped (`fill(0)`) when a connection closes (during or
 * after the handshake, TLS 1.3 and 1.2) and when ticket keys rotate out.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNobleProvider, equalConstantTime } from '@puretls/crypto';
import { NullDecrypter } from '@puretls/record-layer';
import { TicketKeyRing } from '@puretls/session-cache';
import type { ServerConnection } from '../src/index';
import { exchange, handshake, makeContext } from '@puretls/test-support/harness13';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { exchange12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = (path: string) => readFileSync(join(PACKAGES, path), 'utf8');

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

  it('is what the Finished, binder and cookie checks use (code-level check of the call sites)', () => {
    const checks: [file: string, failure: RegExp][] = [
      ['handshake-state-machine/src/tls13/server-states.ts', /if \(!equalConstantTime\(msg\.body, expected\)\) throw new TlsError\('BadFinished'/],
      ['handshake-state-machine/src/tls12/server-states.ts', /if \(!equalConstantTime\(verifyData, expected\)\) throw new TlsError\('BadFinished'/],
      ['handshake-state-machine/src/tls13/psk.ts', /return equalConstantTime\(binder, computeBinder\(/],
      ['handshake-state-machine/src/tls13/client-hello-checks.ts', /!equalConstantTime\(second\.ext\.cookie, cookie\)\) throw new TlsError\('BadCookie'/],
      // Ticket and sealed-session MACs are AEAD tags: the noble AEAD compares them in constant time
      // (node's GCM is OpenSSL's); nothing else compares them.
      ['crypto/src/noble/aead.ts', /if \(!equalConstantTime\(this\.tag, /],
    ];
    for (const [file, re] of checks) expect(source(file), file).toMatch(re);
    // Every place that raises one of these failures does so after a constant-time check.
    for (const reason of ['BadFinished', 'BadCookie']) {
      for (const file of ['handshake-state-machine/src/tls13/server-states.ts', 'handshake-state-machine/src/tls12/server-states.ts', 'handshake-state-machine/src/tls13/client-hello-checks.ts']) {
        for (const line of source(file).split('\n').filter((l) => l.includes(`new TlsError('${reason}'`))) expect(line).toContain('equalConstantTime(');
      }
    }
    expect(source('handshake-state-machine/src/tls13/server-states.ts')).toMatch(/if \(!binderMatches\(/);
  });
});

const isZero = (b: Uint8Array) => b.length > 0 && b.every((x) => x === 0);
/** Private fields of the connection's current state and record layer (white-box). */
const stateOf = (conn: ServerConnection) => (conn as unknown as { state: Record<string, unknown> }).state;
const recordLayerOf = (conn: ServerConnection) => (conn as unknown as { rl: { decrypter: unknown; writer: { current: { version: unknown } } } }).rl;

describe('key material is wiped', () => {
  it('TLS 1.3, after the handshake: traffic, exporter and resumption secrets and the record keys, on close', () => {
    const x = handshake(makeContext());
    const s = stateOf(x.conn);
    expect(s.kind).toBe('Traffic13');
    const secrets = ['clientSecret', 'serverSecret', 'exporterMaster', 'resumptionMaster'].map((k) => s[k] as Uint8Array);
    for (const b of secrets) expect(isZero(b)).toBe(false);
    x.conn.close();
    x.send(x.client.sendAlert(0, 1)); // the client's close_notify: both sides closed
    expect(x.conn.phase).toBe('closed');
    for (const b of secrets) expect(isZero(b)).toBe(true);
    const rl = recordLayerOf(x.conn);
    expect(rl.decrypter).toBeInstanceOf(NullDecrypter);
    expect(rl.writer.current.version).toBeNull();
  });

  it('TLS 1.3, during the handshake (no client Finished yet): handshake and application secrets, on destroy', () => {
    const x = exchange(makeContext());
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    const s = stateOf(x.conn);
    expect(s.kind).toBe('ExpectFinished');
    const app = s.secrets as Record<string, Uint8Array>;
    const held = [s.clientHs as Uint8Array, app.clientAp!, app.serverAp!, app.exporter!];
    for (const b of held) expect(isZero(b)).toBe(false);
    x.conn.destroy();
    for (const b of held) expect(isZero(b)).toBe(true);
    expect(recordLayerOf(x.conn).decrypter).toBeInstanceOf(NullDecrypter);
  });

  it('TLS 1.3: the server handshake traffic secret is wiped as soon as the server Finished is sent', () => {
    const x = exchange(makeContext());
    const seen: Uint8Array[] = [];
    // The secret event carries the live array: keep a reference to it.
    (x.conn as unknown as { io: { emit: (e: { type: string; label?: string; secret?: Uint8Array }) => void } }).io.emit = ((orig) => (e) => {
      if (e.type === 'secret' && e.label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET') seen.push(e.secret!);
      orig(e);
    })((x.conn as unknown as { io: { emit: (e: unknown) => void } }).io.emit.bind((x.conn as unknown as { io: object }).io));
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    expect(seen).toHaveLength(1);
    expect(isZero(seen[0]!)).toBe(true);
    // The handshake still works (the record key was derived before the wipe).
    x.send(x.client.finish());
    expect(x.conn.phase).toBe('open');
  });

  it('TLS 1.2: master secret and key block when the handshake dies before the client Finished', () => {
    const x = exchange12(makeContext12());
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({})));
    x.send(TestClient12.plaintextRecord(x.client.clientKeyExchange(), 22, 0x0303));
    const s = stateOf(x.conn);
    expect(s.kind).toBe('ExpectChangeCipherSpec12');
    const master = s.master as Uint8Array;
    const keys = s.keys as { client: { key: Uint8Array; iv: Uint8Array }; server: { key: Uint8Array; iv: Uint8Array } };
    expect(isZero(master)).toBe(false);
    expect(isZero(keys.client.key)).toBe(false);
    x.conn.destroy();
    for (const b of [master, keys.client.key, keys.client.iv, keys.server.key, keys.server.iv]) expect(isZero(b)).toBe(true);
  });

  it('TLS 1.2: our ephemeral ECDHE private key when the client never sends its key exchange', () => {
    const x = exchange12(makeContext12());
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({})));
    const s = stateOf(x.conn);
    expect(s.kind).toBe('ExpectClientKeyExchange');
    const secret = (s.keyPair as { secret: Uint8Array }).secret; // the noble key pair's scalar
    expect(isZero(secret)).toBe(false);
    x.conn.destroy();
    expect(isZero(secret)).toBe(true);
  });

  it('ticket keys: a key rotated out of the ring is wiped; clean() wipes the rest', () => {
    let now = 1_000_000;
    const ring = new TicketKeyRing(createNobleProvider(), { now: () => now, rotationIntervalMs: 1000, keepPrevious: 1 });
    const keyOf = (role: 'current') => (ring as unknown as Record<string, { key: Uint8Array }>)[role]!.key;
    const first = keyOf('current');
    const ticket = ring.seal(Uint8Array.of(1, 2, 3));
    expect(isZero(first)).toBe(false);
    now += 1000; // first → previous
    expect(ring.open(ticket)).not.toBeNull();
    expect(isZero(first)).toBe(false);
    now += 1000; // first drops out (keepPrevious 1)
    expect(ring.open(ticket)).toBeNull();
    expect(isZero(first)).toBe(true);
    const current = keyOf('current');
    ring.clean();
    expect(isZero(current)).toBe(true);
  });
});
