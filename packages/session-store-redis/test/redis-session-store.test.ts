/**
 * `createRedisSessionStore` against the machine's Redis (127.0.0.1:6379): what each callback sends
 * (SET PX / GET / GETDEL / DEL), sealing, key names (one per session id), sessions of stateless
 * tickets never stored, single use between two stores, the remove reasons that must not delete,
 * option checks, and two `SessionCache`s sharing sessions through it. Each test uses its own key
 * prefix and deletes its keys.
 */
import { createNobleProvider } from '@puretls/crypto';
import {
  SessionCache,
  TicketKeyRing,
  decodeSession,
  encodeSession,
  type LookupHit,
  type RemoveReason,
  type Session,
} from '@puretls/session-cache';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisSessionStore, parseRedisUrl, type RedisSessionStore } from '../src/index';
import { SHARED_REDIS_URL, STATEFUL, STATELESS, adminClient, cacheOptions, deletePrefix, freePort, keysUnder, state, storedSession, ticketSession, uniquePrefix } from './helpers';

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

const conn = { id: 'conn-1' };
const silent = { warn: () => {} };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

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
  it('newSession: SET <prefix>s:<id hex> with PX = the remaining lifetime; get returns an equal session', async () => {
    const s = makeStore('set');
    await ready(s);
    const session = ticketSession({ createdAt: Date.now() - 100_000, timeout: 300 });
    s.newSession(conn, session, STATEFUL);
    await settled(s);
    const key = s.keyOf(session.id);
    expect(key).toBe(`${s.prefix}s:${hex(session.id)}`);
    expect(await keysUnder(admin, s.prefix)).toEqual([key]);
    const pttl = await admin.pttl(key);
    expect(pttl).toBeGreaterThan(150_000);
    expect(pttl).toBeLessThanOrEqual(200_000);
    // Unsealed without a key ring: the value is encodeSession's bytes.
    expect(new Uint8Array((await admin.getBuffer(key))!)).toEqual(encodeSession(session));
    const got = await s.getSession(conn, session.id.slice());
    expect(got).toMatchObject({ copy: false });
    expect((got as { session: Session }).session).toEqual(session);
    expect(s.stats).toMatchObject({ stores: 1, storeErrors: 0, lookups: 1, hits: 1, misses: 0 });
  });

  it('the TTL is the session’s own timeout (no 7-day cap in the store: the handshake bounds ticket lifetimes)', async () => {
    const s = makeStore('ttl');
    await ready(s);
    const session = storedSession({ timeout: 10 * 86400 });
    s.newSession(conn, session, STATEFUL);
    await settled(s);
    expect(await admin.pttl(s.keyOf(session.id))).toBeGreaterThan(10 * 86400_000 - 60_000);
  });

  it('keys are per session id: every id its own key, for ids of 1 to 32 bytes; the connection plays no part in a lookup', async () => {
    const s = makeStore('per-id');
    await ready(s);
    const sessions = [storedSession({ id: Uint8Array.of(7) }), storedSession({ id: new Uint8Array(16).fill(0xee) }), storedSession(), ticketSession()];
    for (const x of sessions) s.newSession(conn, x, STATEFUL);
    await settled(s);
    expect(s.keyOf(Uint8Array.of(7))).toBe(`${s.prefix}s:07`);
    expect(await keysUnder(admin, s.prefix)).toEqual(sessions.map((x) => `${s.prefix}s:${hex(x.id)}`).sort());
    for (const x of sessions) {
      for (const who of [conn, { other: true }, null, undefined]) {
        expect(((await s.getSession(who, x.id)) as { session: Session }).session).toEqual(x);
      }
    }
    // A prefix or an extension of a stored id is another key.
    expect(await s.getSession(conn, sessions[1]!.id.subarray(0, 15))).toBeUndefined();
    expect(await s.getSession(conn, new Uint8Array(17).fill(0xee))).toBeUndefined();
  });

  it('a newer session under the same id overwrites the key (SET), and the older one’s replaced does not delete it', async () => {
    const s = makeStore('same-id');
    await ready(s);
    const old = storedSession();
    const newer = createSessionLike(old, state(90, 1));
    s.newSession(conn, old, STATEFUL);
    s.newSession(conn, newer, STATEFUL);
    await settled(s);
    s.removeSession(new SessionCache(cacheOptions()), old, 'replaced');
    await settled(s);
    expect(((await s.getSession(conn, old.id)) as { session: Session }).session).toEqual(newer);
    expect(await keysUnder(admin, s.prefix)).toHaveLength(1);
  });

  it('sessions of stateless tickets (info.stateless) are never stored: they carry themselves', async () => {
    const s = makeStore('stateless');
    await ready(s);
    const inTicket = storedSession();
    const byId = storedSession();
    s.newSession(conn, inTicket, STATELESS);
    s.newSession(conn, byId, STATEFUL);
    await settled(s);
    expect(s.stats.stores).toBe(1);
    expect(await keysUnder(admin, s.prefix)).toEqual([s.keyOf(byId.id)]);
    expect(await admin.exists(s.keyOf(inTicket.id))).toBe(0);
  });

  it('an expired session is not stored; an unknown id is a miss', async () => {
    const s = makeStore('miss');
    await ready(s);
    const gone = storedSession({ createdAt: Date.now() - 301_000, timeout: 300 });
    s.newSession(conn, gone, STATEFUL);
    const session = storedSession();
    s.newSession(conn, session, STATEFUL);
    await settled(s);
    expect(s.stats.stores).toBe(1);
    expect(await admin.exists(s.keyOf(gone.id))).toBe(0);
    expect(await s.getSession(conn, storedSession().id)).toBeUndefined();
    expect(await s.getSession(conn, session.id)).toBeDefined();
    expect(s.stats).toMatchObject({ lookups: 2, hits: 1, misses: 1 });
  });

  it('with a key ring the value is sealed: no state (nor the secret in it) in Redis, and a store without the keys cannot read it', async () => {
    const ring = new TicketKeyRing(createNobleProvider(), { now: Date.now });
    const prefix = uniquePrefix('sealed');
    const s = makeStore('sealed', { prefix, keyRing: ring });
    await ready(s);
    const session = storedSession({ state: state(120, 0xab) });
    s.newSession(conn, session, STATEFUL);
    await settled(s);
    const raw = (await admin.getBuffer(s.keyOf(session.id)))!;
    expect(raw.includes(Buffer.alloc(8, 0xab))).toBe(false);
    expect(() => decodeSession(new Uint8Array(raw))).toThrow();
    const got = (await s.getSession(conn, session.id)) as { session: Session };
    expect(got.session).toEqual(session);

    const otherRing = makeStore('sealed', { prefix, keyRing: new TicketKeyRing(createNobleProvider(), { now: Date.now }) });
    const plain = makeStore('sealed', { prefix });
    await ready(otherRing);
    await ready(plain);
    expect(await otherRing.getSession(conn, session.id)).toBeUndefined();
    expect(await plain.getSession(conn, session.id)).toBeUndefined();
    expect(otherRing.stats).toMatchObject({ badValues: 1, misses: 1 });
    expect(plain.stats).toMatchObject({ badValues: 1, misses: 1 });
  });

  it('a value stored under another id (moved key), a sealed value moved, an old-format value or garbage is a miss, never an error', async () => {
    const ring = new TicketKeyRing(createNobleProvider(), { now: Date.now });
    const s = makeStore('garbage');
    const sealed = makeStore('garbage', { keyRing: ring });
    await ready(s);
    await ready(sealed);
    const a = storedSession();
    const b = storedSession();
    await admin.set(s.keyOf(b.id), Buffer.from(encodeSession(a)));
    const c = storedSession();
    await admin.set(s.keyOf(c.id), Buffer.from('not a session'));
    const d = storedSession();
    const oldFormat = encodeSession(d);
    oldFormat[0] = 1; // format 1: sessions written before they became opaque
    await admin.set(s.keyOf(d.id), Buffer.from(oldFormat));
    expect(await s.getSession(conn, b.id)).toBeUndefined();
    expect(await s.getSession(conn, c.id)).toBeUndefined();
    expect(await s.getSession(conn, d.id)).toBeUndefined();
    expect(s.stats).toMatchObject({ badValues: 3, misses: 3, lookupErrors: 0 });
    // Sealed under a's id, moved to b's key: the id is the associated data.
    sealed.newSession(conn, a, STATEFUL);
    await settled(sealed);
    await admin.set(sealed.keyOf(b.id), (await admin.getBuffer(sealed.keyOf(a.id)))!);
    expect(await sealed.getSession(conn, b.id)).toBeUndefined();
    expect(await sealed.getSession(conn, a.id)).toBeDefined();
    expect(sealed.stats).toMatchObject({ badValues: 1, misses: 1, hits: 1 });
  });

  it('takeSession: GETDEL — true once, then false; two stores taking one session at once: exactly one wins', async () => {
    const prefix = uniquePrefix('take');
    const a = makeStore('take', { prefix });
    const b = makeStore('take', { prefix });
    await ready(a);
    await ready(b);
    const one = ticketSession();
    a.newSession(conn, one, STATEFUL);
    await settled(a);
    expect(await a.takeSession(conn, one.id)).toBe(true);
    expect(await a.takeSession(conn, one.id)).toBe(false);
    expect(await admin.exists(a.keyOf(one.id))).toBe(0);

    for (let round = 0; round < 20; round++) {
      const s = ticketSession();
      a.newSession(conn, s, STATEFUL);
      await settled(a);
      const results = await Promise.all([a.takeSession(conn, s.id), b.takeSession(conn, s.id)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    expect(a.stats.taken + b.stats.taken).toBe(21);
    expect(a.stats.takeMisses + b.stats.takeMisses).toBe(21);
  });

  it('removeSession: DEL <prefix>s:<id hex> for invalidating reasons; not for replaced, evicted or contextClosed', async () => {
    const s = makeStore('remove');
    await ready(s);
    const cache = new SessionCache(cacheOptions());
    const reasons: RemoveReason[] = ['expired', 'evicted', 'rejected', 'consumed', 'fatalAlert', 'uncleanShutdown', 'removed', 'contextClosed', 'replaced'];
    const sessions = reasons.map(() => storedSession());
    for (const x of sessions) s.newSession(conn, x, STATEFUL);
    await settled(s);
    reasons.forEach((r, i) => s.removeSession(cache, sessions[i]!, r));
    await settled(s);
    const left = await Promise.all(sessions.map(async (x) => (await admin.exists(s.keyOf(x.id))) === 1));
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
  it('a session made on A is an external hit on B (cbHits once the handshake accepts it); single use: after B took it, A cannot', async () => {
    const prefix = uniquePrefix('caches');
    const ring = new TicketKeyRing(createNobleProvider(), { now: Date.now });
    const sa = makeStore('caches', { prefix, keyRing: ring });
    const sb = makeStore('caches', { prefix, keyRing: ring });
    await ready(sa);
    await ready(sb);
    const cacheA = new SessionCache<unknown>({ ...cacheOptions(), lookupTimeoutMs: 2000, ...pick(sa) });
    const cacheB = new SessionCache<unknown>({ ...cacheOptions(), lookupTimeoutMs: 2000, ...pick(sb) });
    const session = cacheA.createSession({ id: ticketSession().id, singleUse: true, state: state(100, 3) });
    cacheA.newSession(conn, session);
    await settled(sa);
    const hit = (await cacheB.lookup(conn, session.id)) as LookupHit;
    expect(hit).toMatchObject({ kind: 'hit', source: 'external', shared: false });
    expect(hit.session).toEqual(session);
    expect(cacheB.stats.cbHits).toBe(0);
    expect(await cacheB.take(conn, hit.session)).toBe(true);
    cacheB.accept(hit);
    expect(cacheB.stats.cbHits).toBe(1);
    expect(cacheB.size).toBe(0); // taken: not kept on B either
    // A still has it in its internal store, but the take goes to Redis: already gone.
    const onA = cacheA.lookup(conn, session.id) as LookupHit;
    expect(onA).toMatchObject({ kind: 'hit', source: 'internal' });
    expect(await cacheA.take(conn, onA.session)).toBe(false);
    cacheA.refuse(onA, 'notTaken');
    expect(cacheA.stats).toMatchObject({ replaysRejected: 1, hits: 0, misses: 1 });
    cacheA.close();
    cacheB.close();
  });

  it('a reusable session made on A resumes on B again and again, and B keeps it internally after the first accept', async () => {
    const prefix = uniquePrefix('caches-reuse');
    const sa = makeStore('caches-reuse', { prefix });
    const sb = makeStore('caches-reuse', { prefix });
    await ready(sa);
    await ready(sb);
    const cacheA = new SessionCache<unknown>({ ...cacheOptions(), lookupTimeoutMs: 2000, ...pick(sa) });
    const cacheB = new SessionCache<unknown>({ ...cacheOptions(), lookupTimeoutMs: 2000, ...pick(sb) });
    const session = cacheA.createSession({ id: storedSession().id, state: state() });
    cacheA.newSession(conn, session);
    await settled(sa);
    const first = (await cacheB.lookup(conn, session.id)) as LookupHit;
    cacheB.refuse(first, 'mismatch'); // refused: not kept on B
    expect(cacheB.size).toBe(0);
    cacheB.accept((await cacheB.lookup(conn, session.id)) as LookupHit);
    expect(cacheB.peek(session.id)).toEqual(session);
    expect(cacheB.lookup(conn, session.id)).toMatchObject({ kind: 'hit', source: 'internal' });
    expect(sb.stats.lookups).toBe(2);
    expect(cacheB.stats).toMatchObject({ cbHits: 1, misses: 1 });
    // An invalidation on B reaches Redis (DEL): no server finds the session by id any more.
    cacheB.connectionEnded([cacheB.peek(session.id)!], 'fatalAlert');
    await settled(sb);
    expect(await admin.exists(sb.keyOf(session.id))).toBe(0);
    cacheA.close();
    cacheB.close();
  });

  it('through a SessionCache, a stateless ticket’s session (newSession with stateless) never reaches Redis', async () => {
    const s = makeStore('cache-stateless');
    await ready(s);
    const cache = new SessionCache<unknown>({ ...cacheOptions(), ...pick(s) });
    const inTicket = cache.createSession({ id: storedSession().id, state: state() });
    const byId = cache.createSession({ id: storedSession().id, state: state() });
    cache.newSession(conn, inTicket, { store: false, stateless: true });
    cache.newSession(conn, byId);
    await settled(s);
    expect(await keysUnder(admin, s.prefix)).toEqual([s.keyOf(byId.id)]);
    cache.close();
  });
});

describe('faults (no Redis at all)', () => {
  it('a Redis that is not there: lookups miss at once, stores and deletes are counted errors, nothing throws', async () => {
    const port = await freePort();
    const s = makeStore('down', { url: `redis://127.0.0.1:${port}/0` });
    const session = storedSession();
    const t0 = Date.now();
    expect(() => s.newSession(conn, session, STATEFUL)).not.toThrow();
    expect(await s.getSession(conn, session.id)).toBeUndefined();
    s.removeSession(new SessionCache(cacheOptions()), session, 'removed');
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
    expect(() => createRedisSessionStore(undefined as never)).toThrow(TypeError);
    expect(() => createRedisSessionStore({})).toThrow(TypeError);
    expect(() => createRedisSessionStore({ url: SHARED_REDIS_URL, maxInFlight: 0 })).toThrow(/"maxInFlight"/);
    expect(() => createRedisSessionStore({ url: SHARED_REDIS_URL, prefix: '' })).toThrow(RangeError);
    expect(() => createRedisSessionStore({ url: SHARED_REDIS_URL, now: 5 as never })).toThrow(/"now"/);
  });
  it('unknown options are a TypeError naming them — among them the removed contextId and tls13Sessions, and misspellings', () => {
    for (const [name, value] of [
      ['contextId', new Uint8Array(32)],
      ['tls13Sessions', false],
      ['tls13Sessions', undefined],
      ['keyring', {}],
      ['maxInflight', 10],
    ] as const) {
      const run = () => createRedisSessionStore({ url: SHARED_REDIS_URL, [name]: value } as never);
      expect(run, name).toThrow(TypeError);
      expect(run, name).toThrow(`unknown option "${name}"`);
    }
  });
  it('the prefix comes from the URL unless given', () => {
    const s = makeStore('url', { prefix: undefined as unknown as string, url: `${SHARED_REDIS_URL}?prefix=from-url:` });
    expect(s.prefix).toBe('from-url:');
    expect(s.keyOf(Uint8Array.of(0xab, 0xcd))).toBe('from-url:s:abcd');
  });
});

function pick(s: RedisSessionStore<unknown>) {
  return { newSession: s.newSession, removeSession: s.removeSession, getSession: s.getSession, takeSession: s.takeSession };
}

/** Another session object with `old`'s id and times but other state (what `add` would call a replacement). */
function createSessionLike(old: Session, st: Uint8Array): Session {
  return storedSession({ id: old.id, createdAt: old.createdAt, timeout: old.timeout, state: st });
}
