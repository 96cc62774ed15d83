/**
 * `createRedisSessionStore` against the machine's Redis (127.0.0.1:6379): what each callback sends
 * (SET PX / GET / GETDEL / DEL), sealing, key names, single use between two stores, the remove
 * reasons that must not delete, and two `SessionCache`s sharing sessions through it. Each test
 * uses its own key prefix and deletes its keys.
 */
import { createNobleProvider } from '@puretls/crypto';
import {
  SessionCache,
  TicketKeyRing,
  decodeSession,
  encodeSession,
  type RemoveReason,
  type Session,
} from '@puretls/session-cache';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisSessionStore, parseRedisUrl, type RedisSessionStore } from '../src/index';
import { CONTEXT_ID, SHARED_REDIS_URL, adminClient, deletePrefix, freePort, tls12Session, tls13Session, uniquePrefix } from './helpers';

let admin: Redis;
const stores: RedisSessionStore<unknown>[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  admin = adminClient();
  expect(await admin.ping()).toBe('PONG');
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const p of prefixes.splice(0)) await deletePrefix(admin, p);
});
afterAll(() => {
  admin.disconnect();
});

const conn = { context: { contextId: CONTEXT_ID } };
const silent = { warn: () => {} };

function makeStore(tag: string, over: Partial<Parameters<typeof createRedisSessionStore>[0]> = {}): RedisSessionStore<unknown> {
  const prefix = over.prefix ?? uniquePrefix(tag);
  prefixes.push(prefix);
  const s = createRedisSessionStore({ url: SHARED_REDIS_URL, prefix, logger: silent, ...over });
  stores.push(s);
  return s;
}

async function ready(s: RedisSessionStore<unknown>): Promise<void> {
  // The store's client has no offline queue: commands sent before it connected fail (a miss).
  for (let i = 0; i < 250 && s.client.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(s.client.status).toBe('ready');
}

/** Waits until the store's fire-and-forget commands were answered (bounded). */
async function settled(s: RedisSessionStore<unknown>): Promise<void> {
  for (let i = 0; i < 250 && s.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(s.stats.inFlight).toBe(0);
}

describe('callbacks → Redis commands', () => {
  it('newSession: SET <prefix>s:<context hex>:<id hex> with PX = the remaining lifetime; get returns an equal session', async () => {
    const s = makeStore('set');
    await ready(s);
    const session = tls13Session({ createdAt: Date.now() - 100_000, timeout: 300 });
    s.newSession(conn, session);
    await settled(s);
    const key = s.keyOf(CONTEXT_ID, session.id);
    expect(key).toBe(`${s.prefix}s:${Buffer.from(CONTEXT_ID).toString('hex')}:${Buffer.from(session.id).toString('hex')}`);
    const pttl = await admin.pttl(key);
    expect(pttl).toBeGreaterThan(150_000);
    expect(pttl).toBeLessThanOrEqual(200_000);
    // Unsealed without a key ring: the value is encodeSession's bytes.
    expect(new Uint8Array((await admin.getBuffer(key))!)).toEqual(encodeSession(session));
    const got = await s.getSession(conn, session.id.slice());
    expect(got).toMatchObject({ copy: false });
    expect(encodeSession((got as { session: Session }).session)).toEqual(encodeSession(session));
    expect(s.stats).toMatchObject({ stores: 1, storeErrors: 0, lookups: 1, hits: 1, misses: 0 });
  });

  it('an expired session is not stored; an unknown id and another context are misses', async () => {
    const s = makeStore('miss');
    await ready(s);
    s.newSession(conn, tls12Session({ createdAt: Date.now() - 301_000, timeout: 300 }));
    const session = tls12Session();
    s.newSession(conn, session);
    await settled(s);
    expect(s.stats.stores).toBe(1);
    expect(await s.getSession(conn, tls12Session().id)).toBeUndefined();
    expect(await s.getSession({ context: { contextId: new Uint8Array(32) } }, session.id)).toBeUndefined();
    expect(await s.getSession(conn, session.id)).toBeDefined();
    expect(s.stats).toMatchObject({ lookups: 3, hits: 1, misses: 2 });
  });

  it('with a key ring the value is sealed: no secret in Redis, and a store without the keys cannot read it', async () => {
    const ring = new TicketKeyRing(createNobleProvider(), { now: Date.now });
    const prefix = uniquePrefix('sealed');
    const s = makeStore('sealed', { prefix, keyRing: ring });
    await ready(s);
    const session = tls12Session({ secret: new Uint8Array(48).fill(0xab) });
    s.newSession(conn, session);
    await settled(s);
    const raw = (await admin.getBuffer(s.keyOf(CONTEXT_ID, session.id)))!;
    expect(raw.includes(Buffer.alloc(8, 0xab))).toBe(false);
    expect(() => decodeSession(new Uint8Array(raw))).toThrow();
    const got = (await s.getSession(conn, session.id)) as { session: Session };
    expect(got.session.secret).toEqual(session.secret);

    const otherRing = makeStore('sealed', { prefix, keyRing: new TicketKeyRing(createNobleProvider(), { now: Date.now }) });
    const plain = makeStore('sealed', { prefix });
    await ready(otherRing);
    await ready(plain);
    expect(await otherRing.getSession(conn, session.id)).toBeUndefined();
    expect(await plain.getSession(conn, session.id)).toBeUndefined();
    expect(otherRing.stats).toMatchObject({ badValues: 1, misses: 1 });
    expect(plain.stats).toMatchObject({ badValues: 1, misses: 1 });
  });

  it('a value stored under another id (moved key) or garbage is a miss, never an error', async () => {
    const s = makeStore('garbage');
    await ready(s);
    const a = tls12Session();
    const b = tls12Session();
    await admin.set(s.keyOf(CONTEXT_ID, b.id), Buffer.from(encodeSession(a)));
    const c = tls12Session();
    await admin.set(s.keyOf(CONTEXT_ID, c.id), Buffer.from('not a session'));
    expect(await s.getSession(conn, b.id)).toBeUndefined();
    expect(await s.getSession(conn, c.id)).toBeUndefined();
    expect(s.stats).toMatchObject({ badValues: 2, misses: 2, lookupErrors: 0 });
  });

  it('takeSession: GETDEL — true once, then false; two stores taking one session at once: exactly one wins', async () => {
    const prefix = uniquePrefix('take');
    const a = makeStore('take', { prefix });
    const b = makeStore('take', { prefix });
    await ready(a);
    await ready(b);
    const one = tls13Session();
    a.newSession(conn, one);
    await settled(a);
    expect(await a.takeSession(conn, one.id)).toBe(true);
    expect(await a.takeSession(conn, one.id)).toBe(false);
    expect(await admin.exists(a.keyOf(CONTEXT_ID, one.id))).toBe(0);

    for (let round = 0; round < 20; round++) {
      const s = tls13Session();
      a.newSession(conn, s);
      await settled(a);
      const results = await Promise.all([a.takeSession(conn, s.id), b.takeSession(conn, s.id)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    expect(a.stats.taken + b.stats.taken).toBe(21);
    expect(a.stats.takeMisses + b.stats.takeMisses).toBe(21);
  });

  it('removeSession: DEL for invalidating reasons; not for replaced, evicted or contextClosed', async () => {
    const s = makeStore('remove');
    await ready(s);
    const cache = new SessionCache({ now: Date.now });
    const reasons: RemoveReason[] = ['expired', 'evicted', 'rejected', 'consumed', 'fatalAlert', 'uncleanShutdown', 'removed', 'contextClosed', 'replaced'];
    const sessions = reasons.map(() => tls12Session());
    for (const x of sessions) s.newSession(conn, x);
    await settled(s);
    reasons.forEach((r, i) => s.removeSession(cache, sessions[i]!, r));
    await settled(s);
    const left = await Promise.all(sessions.map(async (x) => (await admin.exists(s.keyOf(CONTEXT_ID, x.id))) === 1));
    expect(Object.fromEntries(reasons.map((r, i) => [r, left[i]]))).toEqual({
      expired: false,
      evicted: true,
      rejected: false,
      consumed: false,
      fatalAlert: false,
      uncleanShutdown: false,
      removed: false,
      contextClosed: true,
      replaced: true,
    });
    expect(s.stats.deletes).toBe(6);
  });
});

describe('two SessionCaches (two servers) sharing the store', () => {
  it('a session made on A is an external hit on B; single use: after B took it, A cannot', async () => {
    const prefix = uniquePrefix('caches');
    const ring = new TicketKeyRing(createNobleProvider(), { now: Date.now });
    const sa = makeStore('caches', { prefix, keyRing: ring });
    const sb = makeStore('caches', { prefix, keyRing: ring });
    await ready(sa);
    await ready(sb);
    const cacheA = new SessionCache<unknown>({ now: Date.now, lookupTimeoutMs: 2000, logger: silent, ...pick(sa) });
    const cacheB = new SessionCache<unknown>({ now: Date.now, lookupTimeoutMs: 2000, logger: silent, ...pick(sb) });
    const session = cacheA.createSession({ id: tls13Session().id, version: 0x0304, cipherSuite: 0x1301, secret: new Uint8Array(32).fill(1), contextId: CONTEXT_ID, serverName: 'localhost' });
    cacheA.newSession(conn, session);
    await settled(sa);
    const ctx = { version: 0x0304 as const, contextId: CONTEXT_ID, serverName: 'localhost', cipherSuite: 0x1301 };
    const hit = await cacheB.lookup(conn, session.id, ctx);
    expect(hit).toMatchObject({ kind: 'hit', source: 'external' });
    expect(await cacheB.take(conn, (hit as { session: Session }).session)).toBe(true);
    // A still has it in its internal store, but the take goes to Redis: already gone.
    const onA = cacheA.lookup(conn, session.id, ctx);
    expect(onA).toMatchObject({ kind: 'hit', source: 'internal' });
    expect(await cacheA.take(conn, (onA as { session: Session }).session)).toBe(false);
    expect(cacheA.stats.replaysRejected).toBe(1);
  });
});

describe('faults (no Redis at all)', () => {
  it('a Redis that is not there: lookups miss at once, stores and deletes are counted errors, nothing throws', async () => {
    const port = await freePort();
    const s = makeStore('down', { url: `redis://127.0.0.1:${port}/0` });
    const session = tls12Session();
    const t0 = Date.now();
    expect(() => s.newSession(conn, session)).not.toThrow();
    expect(await s.getSession(conn, session.id)).toBeUndefined();
    s.removeSession(new SessionCache({ now: Date.now }), session, 'removed');
    await expect(s.takeSession(conn, session.id)).rejects.toThrow();
    await settled(s);
    expect(Date.now() - t0).toBeLessThan(5000); // no offline queue: nothing waits for a connection
    expect(s.stats).toMatchObject({ stores: 1, storeErrors: 1, lookups: 1, lookupErrors: 1, deletes: 1, deleteErrors: 1, takes: 1, takeErrors: 1, inFlight: 0 });
  });
});

describe('options', () => {
  it('parseRedisUrl: host, port, db, credentials, tls, prefix', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/3?prefix=app1:')).toEqual({ options: { host: '127.0.0.1', port: 6380, db: 3 }, prefix: 'app1:' });
    expect(parseRedisUrl('rediss://u:p%40ss@[::1]')).toEqual({ options: { host: '::1', port: 6379, db: 0, username: 'u', password: 'p@ss', tls: { servername: '::1' } }, prefix: undefined });
    for (const bad of ['http://x', 'redis://h/x', 'redis://h:0', 'redis://h/1?db=2', 'redis://h/1?prefix=', 'nonsense']) expect(() => parseRedisUrl(bad)).toThrow(RangeError);
  });
  it('createRedisSessionStore checks its options', () => {
    expect(() => createRedisSessionStore({})).toThrow(TypeError);
    expect(() => createRedisSessionStore({ url: SHARED_REDIS_URL, maxInFlight: 0 })).toThrow(RangeError);
    expect(() => createRedisSessionStore({ url: SHARED_REDIS_URL, prefix: '' })).toThrow(RangeError);
  });
  it('the prefix comes from the URL unless given', () => {
    const s = makeStore('url', { prefix: undefined as unknown as string, url: `${SHARED_REDIS_URL}?prefix=from-url:` });
    expect(s.prefix).toBe('from-url:');
  });
});

function pick(s: RedisSessionStore<unknown>) {
  return { newSession: s.newSession, removeSession: s.removeSession, getSession: s.getSession, takeSession: s.takeSession };
}

describe('tls13Sessions: false (servers with stateless TLS 1.3 tickets)', () => {
  it('stores TLS 1.2 sessions only', async () => {
    const s = makeStore('tls13off', { tls13Sessions: false });
    await ready(s);
    const t13 = tls13Session();
    const t12 = tls12Session();
    s.newSession(conn, t13);
    s.newSession(conn, t12);
    await settled(s);
    expect(s.stats.stores).toBe(1);
    expect(await admin.exists(s.keyOf(CONTEXT_ID, t13.id))).toBe(0);
    expect(await admin.exists(s.keyOf(CONTEXT_ID, t12.id))).toBe(1);
  });
});
