import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUTO_FLUSH_INTERVAL,
  DEFAULT_AUTH_TIMEOUT,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TIMEOUT,
  SessionCache,
  createSession,
  sessionCost,
  withFields,
  type LookupResult,
  type Session,
  type SetTimer,
} from '../src/index';
import { CONTEXT_ID, FakeClock, ctx12, ctx13, newId, recordingCache, tls12, tls13 } from './helpers';

const conn = 'conn-1';

function hit(r: LookupResult | Promise<LookupResult>): Session {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  if (r.kind !== 'hit') throw new Error(`expected a hit, got ${JSON.stringify(r)}`);
  return r.session;
}
function sync(r: LookupResult | Promise<LookupResult>): LookupResult {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
}

/** A manual timer: `fire()` runs every pending callback (as if the deadline passed). */
function manualTimer(): { setTimer: SetTimer; fire: () => void; pending: () => number } {
  const timers = new Set<() => void>();
  return {
    setTimer: (_ms, fn) => {
      timers.add(fn);
      return () => timers.delete(fn);
    },
    fire: () => {
      for (const f of [...timers]) {
        timers.delete(f);
        f();
      }
    },
    pending: () => timers.size,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('§4 defaults and options', () => {
  it('defaults: mode server, maxEntries 20480, timeout 7200 s, authTimeout 7 days, lookupTimeoutMs 50', () => {
    const c = new SessionCache({ now: () => 0 });
    expect(c.getMode()).toEqual(['server']);
    expect(c.maxEntries).toBe(DEFAULT_MAX_ENTRIES);
    expect(DEFAULT_MAX_ENTRIES).toBe(20480);
    expect(c.timeout).toBe(DEFAULT_TIMEOUT);
    expect(DEFAULT_TIMEOUT).toBe(7200);
    expect(c.authTimeout).toBe(DEFAULT_AUTH_TIMEOUT);
    expect(DEFAULT_AUTH_TIMEOUT).toBe(604800);
    expect(c.lookupTimeoutMs).toBe(DEFAULT_LOOKUP_TIMEOUT_MS);
    expect(DEFAULT_LOOKUP_TIMEOUT_MS).toBe(50);
    expect(c.maxBytes).toBe(0);
    expect(c.removeOnUncleanShutdown).toBe(true);
  });
  it('options are checked once, in the constructor (API misuse → TypeError/RangeError)', () => {
    expect(() => new SessionCache({} as never)).toThrow(TypeError);
    expect(() => new SessionCache({ now: () => 0, maxEntries: -1 })).toThrow(RangeError);
    expect(() => new SessionCache({ now: () => 0, timeout: 1.5 })).toThrow(RangeError);
    expect(() => new SessionCache({ now: () => 0, mode: ['off', 'server'] })).toThrow(RangeError);
    expect(() => new SessionCache({ now: () => 0, mode: 'bogus' as never })).toThrow(RangeError);
    expect(() => new SessionCache({ now: () => 0, newSession: 42 as never })).toThrow(TypeError);
  });
  it('timeout is copied into new sessions; changing it later does not touch existing sessions', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const a = cache.createSession({ id: newId(), version: 0x0304, cipherSuite: 0x1301, secret: new Uint8Array(32) });
    expect(a.timeout).toBe(7200);
    expect(a.createdAt).toBe(clock.t);
    expect(a.authTime).toBe(clock.t);
    cache.add(a);
    cache.timeout = 10;
    const b = cache.createSession({ id: newId(), version: 0x0304, cipherSuite: 0x1301, secret: new Uint8Array(32) });
    expect(b.timeout).toBe(10);
    clock.advance(11_000);
    cache.add(b);
    expect(cache.flush()).toBe(1); // b (10 s) expired; a keeps its own 7200 s
    expect(cache.peek(a.id)).toBe(a);
  });
});

describe('§3 callbacks: setters, getters, options', () => {
  it('getters return undefined when none is set and the function once set (setter or option)', () => {
    const c = new SessionCache({ now: () => 0 });
    expect(c.getNewSessionCallback()).toBeUndefined();
    expect(c.getRemoveSessionCallback()).toBeUndefined();
    expect(c.getGetSessionCallback()).toBeUndefined();
    expect(c.getTakeSessionCallback()).toBeUndefined();
    const n = (): void => {}, r = (): void => {}, g = (): undefined => undefined, t = (): boolean => true;
    c.setNewSessionCallback(n);
    c.setRemoveSessionCallback(r);
    c.setGetSessionCallback(g);
    c.setTakeSessionCallback(t);
    expect(c.getNewSessionCallback()).toBe(n);
    expect(c.getRemoveSessionCallback()).toBe(r);
    expect(c.getGetSessionCallback()).toBe(g);
    expect(c.getTakeSessionCallback()).toBe(t);
    c.setNewSessionCallback(undefined);
    expect(c.getNewSessionCallback()).toBeUndefined();
    const viaOptions = new SessionCache({ now: () => 0, newSession: n, removeSession: r, getSession: g, takeSession: t });
    expect(viaOptions.getNewSessionCallback()).toBe(n);
    expect(viaOptions.getRemoveSessionCallback()).toBe(r);
    expect(viaOptions.getGetSessionCallback()).toBe(g);
    expect(viaOptions.getTakeSessionCallback()).toBe(t);
  });
});

describe('§3 new session callback', () => {
  it('the session enters the internal cache before the callback runs', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    let seenInside: Session | undefined;
    const { cache } = recordingCache(clock, { newSession: () => void (seenInside = cache.peek(s.id)) });
    expect(cache.newSession(conn, s)).toBe(true);
    expect(seenInside).toBe(s);
    expect(cache.size).toBe(1);
  });
  it('is called with (conn, session) for every newSession event', () => {
    const clock = new FakeClock();
    const calls: [string, Session][] = [];
    const { cache } = recordingCache(clock, { newSession: (c, s) => void calls.push([c, s]) });
    const a = tls13(clock), b = tls13(clock);
    cache.newSession('c1', a);
    cache.newSession('c1', b); // TLS 1.3: once per ticket
    expect(calls).toEqual([['c1', a], ['c1', b]]);
  });
  it('returning false removes the session again (reason rejected) and marks it not resumable', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    expect(cache.newSession(conn, s)).toBe(false);
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
    // not resumable: even a store that hands it back gets a miss
    cache.setGetSessionCallback(() => s);
    expect(sync(cache.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'miss', why: 'notResumable' });
    expect(cache.add(s)).toBe(false);
  });
  it('returning a promise of false removes it (reason rejected) once the promise settles', async () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache, removed } = recordingCache(clock, { newSession: async () => false });
    const r = cache.newSession(conn, s);
    expect(r).toBeInstanceOf(Promise);
    expect(cache.size).toBe(1); // stored before the callback
    await expect(r).resolves.toBe(false);
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('anything else (true, undefined, a promise of true) keeps it', async () => {
    const clock = new FakeClock();
    for (const answer of [true, undefined, Promise.resolve(true), Promise.resolve(undefined)]) {
      const { cache, removed } = recordingCache(clock, { newSession: () => answer as never });
      const s = tls12(clock);
      expect(await cache.newSession(conn, s)).toBe(true);
      expect(cache.peek(s.id)).toBe(s);
      expect(removed).toEqual([]);
    }
  });
  it('a thrown error is caught, counted in callbackErrors and logged; the session is kept', () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, {
      newSession: () => {
        throw new Error('store down');
      },
    });
    const s = tls12(clock);
    expect(cache.newSession(conn, s)).toBe(true);
    expect(cache.stats.callbackErrors).toBe(1);
    expect(warnings).toEqual(['new-session callback threw']);
    expect(cache.peek(s.id)).toBe(s);
  });
  it('a rejected promise is caught, counted and logged; the returned promise never rejects', async () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, { newSession: () => Promise.reject(new Error('nope')) });
    await expect(cache.newSession(conn, tls12(clock))).resolves.toBe(true);
    expect(cache.stats.callbackErrors).toBe(1);
    expect(warnings).toEqual(['new-session callback rejected']);
  });
  it('is not called when the mode is off (and nothing is stored)', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { mode: 'off', newSession: cb });
    expect(cache.newSession(conn, tls12(clock))).toBe(false);
    expect(cb).not.toHaveBeenCalled();
    expect(cache.size).toBe(0);
    expect(cache.storesSessions).toBe(false);
  });
  it('noInternalStore: the callback runs, nothing enters the internal cache', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { mode: ['server', 'noInternalStore'], newSession: cb });
    expect(cache.newSession(conn, tls12(clock))).toBe(true);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(0);
  });
});

describe('§4 off: never issue what cannot be redeemed', () => {
  it('storesSessions is false in mode off, and with noInternalStore and no new-session callback', () => {
    const clock = new FakeClock();
    expect(recordingCache(clock).cache.storesSessions).toBe(true);
    expect(recordingCache(clock, { mode: 'off', newSession: () => true }).cache.storesSessions).toBe(false);
    expect(recordingCache(clock, { mode: 'noInternalStore' }).cache.storesSessions).toBe(false);
    expect(recordingCache(clock, { mode: 'noInternalStore', newSession: () => true }).cache.storesSessions).toBe(true);
  });
});

describe('§3 remove session callback: every reason, exactly once', () => {
  it('expired: found expired on lookup (timeouts++, miss)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls12(clock, { timeout: 10 });
    cache.add(s);
    clock.advance(10_000);
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s); // at the boundary: still valid
    clock.advance(1);
    expect(sync(cache.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'miss', why: 'expired' });
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.size).toBe(0);
    expect(cache.stats.timeouts).toBe(1);
    expect(cache.stats.hits).toBe(1);
  });
  it('expired: by flush(now) and flush() on the clock', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const short = tls12(clock, { timeout: 1 });
    const long = tls12(clock, { timeout: 100 });
    cache.add(short);
    cache.add(long);
    expect(cache.flush(clock.t + 1000)).toBe(0);
    expect(cache.flush(clock.t + 1001)).toBe(1);
    expect(removed).toEqual([{ session: short, reason: 'expired' }]);
    clock.advance(100_001);
    expect(cache.flush()).toBe(1);
    expect(removed.map((r) => r.session)).toEqual([short, long]);
    expect(cache.stats.timeouts).toBe(0); // flush does not count proposals
  });
  it('evicted: least recently used first when maxEntries is reached (cacheFull++)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { maxEntries: 3 });
    const [a, b, c, d] = [tls12(clock), tls12(clock), tls12(clock), tls12(clock)];
    cache.add(a!);
    cache.add(b!);
    cache.add(c!);
    expect(cache.get(a!.id)).toBe(a); // a is now the most recently used: b is the LRU
    cache.add(d!);
    expect(removed).toEqual([{ session: b, reason: 'evicted' }]);
    expect(cache.stats.cacheFull).toBe(1);
    expect(cache.size).toBe(3);
    expect(cache.sessions()).toEqual([d, a, c]);
  });
  it('evicted: lowering maxEntries evicts at once', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const all = [tls12(clock), tls12(clock), tls12(clock)];
    for (const s of all) cache.add(s);
    cache.maxEntries = 1;
    expect(removed.map((r) => [r.session, r.reason])).toEqual([[all[0], 'evicted'], [all[1], 'evicted']]);
  });
  it('maxEntries 0 = unbounded', { timeout: 30_000 }, () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { maxEntries: 0 });
    for (let i = 0; i < 25_000; i++) cache.add(tls12(clock));
    expect(cache.size).toBe(25_000);
    expect(removed).toEqual([]);
  });
  it('maxBytes: evicts least recently used until the budget holds; a session larger than the budget is evicted at once', () => {
    const clock = new FakeClock();
    const s0 = tls12(clock);
    const cost = sessionCost(s0);
    const { cache, removed } = recordingCache(clock, { maxBytes: 2 * cost, maxEntries: 0 });
    const [a, b, c] = [tls12(clock), tls12(clock), tls12(clock)];
    cache.add(a!);
    cache.add(b!);
    expect(cache.byteSize).toBe(2 * cost);
    cache.add(c!);
    expect(removed).toEqual([{ session: a, reason: 'evicted' }]);
    expect(cache.byteSize).toBe(2 * cost);
    const huge = tls12(clock, { peerCertificates: [new Uint8Array(10 * cost)] });
    expect(cache.add(huge)).toBe(false);
    expect(removed.at(-1)).toEqual({ session: huge, reason: 'evicted' });
    expect(cache.stats.cacheFull).toBe(2);
    expect(cache.size).toBe(2);
  });
  it('rejected: see the new-session callback tests', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    const s = tls13(clock);
    cache.newSession(conn, s);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('consumed: a single-use TLS 1.3 session taken after its binder verified', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls13(clock);
    cache.add(s);
    expect(cache.take(conn, hit(cache.lookup(conn, s.id, ctx13())))).toBe(true);
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
  });
  it('removed: cache.remove(id) and cache.remove(session) by the application', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = tls12(clock), b = tls12(clock);
    cache.add(a);
    cache.add(b);
    expect(cache.remove(a.id)).toBe(true);
    expect(cache.remove(b)).toBe(true);
    expect(cache.remove(b)).toBe(false);
    expect(cache.remove(newId())).toBe(false);
    expect(removed).toEqual([{ session: a, reason: 'removed' }, { session: b, reason: 'removed' }]);
  });
  it('contextClosed: close() flushes every session; afterwards nothing is stored and lookups miss', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = tls12(clock), b = tls12(clock);
    cache.add(a);
    cache.add(b);
    cache.close();
    expect(removed).toEqual([{ session: a, reason: 'contextClosed' }, { session: b, reason: 'contextClosed' }]);
    expect(cache.size).toBe(0);
    expect(cache.add(tls12(clock))).toBe(false);
    expect(cache.newSession(conn, tls12(clock))).toBe(false);
    expect(sync(cache.lookup(conn, a.id, ctx12()))).toEqual({ kind: 'miss', why: 'closed' });
    cache.close(); // idempotent
    expect(removed).toHaveLength(2);
  });
  it('replaced: adding another session with the same id fires for the old one', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = tls12(clock);
    const a2 = withFields(a, { secret: new Uint8Array(48).fill(1) });
    cache.add(a);
    cache.add(a); // the same object again: nothing to report
    cache.add(a2);
    expect(removed).toEqual([{ session: a, reason: 'replaced' }]);
    expect(cache.peek(a.id)).toBe(a2);
    expect(cache.size).toBe(1);
    expect(cache.byteSize).toBe(sessionCost(a2));
  });
  it('fatalAlert and uncleanShutdown: cache.invalidate(session, reason) from the glue', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = tls12(clock), b = tls12(clock);
    cache.add(a);
    cache.add(b);
    expect(cache.invalidate(a, 'fatalAlert')).toBe(true);
    expect(cache.invalidate(b, 'uncleanShutdown')).toBe(true);
    expect(removed).toEqual([{ session: a, reason: 'fatalAlert' }, { session: b, reason: 'uncleanShutdown' }]);
    expect(cache.size).toBe(0);
  });
  it('§5 connectionEnded: unclean shutdown invalidates every session of the connection (all its tickets); clean does nothing', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const tickets = [tls13(clock), tls13(clock)];
    for (const t of tickets) cache.newSession(conn, t);
    cache.connectionEnded(tickets, 'clean');
    expect(removed).toEqual([]);
    cache.connectionEnded(tickets, 'uncleanShutdown');
    expect(removed).toEqual(tickets.map((session) => ({ session, reason: 'uncleanShutdown' })));
    const more = [tls13(clock)];
    cache.add(more[0]!);
    cache.connectionEnded(more, 'fatalAlert');
    expect(removed.at(-1)).toEqual({ session: more[0], reason: 'fatalAlert' });
  });
  it('§5 removeOnUncleanShutdown: false keeps sessions on unclean shutdown, but a fatal alert always invalidates', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { removeOnUncleanShutdown: false });
    const s = tls12(clock);
    cache.add(s);
    cache.connectionEnded([s], 'uncleanShutdown');
    expect(cache.size).toBe(1);
    cache.connectionEnded([s], 'fatalAlert');
    expect(removed).toEqual([{ session: s, reason: 'fatalAlert' }]);
  });
  it('fires for sessions never stored internally (noInternalStore), so an external store hears every invalidation', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { mode: 'noInternalStore', newSession: () => true });
    const tickets = [tls13(clock), tls13(clock), tls13(clock)];
    for (const t of tickets) cache.newSession(conn, t);
    expect(cache.size).toBe(0);
    cache.connectionEnded(tickets, 'uncleanShutdown');
    expect(removed).toEqual(tickets.map((session) => ({ session, reason: 'uncleanShutdown' })));
  });
  it('exactly once per session: a second invalidation of the same session is silent', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    const s = tls12(clock);
    cache.newSession(conn, s); // rejected
    cache.invalidate(s, 'uncleanShutdown');
    cache.remove(s);
    cache.invalidate(s, 'fatalAlert');
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('re-entrant remove inside the remove callback: no recursion, no double fire, the other removal is delivered after', () => {
    const clock = new FakeClock();
    const a = tls12(clock), b = tls12(clock);
    const log: string[] = [];
    let depth = 0;
    let maxDepth = 0;
    const cache: SessionCache<string> = new SessionCache<string>({
      now: clock.now,
      removeSession: (c, s, reason) => {
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        log.push(`${s === a ? 'a' : 'b'}:${reason}`);
        expect(c).toBe(cache);
        c.remove(s); // itself again
        c.remove(b); // another one
        c.remove(a.id);
        depth--;
      },
    });
    cache.add(a);
    cache.add(b);
    cache.remove(a);
    expect(log).toEqual(['a:removed', 'b:removed']);
    expect(maxDepth).toBe(1);
    expect(cache.size).toBe(0);
  });
  it('a remove callback that throws is caught, counted and logged; the cache goes on', () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, {
      removeSession: () => {
        throw new Error('x');
      },
    });
    cache.add(tls12(clock));
    cache.close();
    expect(cache.stats.callbackErrors).toBe(1);
    expect(warnings).toEqual(['remove-session callback threw']);
  });
});

describe('§3 get session callback', () => {
  it('is consulted when the internal lookup misses (cbHits++), and the hit is inserted internally', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const store = new Map([[s.id.join(), s]]);
    const get = vi.fn((_c: string, id: Uint8Array) => store.get(id.join()));
    const { cache } = recordingCache(clock, { getSession: get });
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0]![0]).toBe(conn);
    expect(cache.peek(s.id)).toBe(s);
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s); // now internal
    expect(get).toHaveBeenCalledTimes(1);
    expect(cache.stats).toMatchObject({ hits: 1, cbHits: 1, misses: 0 });
  });
  it('gets its own copy of the id (the ClientHello buffer may be reused)', () => {
    const clock = new FakeClock();
    let seen: Uint8Array | undefined;
    const { cache } = recordingCache(clock, { getSession: (_c, id) => void (seen = id) });
    const buf = newId();
    cache.lookup(conn, buf, ctx12());
    expect(seen).toEqual(buf);
    expect(seen).not.toBe(buf);
  });
  it('is consulted also when the mode is off, and the hit is not stored', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache } = recordingCache(clock, { mode: 'off', getSession: () => s });
    cache.add(tls12(clock)); // explicit add still works, but is never looked up in mode off
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    expect(cache.peek(s.id)).toBeUndefined();
  });
  it('noInternalLookup: always consulted, even when the internal cache has the session', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const get = vi.fn(() => s);
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'noInternalLookup'], getSession: get });
    cache.add(s);
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    expect(get).toHaveBeenCalledTimes(2);
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 2 });
    expect(removed).toEqual([]); // re-inserting the same session is not a replacement
  });
  it('noInternalStore: an external hit is not inserted internally', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache } = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s });
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    expect(cache.size).toBe(0);
  });
  it('noInternal = noInternalLookup + noInternalStore', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const get = vi.fn(() => s);
    const { cache } = recordingCache(clock, { mode: 'noInternal', getSession: get, newSession: () => true });
    cache.newSession(conn, s);
    expect(cache.size).toBe(0);
    hit(cache.lookup(conn, s.id, ctx12()));
    expect(get).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(0);
  });
  it('copy true (and the default of a bare session): the hit is marked shared', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    for (const answer of [s, { session: s }, { session: s, copy: true }]) {
      const { cache } = recordingCache(clock, { getSession: () => answer });
      const r = sync(cache.lookup(conn, s.id, ctx12()));
      expect(r).toEqual({ kind: 'hit', session: s, source: 'external', shared: true });
    }
  });
  it('copy false: the store hands the object over; the hit is not shared', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache } = recordingCache(clock, { getSession: () => ({ session: s, copy: false }) });
    expect(sync(cache.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'hit', session: s, source: 'external', shared: false });
    expect(cache.peek(s.id)).toBe(s);
  });
  it('a plain object from the store is validated and frozen; an invalid one or another id is a miss (callbackErrors++)', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const plain = { ...s };
    const { cache } = recordingCache(clock, { getSession: () => plain as Session });
    const got = hit(cache.lookup(conn, s.id, ctx12()));
    expect(Object.isFrozen(got)).toBe(true);
    expect(got.secret).toEqual(s.secret);
    const bad = recordingCache(clock, { getSession: () => ({ ...s, version: 0x0302 }) as never }).cache;
    expect(sync(bad.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'miss', why: 'invalidSession' });
    expect(bad.stats.callbackErrors).toBe(1);
    const other = recordingCache(clock, { getSession: () => tls12(clock) }).cache;
    expect(sync(other.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'miss', why: 'invalidSession' });
  });
  it('returning undefined or null is a miss (misses++)', () => {
    const clock = new FakeClock();
    for (const v of [undefined, null]) {
      const { cache } = recordingCache(clock, { getSession: () => v });
      expect(sync(cache.lookup(conn, newId(), ctx12()))).toEqual({ kind: 'miss', why: 'notFound' });
      expect(cache.stats.misses).toBe(1);
    }
  });
  it('a thrown error is a miss, counted in callbackErrors and logged', () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, {
      getSession: () => {
        throw new Error('boom');
      },
    });
    expect(sync(cache.lookup(conn, newId(), ctx12()))).toEqual({ kind: 'miss', why: 'callbackError' });
    expect(cache.stats).toMatchObject({ callbackErrors: 1, misses: 1 });
    expect(warnings).toEqual(['get-session callback threw']);
  });
  it('async get resolving in time: a promise of a hit', async () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const t = manualTimer();
    const { cache } = recordingCache(clock, { getSession: async () => s, setTimer: t.setTimer });
    const r = cache.lookup(conn, s.id, ctx12());
    expect(r).toBeInstanceOf(Promise);
    await expect(r).resolves.toMatchObject({ kind: 'hit', session: s, source: 'external' });
    expect(t.pending()).toBe(0); // the deadline timer was cancelled
    expect(cache.stats.cbHits).toBe(1);
  });
  it('async get resolving late is a miss (lookupTimeouts++), and the late session is ignored', async () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const t = manualTimer();
    let resolve!: (v: Session) => void;
    const { cache } = recordingCache(clock, { getSession: () => new Promise<Session>((r) => (resolve = r)), setTimer: t.setTimer });
    const r = cache.lookup(conn, s.id, ctx12());
    t.fire(); // the deadline passes first
    await expect(r).resolves.toEqual({ kind: 'miss', why: 'lookupTimeout' });
    resolve(s);
    await Promise.resolve();
    expect(cache.size).toBe(0);
    expect(cache.stats).toMatchObject({ lookupTimeouts: 1, misses: 1, cbHits: 0 });
  });
  it('async get: the 50 ms deadline runs on the default timer (fake timers)', async () => {
    vi.useFakeTimers();
    const clock = new FakeClock();
    const s = tls12(clock);
    const cache = new SessionCache<string>({
      now: clock.now,
      logger: { warn: () => {} },
      getSession: () => new Promise<Session>((r) => setTimeout(() => r(s), 60)),
    });
    const late = cache.lookup(conn, s.id, ctx12());
    await vi.advanceTimersByTimeAsync(50);
    await expect(late).resolves.toEqual({ kind: 'miss', why: 'lookupTimeout' });
    cache.setGetSessionCallback(() => new Promise<Session>((r) => setTimeout(() => r(s), 49)));
    const onTime = cache.lookup(conn, s.id, ctx12());
    await vi.advanceTimersByTimeAsync(49);
    await expect(onTime).resolves.toMatchObject({ kind: 'hit', session: s });
    await vi.advanceTimersByTimeAsync(100);
    expect(cache.stats).toMatchObject({ lookupTimeouts: 1, cbHits: 1 });
  });
  it('async get rejecting is a miss (callbackErrors++)', async () => {
    const clock = new FakeClock();
    const t = manualTimer();
    const { cache, warnings } = recordingCache(clock, { getSession: () => Promise.reject(new Error('redis')), setTimer: t.setTimer });
    await expect(cache.lookup(conn, newId(), ctx12())).resolves.toEqual({ kind: 'miss', why: 'callbackError' });
    expect(cache.stats).toMatchObject({ callbackErrors: 1, misses: 1, lookupTimeouts: 0 });
    expect(warnings).toEqual(['get-session callback rejected']);
    expect(t.pending()).toBe(0);
  });
  it('an expired external session: timeouts++, removed with reason expired (the store hears it), miss', () => {
    const clock = new FakeClock();
    const s = tls12(clock, { timeout: 1 });
    const { cache, removed } = recordingCache(clock, { getSession: () => s });
    clock.advance(1001);
    expect(sync(cache.lookup(conn, s.id, ctx12()))).toEqual({ kind: 'miss', why: 'expired' });
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.stats.timeouts).toBe(1);
  });
});

describe('§3 validation of a found session (internal and external alike)', () => {
  // Each rule is checked on both paths: the internal store and the get callback.
  const paths = ['internal', 'external'] as const;
  function setup(path: (typeof paths)[number], s: Session) {
    const clock = new FakeClock(s.createdAt);
    const r = recordingCache(clock, path === 'external' ? { getSession: () => s } : {});
    if (path === 'internal') r.cache.add(s);
    return { ...r, clock };
  }
  for (const path of paths) {
    it(`${path}: expired → timeouts++, removed (expired), miss`, () => {
      const clock = new FakeClock();
      const s = tls13(clock, { timeout: 5 });
      const { cache, removed, clock: c } = setup(path, s);
      c.advance(5001);
      expect(sync(cache.lookup(conn, s.id, ctx13()))).toEqual({ kind: 'miss', why: 'expired' });
      expect(removed).toEqual([{ session: s, reason: 'expired' }]);
      expect(cache.stats.timeouts).toBe(1);
    });
    it(`${path}: TLS 1.3 lifetime is min(timeout, 604800)`, () => {
      const clock = new FakeClock();
      const s = tls13(clock, { timeout: 10 * 86400, createdAt: clock.t, authTime: clock.t });
      const { cache, clock: c } = setup(path, s);
      c.advance(604800_000);
      expect(hit(cache.lookup(conn, s.id, ctx13()))).toBe(s);
      c.advance(1);
      expect(sync(cache.lookup(conn, s.id, ctx13()))).toMatchObject({ kind: 'miss' });
    });
    it(`${path}: authTimeout exceeded → miss (chained resumptions cannot extend it)`, () => {
      const clock = new FakeClock();
      // A follow-up ticket made a day ago from a handshake 7 days ago.
      const s = tls13(clock, { timeout: 2 * 86400, createdAt: clock.t, authTime: clock.t - 6 * 86400_000 });
      const { cache, clock: c } = setup(path, s);
      expect(hit(cache.lookup(conn, s.id, ctx13()))).toBe(s);
      c.advance(86400_000 + 1);
      expect(sync(cache.lookup(conn, s.id, ctx13()))).toEqual({ kind: 'miss', why: 'authExpired' });
    });
    it(`${path}: another protocol version → miss`, () => {
      const s = tls12(new FakeClock());
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx13()))).toEqual({ kind: 'miss', why: 'versionMismatch' });
    });
    it(`${path}: another contextId → contextMismatches++, miss (never fatal)`, () => {
      const s = tls12(new FakeClock());
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx12({ contextId: new Uint8Array([9]) })))).toEqual({ kind: 'miss', why: 'contextMismatch' });
      expect(cache.stats).toMatchObject({ contextMismatches: 1, misses: 1 });
    });
    it(`${path}: TLS 1.2 suite not among the client's → abort with ResumedSuiteNotOffered (illegal_parameter)`, () => {
      const s = tls12(new FakeClock());
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx12({ clientCipherSuites: [0xc02b] })))).toEqual({ kind: 'abort', reason: 'ResumedSuiteNotOffered' });
    });
    it(`${path}: TLS 1.3 same hash → hit even with another suite; another hash → miss`, () => {
      const s = tls13(new FakeClock());
      const { cache } = setup(path, s);
      expect(hit(cache.lookup(conn, s.id, ctx13({ cipherSuite: 0x1303 })))).toBe(s);
      expect(sync(cache.lookup(conn, s.id, ctx13({ cipherSuite: 0x1302 })))).toEqual({ kind: 'miss', why: 'hashMismatch' });
    });
    it(`${path}: EMS — original had it, new hello lacks it → abort ExtendedMasterSecretMismatch (handshake_failure)`, () => {
      const s = tls12(new FakeClock(), { extendedMasterSecret: true });
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx12({ extendedMasterSecret: false })))).toEqual({ kind: 'abort', reason: 'ExtendedMasterSecretMismatch' });
    });
    it(`${path}: EMS — new hello has it, original not → miss`, () => {
      const s = tls12(new FakeClock(), { extendedMasterSecret: false });
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx12({ extendedMasterSecret: true })))).toEqual({ kind: 'miss', why: 'emsMismatch' });
      expect(hit(cache.lookup(conn, s.id, ctx12({ extendedMasterSecret: false })))).toBe(s);
    });
    it(`${path}: SNI mismatch → miss (case-insensitive match is a hit)`, () => {
      const s = tls12(new FakeClock());
      const { cache } = setup(path, s);
      expect(sync(cache.lookup(conn, s.id, ctx12({ serverName: 'other.example' })))).toEqual({ kind: 'miss', why: 'serverNameMismatch' });
      expect(sync(cache.lookup(conn, s.id, ctx12({ serverName: undefined })))).toEqual({ kind: 'miss', why: 'serverNameMismatch' });
      expect(hit(cache.lookup(conn, s.id, ctx12({ serverName: 'EXAMPLE.com' })))).toBe(s);
    });
  }
  it('a failed check other than expiry leaves the internal session in place', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache, removed } = recordingCache(clock);
    cache.add(s);
    cache.lookup(conn, s.id, ctx12({ serverName: 'evil.example' }));
    expect(cache.peek(s.id)).toBe(s);
    expect(removed).toEqual([]);
  });
  it('a lookup context without the fields of its version is API misuse (TypeError)', () => {
    const clock = new FakeClock();
    const s = tls12(clock);
    const { cache } = recordingCache(clock);
    cache.add(s);
    expect(() => cache.lookup(conn, s.id, { version: 0x0303, contextId: CONTEXT_ID, serverName: 'example.com' })).toThrow(TypeError);
  });
  it('ids of 0 or more than 32 bytes are a miss', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock, { getSession: () => undefined });
    expect(sync(cache.lookup(conn, new Uint8Array(0), ctx12()))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(sync(cache.lookup(conn, new Uint8Array(33), ctx12()))).toEqual({ kind: 'miss', why: 'notFound' });
  });
});

describe('§4 modes: updateTime, auto flush', () => {
  it('updateTime: a hit resets createdAt (the session lives on), authTime is kept', () => {
    const clock = new FakeClock();
    const s = tls12(clock, { timeout: 10 });
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'updateTime'] });
    cache.add(s);
    clock.advance(8000);
    const s2 = hit(cache.lookup(conn, s.id, ctx12()));
    expect(s2.createdAt).toBe(clock.t);
    expect(s2.authTime).toBe(s.createdAt);
    expect(cache.peek(s.id)).toBe(s2);
    clock.advance(8000); // 16 s after creation, 8 s after the hit
    expect(hit(cache.lookup(conn, s.id, ctx12())).createdAt).toBe(clock.t);
    expect(removed).toEqual([]);
    // the connection that made the original can still invalidate it by its old object
    cache.invalidate(s, 'uncleanShutdown');
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'uncleanShutdown' }]);
  });
  it('without updateTime a hit does not extend the session', () => {
    const clock = new FakeClock();
    const s = tls12(clock, { timeout: 10 });
    const { cache } = recordingCache(clock);
    cache.add(s);
    clock.advance(8000);
    expect(hit(cache.lookup(conn, s.id, ctx12()))).toBe(s);
    clock.advance(8000);
    expect(sync(cache.lookup(conn, s.id, ctx12())).kind).toBe('miss');
  });
  it(`auto flush of expired sessions at the ${AUTO_FLUSH_INTERVAL}th completed handshake`, () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls12(clock, { timeout: 1 });
    cache.add(s);
    clock.advance(2000);
    for (let i = 0; i < 254; i++) cache.handshakeCompleted();
    expect(removed).toEqual([]);
    cache.handshakeCompleted();
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.stats.acceptGood).toBe(255);
  });
  it('noAutoClear: no flush at the 255th handshake', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'noAutoClear'] });
    cache.add(tls12(clock, { timeout: 1 }));
    clock.advance(2000);
    for (let i = 0; i < 600; i++) cache.handshakeCompleted();
    expect(removed).toEqual([]);
    expect(cache.size).toBe(1);
  });
  it('setMode/getMode (SSL_CTX_set_session_cache_mode); modifiers alone imply server', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    cache.setMode(['noInternalStore']);
    expect(cache.getMode()).toEqual(['noInternalStore']);
    expect(cache.newSession(conn, tls12(clock))).toBe(false); // nowhere to keep it
    cache.setMode('off');
    expect(cache.storesSessions).toBe(false);
  });
});

describe('§4 statistics', () => {
  it('counts number, accept, acceptGood, hits, cbHits, misses, timeouts, cacheFull, binderFailures, replaysRejected, contextMismatches', () => {
    const clock = new FakeClock();
    const ext = tls12(clock);
    const { cache } = recordingCache(clock, { maxEntries: 2, getSession: (_c, id) => (id[0] === ext.id[0] && id[1] === ext.id[1] ? ext : undefined) });
    const a = tls12(clock), old = tls12(clock, { timeout: 1 });
    cache.handshakeStarted();
    cache.handshakeStarted();
    cache.handshakeCompleted();
    cache.add(a);
    cache.add(old);
    hit(cache.lookup(conn, a.id, ctx12())); // hits 1
    hit(cache.lookup(conn, ext.id, ctx12())); // cbHits 1, inserted → evicts old (cacheFull 1)
    cache.lookup(conn, newId(), ctx12()); // misses 1
    cache.lookup(conn, a.id, ctx12({ contextId: new Uint8Array(1) })); // misses 2, contextMismatches 1
    clock.advance(7200_001);
    cache.lookup(conn, a.id, ctx12()); // timeouts 1
    cache.binderFailed();
    cache.replayRejected();
    expect(cache.stats).toEqual({
      number: 1,
      accept: 2,
      acceptGood: 1,
      hits: 1,
      cbHits: 1,
      misses: 2,
      timeouts: 1,
      cacheFull: 1,
      lookupTimeouts: 0,
      callbackErrors: 0,
      binderFailures: 1,
      replaysRejected: 1,
      contextMismatches: 1,
    });
  });
});

describe('§6 single use (TLS 1.3 stateful)', () => {
  it('second use is a miss: take deletes atomically (consumed)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls13(clock);
    cache.add(s);
    expect(cache.take(conn, hit(cache.lookup(conn, s.id, ctx13())))).toBe(true);
    expect(sync(cache.lookup(conn, s.id, ctx13()))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
  });
  it('two concurrent takes of one lookup result: exactly one succeeds (replaysRejected++)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const s = tls13(clock);
    cache.add(s);
    const r1 = hit(cache.lookup('c1', s.id, ctx13()));
    const r2 = hit(cache.lookup('c2', s.id, ctx13()));
    expect([cache.take('c1', r1), cache.take('c2', r2)]).toEqual([true, false]);
    expect(cache.stats.replaysRejected).toBe(1);
  });
  it('a bad binder does not consume: lookup without take leaves the session (binderFailures++)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls13(clock);
    cache.add(s);
    hit(cache.lookup(conn, s.id, ctx13()));
    cache.binderFailed();
    expect(cache.peek(s.id)).toBe(s);
    expect(removed).toEqual([]);
    expect(cache.take(conn, hit(cache.lookup(conn, s.id, ctx13())))).toBe(true);
    expect(cache.stats.binderFailures).toBe(1);
  });
  it('external without takeSession: the remove callback hears consumed', () => {
    const clock = new FakeClock();
    const s = tls13(clock);
    const { cache, removed } = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s });
    expect(cache.take(conn, hit(cache.lookup(conn, s.id, ctx13())))).toBe(true);
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
    expect(cache.take(conn, s)).toBe(false); // the same object again
  });
  it('external with takeSession (GETDEL): true takes it; false = somebody else took it → fail as a miss', async () => {
    const clock = new FakeClock();
    const s = tls13(clock);
    const taken = new Set<string>();
    const takeSession = vi.fn((_c: string, id: Uint8Array) => {
      if (taken.has(id.join())) return false;
      taken.add(id.join());
      return true;
    });
    // Two servers sharing one store: two caches, two decoded copies of the session.
    const server1 = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s, takeSession });
    const server2 = recordingCache(clock, { mode: 'noInternalStore', getSession: () => withFields(s, {}), takeSession });
    const h1 = hit(server1.cache.lookup(conn, s.id, ctx13()));
    const h2 = hit(server2.cache.lookup(conn, s.id, ctx13()));
    expect(server1.cache.take(conn, h1)).toBe(true);
    expect(server2.cache.take(conn, h2)).toBe(false);
    expect(takeSession).toHaveBeenCalledTimes(2);
    expect(server2.cache.stats.replaysRejected).toBe(1);
    expect(server1.removed).toEqual([{ session: s, reason: 'consumed' }]);
    expect(server2.removed).toEqual([]);
  });
  it('async takeSession: concurrent takes, exactly one succeeds; late → false', async () => {
    const clock = new FakeClock();
    const s = tls13(clock);
    const t = manualTimer();
    let owner: string | undefined;
    const { cache } = recordingCache(clock, {
      getSession: () => s,
      takeSession: async (c) => {
        await Promise.resolve();
        if (owner !== undefined) return false;
        owner = c;
        return true;
      },
      setTimer: t.setTimer,
    });
    const h = hit(cache.lookup('c1', s.id, ctx13()));
    const results = await Promise.all([cache.take('c1', h), cache.take('c2', withFields(h, {}))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const slow = recordingCache(clock, { getSession: () => s, takeSession: () => new Promise<boolean>(() => {}), setTimer: t.setTimer });
    const p = slow.cache.take(conn, hit(slow.cache.lookup(conn, s.id, ctx13())));
    t.fire();
    await expect(p).resolves.toBe(false);
    expect(slow.cache.stats.lookupTimeouts).toBe(1);
  });
});

describe('§6 stateless tickets', () => {
  it('validateTicket applies the same checks and counts hits/timeouts', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const s = tls13(clock, { timeout: 1 });
    expect(cache.validateTicket(s, ctx13())).toEqual({ kind: 'hit', session: s, source: 'ticket', shared: false });
    expect(cache.validateTicket(s, ctx13({ cipherSuite: 0x1302 }))).toEqual({ kind: 'miss', why: 'hashMismatch' });
    clock.advance(1001);
    expect(cache.validateTicket(s, ctx13())).toEqual({ kind: 'miss', why: 'expired' });
    expect(cache.stats).toMatchObject({ hits: 1, timeouts: 1, misses: 1 });
  });
});

describe('input checks', () => {
  it('add/newSession/take/remove require a Session made by createSession (TypeError)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const fake = { ...tls12(clock) } as Session;
    expect(() => cache.add(fake)).toThrow(TypeError);
    expect(() => cache.newSession(conn, fake)).toThrow(TypeError);
    expect(() => cache.take(conn, fake)).toThrow(TypeError);
    expect(() => cache.remove(fake)).toThrow(TypeError);
  });
  it('get() hot path: returns the entry, removes an expired one (expired)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = tls12(clock, { timeout: 1 });
    cache.add(s);
    expect(cache.get(s.id)).toBe(s);
    expect(cache.get(newId())).toBeUndefined();
    clock.advance(1001);
    expect(cache.get(s.id)).toBeUndefined();
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
  });
  it('createSession via the cache uses its clock and timeout', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock, { timeout: 300 });
    const s = cache.createSession({ id: newId(), version: 0x0303, cipherSuite: 0xc02f, secret: new Uint8Array(48), extendedMasterSecret: true });
    expect(s).toMatchObject({ createdAt: clock.t, timeout: 300, authTime: clock.t });
    expect(createSession({ ...s })).toEqual(s);
  });
});
