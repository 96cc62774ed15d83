/**
 * Faults and key rotation across a fleet of two in-process servers (issue #8). A private
 * `redis-server` on an ephemeral port is killed mid-run (handshakes still complete, full; errors
 * are counted; nothing crashes), restarted (resumption across servers works again, by itself),
 * and paused with SIGSTOP (a lookup ends at `lookupTimeoutMs`, not when Redis answers). Key
 * rotation on the machine's Redis: rotate on A, tickets sealed before still open on B; after the
 * previous key is dropped they are a miss, never an error. Every wait is bounded; redis-server is
 * killed in afterAll.
 */
import { createNobleProvider } from '@puretls/crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { startServer, type RunningServer } from '@puretls/test-support/net';
import type { ServerConnection } from '@puretls/server';
import { RedisKeyRing, createRedisSessionStore, type RedisSessionStore } from '../src/index';
import { PrivateRedis, SHARED_REDIS_URL, STATEFUL, adminClient, deletePrefix, keysUnder, storedSession, uniquePrefix, waitFor } from './helpers';
import { handshake } from './tls-client';

const silent = { warn: () => {} };
const LOOKUP_TIMEOUT_MS = 400;
const certs = new CertDir();
let cert: TestCert;

beforeAll(() => {
  cert = certs.make('p256', 'localhost');
}, 30_000);
afterAll(() => certs.cleanup());

interface Member {
  readonly store: RedisSessionStore<ServerConnection>;
  readonly ring: RedisKeyRing;
  readonly server: RunningServer;
}

async function member(url: string, prefix: string, tickets: 'stateful' | 'stateless'): Promise<Member> {
  const provider = createNobleProvider();
  const ring = await RedisKeyRing.connect({ url, prefix, provider, logger: silent, refreshIntervalMs: 200, joinTimeoutMs: 5000 });
  // The same store either way: the cache tells it which sessions travel in stateless tickets (not stored).
  const store = createRedisSessionStore<ServerConnection>({ url, prefix, keyRing: ring.ring, logger: silent });
  const server = await startServer({
    certificates: [{ cert: cert.cert, key: cert.key }],
    crypto: provider,
    tickets,
    lookupTimeoutMs: LOOKUP_TIMEOUT_MS,
    ticketKeys: ring.ring,
    newSession: store.newSession,
    removeSession: store.removeSession,
    getSession: store.getSession,
    takeSession: store.takeSession,
  });
  return { store, ring, server };
}

async function stop(m: Member | undefined): Promise<void> {
  if (!m) return;
  await m.server.close();
  await m.store.close();
  await m.ring.close();
}

const ready = (m: Member) => m.store.client.status === 'ready' && m.ring.client.status === 'ready';

describe('faults: a private redis-server killed, restarted, paused', () => {
  let redis: PrivateRedis;
  let a: Member;
  let b: Member;
  const prefix = uniquePrefix('faults');

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    a = await member(redis.url, prefix, 'stateful');
    b = await member(redis.url, prefix, 'stateful');
  }, 30_000);
  afterAll(async () => {
    redis?.resume();
    await stop(a);
    await stop(b);
    await redis?.kill();
  }, 30_000);

  it('baseline: a stateful ticket made on A resumes on B', async () => {
    const first = await handshake(a.server.port);
    expect(first.reused).toBe(false);
    expect((await handshake(b.server.port, first.session)).reused).toBe(true);
  }, 30_000);

  it('Redis killed: every handshake still completes (full), errors are counted, no server error', async () => {
    const ticket = (await handshake(a.server.port)).session; // stored while Redis is up
    await redis.kill();
    await waitFor('the clients to notice', () => a.store.client.status !== 'ready' && b.store.client.status !== 'ready');
    const lookupsBefore = b.store.stats.lookups;
    for (let i = 0; i < 3; i++) {
      const fresh = await handshake(a.server.port); // its SET fails
      expect(fresh.reused).toBe(false);
      expect((await handshake(b.server.port, fresh.session)).reused).toBe(false); // its GET fails
    }
    expect((await handshake(b.server.port, ticket)).reused).toBe(false);
    expect(a.store.stats.storeErrors).toBeGreaterThanOrEqual(3);
    expect(b.store.stats.lookupErrors).toBeGreaterThanOrEqual(4);
    expect(b.store.stats.lookups - lookupsBefore).toBe(4);
    expect(b.store.stats.inFlight).toBe(0);
    expect(a.server.clientErrors).toEqual([]);
    expect(b.server.clientErrors).toEqual([]);
  }, 60_000);

  it('Redis restarted (empty): clients reconnect, the ring is republished with the same keys, resumption A → B works again', async () => {
    const keyBefore = a.ring.ring.currentKeyName();
    await redis.launch();
    await waitFor('reconnects', () => ready(a) && ready(b), 20_000);
    const admin = adminClient(redis.port);
    try {
      // The first ring to refresh republishes the keys it has; the other one adopts them.
      await waitFor(
        'the ring back in Redis',
        async () => {
          const v = await admin.get(`${prefix}ticket-keys`);
          return v !== null && (a.ring.stats.writes > 1 || b.ring.stats.writes > 0);
        },
        10_000,
      );
    } finally {
      admin.disconnect();
    }
    expect(a.ring.ring.currentKeyName()).toEqual(keyBefore);
    expect(b.ring.ring.currentKeyName()).toEqual(keyBefore);
    const made = await handshake(a.server.port);
    expect((await handshake(b.server.port, made.session)).reused).toBe(true);
    expect(a.server.clientErrors).toEqual([]);
    expect(b.server.clientErrors).toEqual([]);
  }, 60_000);

  it('Redis paused (SIGSTOP): the lookup on B ends at lookupTimeoutMs with a full handshake, while Redis is still paused', async () => {
    const made = await handshake(a.server.port);
    const timeoutsBefore = b.server.server.context.sessionStats.lookupTimeouts;
    redis.pause();
    try {
      const r = await handshake(b.server.port, made.session);
      expect(r.reused).toBe(false);
      expect(b.server.server.context.sessionStats.lookupTimeouts).toBe(timeoutsBefore + 1);
    } finally {
      redis.resume();
    }
    expect(b.server.clientErrors).toEqual([]);
  }, 60_000);

  it('Redis paused: at most maxInFlight commands wait; the rest are dropped and counted', async () => {
    const store = createRedisSessionStore({ url: redis.url, prefix, logger: silent, maxInFlight: 3 });
    try {
      await waitFor('the store to connect', () => store.client.status === 'ready');
      redis.pause();
      try {
        const conn = {};
        for (let i = 0; i < 5; i++) store.newSession(conn, storedSession(), STATEFUL);
        expect(await store.getSession(conn, new Uint8Array(32).fill(1))).toBeUndefined(); // dropped: an immediate miss
        expect(store.stats).toMatchObject({ stores: 5, dropped: 3, inFlight: 3 });
      } finally {
        redis.resume();
      }
      await waitFor('the paused commands to finish', () => store.stats.inFlight === 0);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('key rotation across the fleet (machine Redis)', () => {
  let a: Member;
  let b: Member;
  let admin: Redis;
  const prefix = uniquePrefix('rotation');

  beforeAll(async () => {
    admin = adminClient();
    a = await member(SHARED_REDIS_URL, prefix, 'stateless');
    b = await member(SHARED_REDIS_URL, prefix, 'stateless');
  }, 30_000);
  afterAll(async () => {
    await stop(a);
    await stop(b);
    await deletePrefix(admin, prefix);
    admin.disconnect();
  }, 30_000);

  it('stateless TLS 1.3 tickets resume across the fleet through the shared ring alone: their sessions never reach Redis', async () => {
    const made = await handshake(a.server.port);
    expect((await handshake(b.server.port, made.session)).reused).toBe(true);
    expect(a.store.stats.stores + b.store.stats.stores).toBe(0);
    expect(a.store.stats.lookups + b.store.stats.lookups).toBe(0);
    expect(await keysUnder(admin, `${prefix}s:`)).toEqual([]);
  }, 30_000);

  it('rotate on A: a ticket sealed before still opens on B; after the previous key is dropped it is a miss, not an error', async () => {
    const before = (await handshake(a.server.port)).session;
    expect((await handshake(b.server.port, before)).reused).toBe(true);

    await a.ring.rotate();
    const current = a.ring.ring.currentKeyName();
    await waitFor('B to pick up the rotation', () => Buffer.compare(b.ring.ring.currentKeyName(), current) === 0, 10_000);
    expect((await handshake(b.server.port, before)).reused).toBe(true);
    const after = (await handshake(b.server.port)).session;
    expect((await handshake(a.server.port, after)).reused).toBe(true);

    await a.ring.dropPrevious();
    await waitFor('B to drop the previous key', () => b.ring.ring.size === a.ring.ring.size && b.ring.ring.export().keys.every((k) => k.role !== 'previous'), 10_000);
    const missed = await handshake(b.server.port, before);
    expect(missed.reused).toBe(false);
    expect((await handshake(a.server.port, before)).reused).toBe(false);
    // Tickets sealed under the current key still resume everywhere.
    expect((await handshake(b.server.port, after)).reused).toBe(true);
    expect(a.server.clientErrors).toEqual([]);
    expect(b.server.clientErrors).toEqual([]);
    expect(a.ring.stats.errors + b.ring.stats.errors).toBe(0);
  }, 60_000);
});
