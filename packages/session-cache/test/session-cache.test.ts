/**
 * `SessionCache` through its public API, spec §3–§6: options, the four callbacks and their exact
 * semantics, every remove reason exactly once, modes, limits and eviction, expiry, the verdicts
 * the glue reports (`accept` → a hit, `refuse` → a miss), statistics, async deadlines, single use
 * and stateless tickets. The TLS rules a found session must pass (version, suite, server name,
 * EMS, configuration) are the handshake's and are tested there.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUTO_FLUSH_INTERVAL,
  DEFAULT_AUTH_TIMEOUT,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TIMEOUT,
  SessionCache,
  createSession,
  isSession,
  sessionCost,
  withFields,
  type LookupHit,
  type RefuseReason,
  type RemoveReason,
  type Session,
  type SetTimer,
} from '../src/index';
import { FakeClock, found, manualTimer, newId, recordingCache, requiredOptions, resume, session, state, sync, ticket } from './helpers';

const conn = 'conn-1';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('§4 defaults and options', () => {
  it('defaults: mode server, maxEntries 20480, timeout 7200 s, authTimeout 7 days, lookupTimeoutMs 50', () => {
    const c = new SessionCache(requiredOptions(new FakeClock()));
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
    expect(c.storesSessions).toBe(true);
  });
  it('now, setTimer and logger are required: each missing one is a TypeError naming it (the cache has no clock, timer or console of its own)', () => {
    const clock = new FakeClock();
    const full = requiredOptions(clock);
    expect(() => new SessionCache(undefined as never)).toThrow(/"options.now"/);
    expect(() => new SessionCache({ ...full, now: undefined } as never)).toThrow(TypeError);
    expect(() => new SessionCache({ ...full, now: undefined } as never)).toThrow(/"options.now"/);
    expect(() => new SessionCache({ ...full, now: Date.now() } as never)).toThrow(/"options.now"/);
    expect(() => new SessionCache({ ...full, setTimer: undefined } as never)).toThrow(TypeError);
    expect(() => new SessionCache({ ...full, setTimer: undefined } as never)).toThrow(/"options.setTimer"/);
    expect(() => new SessionCache({ ...full, setTimer: 50 } as never)).toThrow(/"options.setTimer"/);
    expect(() => new SessionCache({ ...full, logger: undefined } as never)).toThrow(TypeError);
    expect(() => new SessionCache({ ...full, logger: undefined } as never)).toThrow(/"options.logger"/);
    expect(() => new SessionCache({ ...full, logger: {} } as never)).toThrow(/"options.logger"/);
    expect(() => new SessionCache({ ...full, logger: console.warn } as never)).toThrow(/"options.logger"/);
    expect(() => new SessionCache({ ...full, random: new Uint8Array(4) } as never)).toThrow(TypeError);
    expect(() => new SessionCache({ ...full, random: new Uint8Array(4) } as never)).toThrow(/"options.random"/);
    expect(() => new SessionCache(full)).not.toThrow();
  });
  it('limits and modes are checked once, in the constructor (TypeError/RangeError naming the option)', () => {
    const o = requiredOptions(new FakeClock());
    expect(() => new SessionCache({ ...o, maxEntries: -1 })).toThrow(/"maxEntries"/);
    expect(() => new SessionCache({ ...o, maxBytes: 1.5 })).toThrow(/"maxBytes"/);
    expect(() => new SessionCache({ ...o, timeout: 1.5 })).toThrow(/"timeout"/);
    expect(() => new SessionCache({ ...o, authTimeout: -5 })).toThrow(/"authTimeout"/);
    expect(() => new SessionCache({ ...o, lookupTimeoutMs: Number.NaN })).toThrow(/"lookupTimeoutMs"/);
    expect(() => new SessionCache({ ...o, maxEntries: -1 })).toThrow(RangeError);
    expect(() => new SessionCache({ ...o, mode: ['off', 'server'] })).toThrow(RangeError);
    expect(() => new SessionCache({ ...o, mode: 'bogus' as never })).toThrow(/unknown mode "bogus"/);
    expect(() => new SessionCache({ ...o, mode: 7 as never })).toThrow(TypeError);
    expect(() => new SessionCache({ ...o, newSession: 42 as never })).toThrow(/"newSession" callback/);
    expect(() => new SessionCache({ ...o, removeSession: {} as never })).toThrow(/"removeSession" callback/);
    expect(() => new SessionCache({ ...o, getSession: 'x' as never })).toThrow(/"getSession" callback/);
    expect(() => new SessionCache({ ...o, takeSession: true as never })).toThrow(/"takeSession" callback/);
  });
  it('setters check their values too (RangeError), and a failed set changes nothing', () => {
    const { cache } = recordingCache(new FakeClock());
    expect(() => (cache.timeout = -1)).toThrow(RangeError);
    expect(() => (cache.maxEntries = 0.5)).toThrow(RangeError);
    expect(() => (cache.maxBytes = -1)).toThrow(RangeError);
    expect(() => cache.setMode(['noInternal', 'off'])).toThrow(RangeError);
    expect(() => cache.setNewSessionCallback(1 as never)).toThrow(TypeError);
    expect([cache.timeout, cache.maxEntries, cache.maxBytes, cache.getMode()]).toEqual([7200, 20480, 0, ['server']]);
  });
  it('timeout is copied into new sessions; changing it later does not touch existing sessions', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const a = cache.createSession({ id: newId(), state: state() });
    expect(a).toMatchObject({ timeout: 7200, createdAt: clock.t, authTime: clock.t, singleUse: false });
    cache.add(a);
    cache.timeout = 10;
    const b = cache.createSession({ id: newId(), state: state() });
    expect(b.timeout).toBe(10);
    clock.advance(11_000);
    cache.add(b);
    expect(cache.flush()).toBe(1); // b (10 s) expired; a keeps its own 7200 s
    expect(cache.peek(a.id)).toBe(a);
  });
  it('createSession via the cache: its clock and timeout unless given; authTime and singleUse pass through', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock, { timeout: 300 });
    const s = cache.createSession({ id: newId(), state: state(), singleUse: true, authTime: clock.t - 1000 });
    expect(s).toMatchObject({ createdAt: clock.t, timeout: 300, authTime: clock.t - 1000, singleUse: true });
    expect(isSession(s)).toBe(true);
    expect(cache.createSession({ id: newId(), state: state(), createdAt: 5, timeout: 9 })).toMatchObject({ createdAt: 5, timeout: 9, authTime: 5 });
    expect(createSession({ ...s })).toEqual(s);
    expect(() => cache.createSession({ id: newId(), state: new Uint8Array(0) })).toThrow(/"state"/);
  });
});

describe('§4 sans-IO: the injected timer, logger and randomness are the only ones used', () => {
  it('the deadline of an async get runs on the injected timer with lookupTimeoutMs; the runtime’s timers are never used', async () => {
    vi.useFakeTimers();
    const clock = new FakeClock();
    const s = session(clock);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { cache, timer, warnings } = recordingCache(clock, {
      lookupTimeoutMs: 123,
      getSession: () => new Promise<Session>(() => {}),
      newSession: () => {
        throw new Error('store down');
      },
    });
    const r = cache.lookup(conn, s.id);
    expect(timer.started).toEqual([123]);
    let settled = false;
    void (r as Promise<unknown>).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(60_000); // the runtime's clock: nothing happens
    expect(settled).toBe(false);
    timer.fire();
    await expect(r).resolves.toEqual({ kind: 'miss', why: 'lookupTimeout' });
    cache.newSession(conn, session(clock));
    expect(warnings).toEqual(['new-session callback threw']);
    expect(warn).not.toHaveBeenCalled();
  });
  it('with a setTimeout-based timer (what the server passes), 50 ms is the deadline: 49 ms in time, 60 ms late', async () => {
    vi.useFakeTimers();
    const clock = new FakeClock();
    const s = session(clock);
    const setTimer: SetTimer = (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    };
    const cache = new SessionCache<string>({ now: clock.now, setTimer, logger: { warn: () => {} }, getSession: () => new Promise<Session>((r) => setTimeout(() => r(s), 60)) });
    const late = cache.lookup(conn, s.id);
    await vi.advanceTimersByTimeAsync(50);
    await expect(late).resolves.toEqual({ kind: 'miss', why: 'lookupTimeout' });
    cache.setGetSessionCallback(() => new Promise<Session>((r) => setTimeout(() => r(s), 49)));
    const onTime = cache.lookup(conn, s.id);
    await vi.advanceTimersByTimeAsync(49);
    await expect(onTime).resolves.toMatchObject({ kind: 'hit', session: s, source: 'external' });
    expect(vi.getTimerCount()).toBe(0); // its deadline (due at 50 ms) was cancelled at 49 ms
    await vi.advanceTimersByTimeAsync(100);
    expect(cache.stats).toMatchObject({ lookupTimeouts: 1, misses: 1, cbHits: 0 });
  });
  it('a logger that throws does not break the cache', () => {
    const clock = new FakeClock();
    const cache = new SessionCache<string>({
      ...requiredOptions(clock),
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
      },
      getSession: () => {
        throw new Error('store down');
      },
    });
    expect(sync(cache.lookup(conn, newId()))).toEqual({ kind: 'miss', why: 'callbackError' });
    expect(cache.stats.callbackErrors).toBe(1);
  });
  it('random: called once, for 4 bytes, at construction (the hash seed), never afterwards', () => {
    const clock = new FakeClock();
    const calls: number[] = [];
    const cache = new SessionCache<string>({ ...requiredOptions(clock), random: (n) => (calls.push(n), Uint8Array.of(1, 2, 3, 4)) });
    expect(calls).toEqual([4]);
    for (let i = 0; i < 100; i++) cache.add(session(clock));
    for (const s of cache.sessions()) resume(cache, conn, s.id);
    cache.close();
    expect(calls).toEqual([4]);
  });
  it('random: whatever the seed, the cache finds, orders and evicts patterned ids alike (the seed only moves slots)', { timeout: 20_000 }, () => {
    // Ids an application might add itself: short, sharing prefixes, differing only in length.
    const ids: Uint8Array[] = [];
    for (let len = 1; len <= 32; len++) for (let v = 0; v < 40; v++) ids.push(new Uint8Array(len).fill(v));
    const outcome = (seed: Uint8Array | undefined) => {
      const clock = new FakeClock();
      const { cache, removed } = recordingCache(clock, { maxEntries: 1000, ...(seed ? { random: () => seed } : {}) });
      const sessions = ids.map((id) => session(clock, { id }));
      for (const s of sessions) cache.add(s);
      for (let i = 0; i < sessions.length; i += 3) cache.remove(sessions[i]!.id);
      for (let i = 1; i < sessions.length; i += 7) cache.get(sessions[i]!.id);
      const present = sessions.map((s) => cache.peek(s.id) === s);
      return {
        present,
        order: cache.sessions().map((s) => sessions.indexOf(s)),
        removed: removed.map((r) => [sessions.indexOf(r.session), r.reason]),
        size: cache.size,
      };
    };
    const reference = outcome(undefined);
    // The 280 oldest were evicted by the adds; of the rest, every third was removed.
    expect(reference.present).toEqual(ids.map((_, i) => i >= 280 && i % 3 !== 0));
    expect(reference.removed.filter(([, r]) => r === 'evicted').map(([i]) => i)).toEqual(ids.slice(0, 280).map((_, i) => i));
    for (const seed of [Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x80, 0, 0, 1), Uint8Array.of(0x12, 0x34, 0x56, 0x78)]) {
      expect(outcome(seed)).toEqual(reference);
    }
  });
});

describe('§3 callbacks: setters, getters, options', () => {
  it('getters return undefined when none is set and the function once set (setter or option)', () => {
    const o = requiredOptions(new FakeClock());
    const c = new SessionCache(o);
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
    const viaOptions = new SessionCache({ ...o, newSession: n, removeSession: r, getSession: g, takeSession: t });
    expect(viaOptions.getNewSessionCallback()).toBe(n);
    expect(viaOptions.getRemoveSessionCallback()).toBe(r);
    expect(viaOptions.getGetSessionCallback()).toBe(g);
    expect(viaOptions.getTakeSessionCallback()).toBe(t);
  });
});

describe('§3 new session callback', () => {
  it('the session enters the internal cache before the callback runs', () => {
    const clock = new FakeClock();
    const s = session(clock);
    let seenInside: Session | undefined;
    const { cache } = recordingCache(clock, { newSession: () => void (seenInside = cache.peek(s.id)) });
    expect(cache.newSession(conn, s)).toBe(true);
    expect(seenInside).toBe(s);
    expect(cache.size).toBe(1);
  });
  it('is called with (conn, session, { stateless }) for every newSession event: stateless false unless the glue says so', () => {
    const clock = new FakeClock();
    const calls: [string, Session, { stateless: boolean }][] = [];
    const { cache } = recordingCache(clock, { newSession: (c, s, info) => void calls.push([c, s, info]) });
    const a = ticket(clock), b = ticket(clock), c = session(clock);
    cache.newSession('c1', a);
    cache.newSession('c1', b, { stateless: false }); // TLS 1.3: once per ticket
    cache.newSession('c2', c, { stateless: true });
    expect(calls).toEqual([
      ['c1', a, { stateless: false }],
      ['c1', b, { stateless: false }],
      ['c2', c, { stateless: true }],
    ]);
  });
  it('store: false: the callback still runs, nothing enters the internal cache (a stateless ticket)', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { newSession: cb });
    const s = session(clock);
    expect(cache.newSession(conn, s, { store: false, stateless: true })).toBe(true);
    expect(cb).toHaveBeenCalledWith(conn, s, { stateless: true });
    expect(cache.size).toBe(0);
    // Without a callback there is nowhere the session went.
    expect(recordingCache(clock).cache.newSession(conn, session(clock), { store: false })).toBe(false);
  });
  it('returning false removes the session again (reason rejected) and marks it not resumable', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    expect(cache.newSession(conn, s)).toBe(false);
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
    // not resumable: even a store that hands it back gets a miss
    cache.setGetSessionCallback(() => s);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'notResumable' });
    expect(cache.add(s)).toBe(false);
    expect(cache.newSession(conn, s)).toBe(false);
  });
  it('returning a promise of false removes it (reason rejected) once the promise settles', async () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache, removed } = recordingCache(clock, { newSession: async () => false });
    const r = cache.newSession(conn, s);
    expect(r).toBeInstanceOf(Promise);
    expect(cache.size).toBe(1); // stored before the callback
    await expect(r).resolves.toBe(false);
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('anything else (true, undefined, a promise of true or undefined) keeps it', async () => {
    const clock = new FakeClock();
    for (const answer of [true, undefined, Promise.resolve(true), Promise.resolve(undefined)]) {
      const { cache, removed } = recordingCache(clock, { newSession: () => answer as never });
      const s = session(clock);
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
    const s = session(clock);
    expect(cache.newSession(conn, s)).toBe(true);
    expect(cache.stats.callbackErrors).toBe(1);
    expect(warnings).toEqual(['new-session callback threw']);
    expect(cache.peek(s.id)).toBe(s);
  });
  it('a rejected promise is caught, counted and logged; the returned promise never rejects', async () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, { newSession: () => Promise.reject(new Error('nope')) });
    const s = session(clock);
    await expect(cache.newSession(conn, s)).resolves.toBe(true);
    expect(cache.stats.callbackErrors).toBe(1);
    expect(warnings).toEqual(['new-session callback rejected']);
    expect(cache.peek(s.id)).toBe(s);
  });
  it('is not called when the mode is off (and nothing is stored)', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { mode: 'off', newSession: cb });
    expect(cache.newSession(conn, session(clock))).toBe(false);
    expect(cb).not.toHaveBeenCalled();
    expect(cache.size).toBe(0);
    expect(cache.storesSessions).toBe(false);
  });
  it('is not called for an invalidated session, nor after close()', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { newSession: cb });
    const s = session(clock);
    cache.add(s);
    cache.remove(s);
    expect(cache.newSession(conn, s)).toBe(false);
    cache.close();
    expect(cache.newSession(conn, session(clock))).toBe(false);
    expect(cb).not.toHaveBeenCalled();
  });
  it('noInternalStore: the callback runs, nothing enters the internal cache', () => {
    const clock = new FakeClock();
    const cb = vi.fn();
    const { cache } = recordingCache(clock, { mode: ['server', 'noInternalStore'], newSession: cb });
    expect(cache.newSession(conn, session(clock))).toBe(true);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(0);
  });
});

describe('§4 off: never issue what cannot be redeemed', () => {
  it('storesSessions is false in mode off, with noInternalStore and no new-session callback, and after close()', () => {
    const clock = new FakeClock();
    expect(recordingCache(clock).cache.storesSessions).toBe(true);
    expect(recordingCache(clock, { mode: 'off', newSession: () => true }).cache.storesSessions).toBe(false);
    expect(recordingCache(clock, { mode: 'noInternalStore' }).cache.storesSessions).toBe(false);
    expect(recordingCache(clock, { mode: 'noInternalStore', newSession: () => true }).cache.storesSessions).toBe(true);
    const closed = recordingCache(clock).cache;
    closed.close();
    expect(closed.storesSessions).toBe(false);
  });
});

describe('§3 remove session callback: every reason, exactly once', () => {
  it('all nine reasons in one cache: each session is reported once, with its reason', () => {
    const clock = new FakeClock();
    let reject = false;
    const { cache, removed } = recordingCache(clock, { maxEntries: 3, newSession: () => !reject });
    const expired = session(clock, { timeout: 1 });
    const evicted = session(clock);
    const rejected = session(clock);
    const consumed = ticket(clock);
    const fatal = session(clock);
    const unclean = session(clock);
    const byApp = session(clock);
    const replacedOld = session(clock);
    const replacedNew = withFields(replacedOld, { state: state(10, 1) });
    const closed = session(clock);
    cache.add(expired);
    clock.advance(1001);
    expect(sync(cache.lookup(conn, expired.id))).toEqual({ kind: 'miss', why: 'expired' });
    cache.add(evicted);
    cache.add(session(clock));
    cache.add(session(clock));
    cache.add(session(clock)); // evicts `evicted`, the least recently used
    reject = true;
    cache.newSession(conn, rejected);
    reject = false;
    cache.add(consumed);
    expect(cache.take(conn, found(cache.lookup(conn, consumed.id)).session)).toBe(true);
    cache.add(fatal);
    cache.connectionEnded([fatal], 'fatalAlert');
    cache.add(unclean);
    cache.connectionEnded([unclean], 'uncleanShutdown');
    cache.add(byApp);
    cache.remove(byApp.id);
    cache.add(replacedOld);
    cache.add(replacedNew);
    cache.add(closed);
    cache.close();
    const reasonOf = new Map<Session, RemoveReason[]>();
    for (const r of removed) reasonOf.set(r.session, [...(reasonOf.get(r.session) ?? []), r.reason]);
    expect(reasonOf.get(expired)).toEqual(['expired']);
    expect(reasonOf.get(evicted)).toEqual(['evicted']);
    expect(reasonOf.get(rejected)).toEqual(['rejected']);
    expect(reasonOf.get(consumed)).toEqual(['consumed']);
    expect(reasonOf.get(fatal)).toEqual(['fatalAlert']);
    expect(reasonOf.get(unclean)).toEqual(['uncleanShutdown']);
    expect(reasonOf.get(byApp)).toEqual(['removed']);
    expect(reasonOf.get(replacedOld)).toEqual(['replaced']);
    expect(reasonOf.get(closed)).toEqual(['contextClosed']);
    expect(reasonOf.get(replacedNew)).toEqual(['contextClosed']);
    // Nobody twice, whatever else happens afterwards.
    for (const reasons of reasonOf.values()) expect(reasons).toHaveLength(1);
    for (const s of [expired, evicted, rejected, consumed, fatal, unclean, byApp, replacedOld, closed]) {
      cache.remove(s);
      cache.invalidate(s, 'fatalAlert');
    }
    cache.connectionEnded([fatal, unclean], 'fatalAlert');
    expect(removed).toHaveLength(reasonOf.size);
  });
  it('expired: found expired on lookup (timeouts++, removed, miss); at the exact boundary it is still found', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = session(clock, { timeout: 10 });
    cache.add(s);
    clock.advance(10_000);
    expect(found(cache.lookup(conn, s.id)).session).toBe(s); // at the boundary: still valid
    clock.advance(1);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'expired' });
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.size).toBe(0);
    // The first lookup never got a verdict: nothing counted for it.
    expect(cache.stats).toMatchObject({ timeouts: 1, hits: 0, misses: 0 });
  });
  it('expired: by flush(now) and flush() on the clock (not counted in timeouts)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const short = session(clock, { timeout: 1 });
    const long = session(clock, { timeout: 100 });
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
  it('expired: flush honours authTimeout too (chained resumptions cannot extend the original authentication)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { authTimeout: 60 });
    const chained = session(clock, { authTime: clock.t - 50_000, timeout: 3600 });
    cache.add(chained);
    expect(cache.flush(clock.t + 10_000)).toBe(0);
    expect(cache.flush(clock.t + 10_001)).toBe(1);
    expect(removed).toEqual([{ session: chained, reason: 'expired' }]);
  });
  it('evicted: least recently used first when maxEntries is reached (cacheFull++)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { maxEntries: 3 });
    const [a, b, c, d] = [session(clock), session(clock), session(clock), session(clock)];
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
  it('evicted: an accepted resumption makes the session most recently used; a lookup alone or a refusal does not', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { maxEntries: 3 });
    const [a, b, c, d, e] = [session(clock), session(clock), session(clock), session(clock), session(clock)];
    cache.add(a!);
    cache.add(b!);
    cache.add(c!);
    found(cache.lookup(conn, a!.id)); // no verdict
    cache.refuse(found(cache.lookup(conn, a!.id)), 'mismatch');
    expect(cache.sessions()).toEqual([c, b, a]);
    resume(cache, conn, a!.id);
    expect(cache.sessions()).toEqual([a, c, b]);
    cache.add(d!);
    cache.add(e!);
    expect(removed).toEqual([{ session: b, reason: 'evicted' }, { session: c, reason: 'evicted' }]);
  });
  it('evicted: lowering maxEntries evicts at once', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const all = [session(clock), session(clock), session(clock)];
    for (const s of all) cache.add(s);
    cache.maxEntries = 1;
    expect(removed.map((r) => [r.session, r.reason])).toEqual([[all[0], 'evicted'], [all[1], 'evicted']]);
    expect(cache.stats.cacheFull).toBe(2);
  });
  it('maxEntries 0 = unbounded', { timeout: 30_000 }, () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { maxEntries: 0 });
    for (let i = 0; i < 25_000; i++) cache.add(session(clock));
    expect(cache.size).toBe(25_000);
    expect(removed).toEqual([]);
  });
  it('maxBytes: evicts least recently used until the budget holds; a session larger than the budget is evicted at once', () => {
    const clock = new FakeClock();
    const cost = sessionCost(session(clock));
    const { cache, removed } = recordingCache(clock, { maxBytes: 2 * cost, maxEntries: 0 });
    const [a, b, c] = [session(clock), session(clock), session(clock)];
    cache.add(a!);
    cache.add(b!);
    expect(cache.byteSize).toBe(2 * cost);
    cache.add(c!);
    expect(removed).toEqual([{ session: a, reason: 'evicted' }]);
    expect(cache.byteSize).toBe(2 * cost);
    const huge = session(clock, { state: state(10 * cost) });
    expect(cache.add(huge)).toBe(false);
    expect(removed.at(-1)).toEqual({ session: huge, reason: 'evicted' });
    expect(cache.stats.cacheFull).toBe(2);
    expect(cache.size).toBe(2);
    expect(cache.peek(huge.id)).toBeUndefined();
  });
  it('maxBytes counts the state: a large one evicts several small ones; lowering maxBytes evicts at once', () => {
    const clock = new FakeClock();
    const small = [session(clock, { state: state(100) }), session(clock, { state: state(100) }), session(clock, { state: state(100) })];
    const big = session(clock, { state: state(1000) });
    const budget = sessionCost(small[0]!) * 2 + sessionCost(big);
    const { cache, removed } = recordingCache(clock, { maxBytes: budget });
    for (const s of small) cache.add(s);
    cache.add(big);
    expect(removed).toEqual([{ session: small[0], reason: 'evicted' }]);
    expect(cache.byteSize).toBe(budget);
    cache.maxBytes = sessionCost(big);
    expect(removed.map((r) => r.session)).toEqual(small);
    expect(cache.sessions()).toEqual([big]);
  });
  it('rejected: the new-session callback returned false', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    const s = ticket(clock);
    cache.newSession(conn, s);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('consumed: a single-use session taken after its binder verified', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = ticket(clock);
    cache.add(s);
    expect(cache.take(conn, found(cache.lookup(conn, s.id)).session)).toBe(true);
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
  });
  it('removed: cache.remove(id) and cache.remove(session) by the application', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = session(clock), b = session(clock);
    cache.add(a);
    cache.add(b);
    expect(cache.remove(a.id)).toBe(true);
    expect(cache.remove(b)).toBe(true);
    expect(cache.remove(b)).toBe(false);
    expect(cache.remove(newId())).toBe(false);
    expect(removed).toEqual([{ session: a, reason: 'removed' }, { session: b, reason: 'removed' }]);
  });
  it('contextClosed: close() flushes every session; afterwards nothing is stored, lookups miss and takes fail', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { getSession: () => undefined });
    const a = session(clock), b = ticket(clock);
    cache.add(a);
    cache.add(b);
    cache.close();
    expect(removed).toEqual([{ session: a, reason: 'contextClosed' }, { session: b, reason: 'contextClosed' }]);
    expect(cache.size).toBe(0);
    expect(cache.byteSize).toBe(0);
    expect(cache.add(session(clock))).toBe(false);
    expect(cache.newSession(conn, session(clock))).toBe(false);
    expect(sync(cache.lookup(conn, a.id))).toEqual({ kind: 'miss', why: 'closed' });
    expect(cache.ticketOpened(session(clock))).toEqual({ kind: 'miss', why: 'closed' });
    expect(cache.take(conn, ticket(clock))).toBe(false);
    cache.close(); // idempotent
    expect(removed).toHaveLength(2);
  });
  it('replaced: adding another session with the same id fires for the old one', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const a = session(clock);
    const a2 = withFields(a, { state: state(200, 1) });
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
    const a = session(clock), b = session(clock);
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
    const tickets = [ticket(clock), ticket(clock)];
    for (const t of tickets) cache.newSession(conn, t);
    cache.connectionEnded(tickets, 'clean');
    expect(removed).toEqual([]);
    cache.connectionEnded(tickets, 'uncleanShutdown');
    expect(removed).toEqual(tickets.map((s) => ({ session: s, reason: 'uncleanShutdown' })));
    const more = [ticket(clock)];
    cache.add(more[0]!);
    cache.connectionEnded(more, 'fatalAlert');
    expect(removed.at(-1)).toEqual({ session: more[0], reason: 'fatalAlert' });
  });
  it('§5 removeOnUncleanShutdown: false keeps sessions on unclean shutdown, but a fatal alert always invalidates', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { removeOnUncleanShutdown: false });
    const s = session(clock);
    cache.add(s);
    cache.connectionEnded([s], 'uncleanShutdown');
    expect(cache.size).toBe(1);
    cache.connectionEnded([s], 'fatalAlert');
    expect(removed).toEqual([{ session: s, reason: 'fatalAlert' }]);
  });
  it('§5 an invalidated session is not resumable: a store that hands it back gets a miss', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache } = recordingCache(clock, { mode: 'noInternalStore', newSession: () => true, getSession: () => s });
    cache.newSession(conn, s);
    cache.connectionEnded([s], 'uncleanShutdown');
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'notResumable' });
    expect(cache.stats.misses).toBe(1);
  });
  it('fires for sessions never stored internally (noInternalStore), so an external store hears every invalidation', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { mode: 'noInternalStore', newSession: () => true });
    const tickets = [ticket(clock), ticket(clock), ticket(clock)];
    for (const t of tickets) cache.newSession(conn, t);
    expect(cache.size).toBe(0);
    cache.connectionEnded(tickets, 'uncleanShutdown');
    expect(removed).toEqual(tickets.map((s) => ({ session: s, reason: 'uncleanShutdown' })));
  });
  it('exactly once per session: a second invalidation of the same session is silent', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { newSession: () => false });
    const s = session(clock);
    cache.newSession(conn, s); // rejected
    expect(cache.invalidate(s, 'uncleanShutdown')).toBe(false);
    expect(cache.remove(s)).toBe(false);
    expect(cache.invalidate(s, 'fatalAlert')).toBe(false);
    expect(removed).toEqual([{ session: s, reason: 'rejected' }]);
  });
  it('re-entrant remove inside the remove callback: no recursion, no double fire, the other removal is delivered after', () => {
    const clock = new FakeClock();
    const a = session(clock), b = session(clock);
    const log: string[] = [];
    let depth = 0;
    let maxDepth = 0;
    const cache: SessionCache<string> = new SessionCache<string>({
      ...requiredOptions(clock),
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
  it('the remove callback sees a consistent cache: the session is already gone when it runs', () => {
    const clock = new FakeClock();
    const seen: [RemoveReason, boolean, number][] = [];
    const cache: SessionCache<string> = new SessionCache<string>({
      ...requiredOptions(clock),
      maxEntries: 1,
      removeSession: (c, s, reason) => void seen.push([reason, c.peek(s.id) === s, c.size]),
    });
    const a = session(clock), b = session(clock);
    cache.add(a);
    cache.add(b); // evicts a
    cache.remove(b);
    expect(seen).toEqual([['evicted', false, 1], ['removed', false, 0]]);
  });
  it('a remove callback that throws is caught, counted and logged; the cache goes on', () => {
    const clock = new FakeClock();
    const { cache, warnings } = recordingCache(clock, {
      removeSession: () => {
        throw new Error('x');
      },
    });
    cache.add(session(clock));
    cache.add(session(clock));
    cache.close();
    expect(cache.stats.callbackErrors).toBe(2);
    expect(warnings).toEqual(['remove-session callback threw', 'remove-session callback threw']);
    expect(cache.size).toBe(0);
  });
});

describe('§3 get session callback', () => {
  it('is consulted when the internal lookup misses; the hit counts (cbHits) and is inserted internally only when the handshake accepts it', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const store = new Map([[s.id.join(), s]]);
    const get = vi.fn((_c: string, id: Uint8Array) => store.get(id.join()));
    const { cache } = recordingCache(clock, { getSession: get });
    const h = found(cache.lookup(conn, s.id));
    expect(h).toEqual({ kind: 'hit', session: s, source: 'external', shared: true });
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0]![0]).toBe(conn);
    expect(cache.peek(s.id)).toBeUndefined(); // not yet: the handshake has not decided
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 0, misses: 0 });
    expect(cache.accept(h)).toBe(s);
    expect(cache.peek(s.id)).toBe(s);
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 1, misses: 0 });
    expect(resume(cache, conn, s.id)).toBe(s); // now internal
    expect(get).toHaveBeenCalledTimes(1);
    expect(cache.stats).toMatchObject({ hits: 1, cbHits: 1, misses: 0 });
  });
  it('an external session the handshake refused is not inserted', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache, removed } = recordingCache(clock, { getSession: () => s });
    cache.refuse(found(cache.lookup(conn, s.id)), 'contextMismatch');
    expect(cache.size).toBe(0);
    expect(removed).toEqual([]);
    expect(cache.stats).toMatchObject({ cbHits: 0, misses: 1, contextMismatches: 1 });
  });
  it('gets its own copy of the id (the ClientHello buffer may be reused)', () => {
    const clock = new FakeClock();
    let seen: Uint8Array | undefined;
    const { cache } = recordingCache(clock, { getSession: (_c, id) => void (seen = id) });
    const buf = newId();
    cache.lookup(conn, buf);
    expect(seen).toEqual(buf);
    expect(seen).not.toBe(buf);
  });
  it('is consulted also when the mode is off, and an accepted hit is not stored', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const inStore = session(clock);
    const { cache } = recordingCache(clock, { mode: 'off', getSession: (_c, id) => (id[0] === s.id[0] ? s : undefined) });
    cache.add(inStore); // explicit add still works, but is never looked up in mode off
    expect(sync(cache.lookup(conn, inStore.id))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(resume(cache, conn, s.id)).toBe(s);
    expect(cache.peek(s.id)).toBeUndefined();
    expect(cache.stats).toMatchObject({ cbHits: 1, misses: 1 });
  });
  it('noInternalLookup: always consulted, even when the internal cache has the session', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const get = vi.fn(() => s);
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'noInternalLookup'], getSession: get });
    cache.add(s);
    expect(resume(cache, conn, s.id)).toBe(s);
    expect(resume(cache, conn, s.id)).toBe(s);
    expect(get).toHaveBeenCalledTimes(2);
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 2 });
    expect(removed).toEqual([]); // re-inserting the same session is not a replacement
  });
  it('noInternalStore: an accepted external hit is not inserted internally', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache } = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s });
    expect(resume(cache, conn, s.id)).toBe(s);
    expect(cache.size).toBe(0);
    expect(cache.stats.cbHits).toBe(1);
  });
  it('noInternal = noInternalLookup + noInternalStore', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const get = vi.fn(() => s);
    const { cache } = recordingCache(clock, { mode: 'noInternal', getSession: get, newSession: () => true });
    cache.newSession(conn, s);
    expect(cache.size).toBe(0);
    resume(cache, conn, s.id);
    expect(get).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(0);
  });
  it('an accepted single-use external session is not inserted internally (it was taken)', () => {
    const clock = new FakeClock();
    const t = ticket(clock);
    const { cache } = recordingCache(clock, { getSession: () => t, takeSession: () => true });
    const h = found(cache.lookup(conn, t.id));
    expect(cache.take(conn, h.session)).toBe(true);
    cache.accept(h);
    expect(cache.size).toBe(0);
    expect(cache.stats.cbHits).toBe(1);
  });
  it('copy true (and the default of a bare session): the hit is marked shared', () => {
    const clock = new FakeClock();
    const s = session(clock);
    for (const answer of [s, { session: s }, { session: s, copy: true }]) {
      const { cache } = recordingCache(clock, { getSession: () => answer });
      expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'hit', session: s, source: 'external', shared: true });
    }
  });
  it('copy false: the store hands the object over; the hit is not shared, and it is the object kept on accept', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache } = recordingCache(clock, { getSession: () => ({ session: s, copy: false }) });
    const h = found(cache.lookup(conn, s.id));
    expect(h).toEqual({ kind: 'hit', session: s, source: 'external', shared: false });
    cache.accept(h);
    expect(cache.peek(s.id)).toBe(s);
  });
  it('a plain object from the store is validated and frozen; an invalid one or another id is a miss (callbackErrors++, logged)', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache } = recordingCache(clock, { getSession: () => ({ ...s }) as Session });
    const got = found(cache.lookup(conn, s.id)).session;
    expect(isSession(got)).toBe(true);
    expect(Object.isFrozen(got)).toBe(true);
    expect(got).toEqual(s);
    for (const invalid of [{ ...s, state: new Uint8Array(0) }, { ...s, singleUse: 'no' }, { ...s, timeout: -1 }, { id: s.id }, 42, 'session']) {
      const bad = recordingCache(clock, { getSession: () => invalid as never });
      expect(sync(bad.cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'invalidSession' });
      expect(bad.cache.stats).toMatchObject({ callbackErrors: 1, misses: 1 });
      expect(bad.warnings).toEqual(['get-session callback returned an invalid session']);
    }
    const other = recordingCache(clock, { getSession: () => session(clock) });
    expect(sync(other.cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'invalidSession' });
    expect(other.warnings).toEqual(['get-session callback returned a session with another id']);
    const otherPlain = recordingCache(clock, { getSession: () => ({ session: { ...s, id: newId() } as Session, copy: false }) });
    expect(sync(otherPlain.cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'invalidSession' });
  });
  it('returning undefined or null is a miss (misses++)', () => {
    const clock = new FakeClock();
    for (const v of [undefined, null]) {
      const { cache } = recordingCache(clock, { getSession: () => v });
      expect(sync(cache.lookup(conn, newId()))).toEqual({ kind: 'miss', why: 'notFound' });
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
    expect(sync(cache.lookup(conn, newId()))).toEqual({ kind: 'miss', why: 'callbackError' });
    expect(cache.stats).toMatchObject({ callbackErrors: 1, misses: 1 });
    expect(warnings).toEqual(['get-session callback threw']);
  });
  it('async get resolving in time: a promise of a found session; the deadline timer is cancelled; cbHits only on accept', async () => {
    const clock = new FakeClock();
    const s = session(clock);
    const { cache, timer } = recordingCache(clock, { getSession: async () => s });
    const r = cache.lookup(conn, s.id);
    expect(r).toBeInstanceOf(Promise);
    expect(timer.started).toEqual([DEFAULT_LOOKUP_TIMEOUT_MS]);
    const h = await r;
    expect(h).toEqual({ kind: 'hit', session: s, source: 'external', shared: true });
    expect(timer.pending()).toBe(0);
    expect(cache.stats.cbHits).toBe(0);
    cache.accept(h as LookupHit);
    expect(cache.stats.cbHits).toBe(1);
    expect(cache.peek(s.id)).toBe(s);
  });
  it('async get resolving late is a miss (lookupTimeouts++), and the late session is ignored', async () => {
    const clock = new FakeClock();
    const s = session(clock);
    let resolve!: (v: Session) => void;
    const { cache, timer } = recordingCache(clock, { getSession: () => new Promise<Session>((r) => (resolve = r)) });
    const r = cache.lookup(conn, s.id);
    timer.fire(); // the deadline passes first
    await expect(r).resolves.toEqual({ kind: 'miss', why: 'lookupTimeout' });
    resolve(s);
    await Promise.resolve();
    await Promise.resolve();
    expect(cache.size).toBe(0);
    expect(cache.stats).toMatchObject({ lookupTimeouts: 1, misses: 1, cbHits: 0, callbackErrors: 0 });
  });
  it('async get rejecting is a miss (callbackErrors++, logged), the timer is cancelled', async () => {
    const clock = new FakeClock();
    const { cache, warnings, timer } = recordingCache(clock, { getSession: () => Promise.reject(new Error('redis')) });
    await expect(cache.lookup(conn, newId())).resolves.toEqual({ kind: 'miss', why: 'callbackError' });
    expect(cache.stats).toMatchObject({ callbackErrors: 1, misses: 1, lookupTimeouts: 0 });
    expect(warnings).toEqual(['get-session callback rejected']);
    expect(timer.pending()).toBe(0);
  });
  it('an async answer after close() is a miss (closed)', async () => {
    const clock = new FakeClock();
    const s = session(clock);
    let resolve!: (v: Session) => void;
    const { cache } = recordingCache(clock, { getSession: () => new Promise<Session>((r) => (resolve = r)) });
    const r = cache.lookup(conn, s.id);
    cache.close();
    resolve(s);
    await expect(r).resolves.toEqual({ kind: 'miss', why: 'closed' });
  });
  it('an expired external session: timeouts++, removed with reason expired (the store hears it), miss', () => {
    const clock = new FakeClock();
    const s = session(clock, { timeout: 1 });
    const { cache, removed } = recordingCache(clock, { getSession: () => s });
    clock.advance(1001);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'expired' });
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.stats).toMatchObject({ timeouts: 1, misses: 0 });
  });
});

describe('§3/§4 expiry of a found session (internal and external alike) — the only check the cache makes', () => {
  const paths = ['internal', 'external'] as const;
  function setup(path: (typeof paths)[number], s: Session, options: { authTimeout?: number } = {}) {
    const clock = new FakeClock(s.createdAt);
    const get = vi.fn(() => s);
    const r = recordingCache(clock, { ...options, ...(path === 'external' ? { getSession: get } : {}) });
    if (path === 'internal') r.cache.add(s);
    return { ...r, clock, get };
  }
  for (const path of paths) {
    it(`${path}: expired → timeouts++, removed (expired), miss`, () => {
      const s = session(new FakeClock(), { timeout: 5 });
      const { cache, removed, clock } = setup(path, s);
      clock.advance(5001);
      expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'expired' });
      expect(removed).toEqual([{ session: s, reason: 'expired' }]);
      expect(cache.stats).toMatchObject({ timeouts: 1, misses: 0, hits: 0, cbHits: 0 });
      expect(cache.size).toBe(0);
    });
    it(`${path}: valid up to createdAt + timeout inclusive`, () => {
      const s = session(new FakeClock(), { timeout: 5 });
      const { cache, clock } = setup(path, s);
      clock.advance(5000);
      expect(found(cache.lookup(conn, s.id))).toMatchObject({ session: s, source: path });
    });
    it(`${path}: the session’s own timeout, not capped at 7 days (the handshake bounds TLS 1.3 ticket lifetimes)`, () => {
      const s = session(new FakeClock(), { timeout: 10 * 86400 });
      const { cache, clock } = setup(path, s, { authTimeout: 30 * 86400 });
      clock.advance(10 * 86400_000);
      expect(found(cache.lookup(conn, s.id)).session).toBe(s);
      clock.advance(1);
      expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'expired' });
    });
    it(`${path}: authTimeout exceeded → miss authExpired, removed (expired), timeouts++ (chained resumptions cannot extend it)`, () => {
      // A follow-up ticket made now from a handshake 6 days ago, lifetime 2 days: authTimeout (7 days) ends first.
      const clock0 = new FakeClock();
      const s = session(clock0, { timeout: 2 * 86400, authTime: clock0.t - 6 * 86400_000 });
      const { cache, removed, clock } = setup(path, s);
      clock.advance(86400_000);
      expect(found(cache.lookup(conn, s.id)).session).toBe(s);
      clock.advance(1);
      expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'authExpired' });
      expect(removed).toEqual([{ session: s, reason: 'expired' }]);
      expect(cache.stats.timeouts).toBe(1);
    });
    it(`${path}: authTimeout is the cache’s: 0 allows no resumption later than the full handshake itself`, () => {
      const s = session(new FakeClock(), { timeout: 3600 });
      const { cache, clock } = setup(path, s, { authTimeout: 0 });
      expect(found(cache.lookup(conn, s.id)).session).toBe(s);
      clock.advance(1);
      expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'authExpired' });
    });
    it(`${path}: a refusal leaves the session where it was and reports nothing to the remove callback`, () => {
      const s = session(new FakeClock());
      const { cache, removed } = setup(path, s);
      for (const why of ['mismatch', 'contextMismatch', 'undecodable', 'badBinder', 'notTaken'] as const) cache.refuse(found(cache.lookup(conn, s.id)), why);
      expect(cache.peek(s.id)).toBe(path === 'internal' ? s : undefined);
      expect(removed).toEqual([]);
      expect(found(cache.lookup(conn, s.id)).session).toBe(s);
    });
  }
  it('ids of 0 or more than 32 bytes are a miss without asking the get callback', () => {
    const clock = new FakeClock();
    const get = vi.fn(() => undefined);
    const { cache } = recordingCache(clock, { getSession: get });
    expect(sync(cache.lookup(conn, new Uint8Array(0)))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(sync(cache.lookup(conn, new Uint8Array(33)))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(get).not.toHaveBeenCalled();
    expect(cache.stats.misses).toBe(2);
  });
  it('ids of 1 to 32 bytes are looked up exactly (a prefix or extension of a stored id is another id)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const id = newId(5, 16);
    const s = session(clock, { id });
    cache.add(s);
    expect(found(cache.lookup(conn, id.slice())).session).toBe(s);
    expect(sync(cache.lookup(conn, id.subarray(0, 15)))).toEqual({ kind: 'miss', why: 'notFound' });
    const longer = new Uint8Array(17);
    longer.set(id);
    expect(sync(cache.lookup(conn, longer))).toEqual({ kind: 'miss', why: 'notFound' });
  });
});

describe('verdicts: a found session counts only when the handshake decides (accept → hit, refuse → miss)', () => {
  it('a lookup that finds a session counts nothing by itself', () => {
    const clock = new FakeClock();
    const ext = session(clock);
    const { cache } = recordingCache(clock, { getSession: (_c, id) => (id[0] === ext.id[0] ? ext : undefined) });
    const s = session(clock);
    cache.add(s);
    const before = cache.stats;
    found(cache.lookup(conn, s.id));
    found(cache.lookup(conn, ext.id));
    found(cache.ticketOpened(session(clock)));
    expect(cache.stats).toEqual(before);
  });
  it('accept: internal and ticket → hits, external → cbHits; returns the session as the cache keeps it', () => {
    const clock = new FakeClock();
    const ext = session(clock);
    const { cache } = recordingCache(clock, { getSession: (_c, id) => (id[0] === ext.id[0] ? ext : undefined) });
    const s = session(clock);
    const t = session(clock);
    cache.add(s);
    expect(cache.accept(found(cache.lookup(conn, s.id)))).toBe(s);
    expect(cache.accept(found(cache.ticketOpened(t)))).toBe(t);
    expect(cache.accept(found(cache.lookup(conn, ext.id)))).toBe(ext);
    expect(cache.stats).toMatchObject({ hits: 2, cbHits: 1, misses: 0 });
    expect(cache.peek(t.id)).toBeUndefined(); // a ticket's session is never stored by accepting it
  });
  it('refuse: every reason is a miss; contextMismatch and badBinder are also counted on their own', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const s = session(clock);
    cache.add(s);
    const reasons: RefuseReason[] = ['mismatch', 'contextMismatch', 'undecodable', 'badBinder', 'notTaken', 'contextMismatch'];
    for (const why of reasons) cache.refuse(found(cache.lookup(conn, s.id)), why);
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 0, misses: 6, contextMismatches: 2, binderFailures: 1, replaysRejected: 0 });
  });
  it('whatever the handshake refuses is never a hit, from any source (issue 15: the cache never counts a hit the handshake refused)', () => {
    const clock = new FakeClock();
    const s = session(clock);
    const ext = session(clock);
    const { cache } = recordingCache(clock, { getSession: () => ext });
    cache.add(s);
    cache.refuse(found(cache.lookup(conn, s.id)), 'mismatch');
    cache.refuse(found(cache.lookup(conn, ext.id)), 'mismatch');
    cache.refuse(found(cache.ticketOpened(session(clock))), 'mismatch');
    expect(cache.stats).toMatchObject({ hits: 0, cbHits: 0, misses: 3 });
  });
  it('accept and refuse check their arguments (TypeError for a hit whose session was not made by createSession, RangeError for an unknown reason); nothing is counted', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const fake = { ...session(clock) } as Session;
    expect(() => cache.accept({ kind: 'hit', session: fake, source: 'internal', shared: false })).toThrow(TypeError);
    expect(() => cache.refuse({ kind: 'hit', session: fake, source: 'internal', shared: false }, 'mismatch')).toThrow(TypeError);
    expect(() => cache.refuse(undefined as never, 'mismatch')).toThrow(TypeError);
    const h = found(cache.ticketOpened(session(clock)));
    expect(() => cache.refuse(h, 'expired' as never)).toThrow(RangeError);
    expect(() => cache.refuse(h, 'bogus' as never)).toThrow(/"why" must be one of mismatch, contextMismatch, undecodable, badBinder, notTaken, got "bogus"/);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0 });
  });
});

describe('§4 modes: updateTime, auto flush', () => {
  it('updateTime: an accepted resumption resets createdAt (the session lives on), authTime is kept', () => {
    const clock = new FakeClock();
    const s = session(clock, { timeout: 10 });
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'updateTime'] });
    cache.add(s);
    clock.advance(8000);
    const s2 = resume(cache, conn, s.id);
    expect(s2).not.toBe(s);
    expect(s2).toEqual({ ...s, createdAt: clock.t });
    expect(cache.peek(s.id)).toBe(s2);
    expect(cache.byteSize).toBe(sessionCost(s2));
    clock.advance(8000); // 16 s after creation, 8 s after the hit
    expect(resume(cache, conn, s.id).createdAt).toBe(clock.t);
    expect(removed).toEqual([]);
    // the connection that made the original can still invalidate it by its old object
    cache.invalidate(s, 'uncleanShutdown');
    expect(cache.size).toBe(0);
    expect(removed).toEqual([{ session: s, reason: 'uncleanShutdown' }]);
  });
  it('updateTime: a lookup alone or a refusal does not extend the session', () => {
    const clock = new FakeClock();
    const s = session(clock, { timeout: 10 });
    const { cache } = recordingCache(clock, { mode: ['server', 'updateTime'] });
    cache.add(s);
    clock.advance(8000);
    found(cache.lookup(conn, s.id));
    cache.refuse(found(cache.lookup(conn, s.id)), 'mismatch');
    expect(cache.peek(s.id)).toBe(s);
    clock.advance(8000);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'expired' });
  });
  it('updateTime: an accepted external hit is inserted with the new createdAt; at the same instant nothing is copied', () => {
    const clock = new FakeClock();
    const s = session(clock, { timeout: 10 });
    const { cache } = recordingCache(clock, { mode: ['server', 'updateTime'], getSession: () => s });
    expect(resume(cache, conn, s.id)).toBe(s); // createdAt is already now
    cache.remove(s.id);
    const s3 = session(clock, { timeout: 10 });
    cache.setGetSessionCallback(() => s3);
    clock.advance(5000);
    const kept = resume(cache, conn, s3.id);
    expect(kept.createdAt).toBe(clock.t);
    expect(cache.peek(s3.id)).toBe(kept);
  });
  it('without updateTime an accepted resumption does not extend the session', () => {
    const clock = new FakeClock();
    const s = session(clock, { timeout: 10 });
    const { cache } = recordingCache(clock);
    cache.add(s);
    clock.advance(8000);
    expect(resume(cache, conn, s.id)).toBe(s);
    clock.advance(8000);
    expect(sync(cache.lookup(conn, s.id)).kind).toBe('miss');
  });
  it(`auto flush of expired sessions at the ${AUTO_FLUSH_INTERVAL}th completed handshake, and every ${AUTO_FLUSH_INTERVAL} after`, () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = session(clock, { timeout: 1 });
    cache.add(s);
    clock.advance(2000);
    for (let i = 0; i < AUTO_FLUSH_INTERVAL - 1; i++) cache.handshakeCompleted();
    expect(removed).toEqual([]);
    cache.handshakeCompleted();
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.stats.acceptGood).toBe(255);
    const t = session(clock, { timeout: 1 });
    cache.add(t);
    clock.advance(2000);
    for (let i = 0; i < AUTO_FLUSH_INTERVAL - 1; i++) cache.handshakeCompleted();
    expect(cache.size).toBe(1);
    cache.handshakeCompleted();
    expect(removed.at(-1)).toEqual({ session: t, reason: 'expired' });
  });
  it('noAutoClear: no flush at the 255th handshake', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { mode: ['server', 'noAutoClear'] });
    cache.add(session(clock, { timeout: 1 }));
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
    expect(cache.newSession(conn, session(clock))).toBe(false); // nowhere to keep it
    cache.setMode(['updateTime']);
    const s = session(clock);
    expect(cache.newSession(conn, s)).toBe(true);
    clock.advance(10);
    expect(resume(cache, conn, s.id).createdAt).toBe(clock.t);
    cache.setMode('off');
    expect(cache.getMode()).toEqual(['off']);
    expect(cache.storesSessions).toBe(false);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'notFound' }); // off: no internal lookup
  });
});

describe('§4 statistics', () => {
  it('counts number, accept, acceptGood, hits, cbHits, misses, timeouts, cacheFull, lookupTimeouts, callbackErrors, binderFailures, replaysRejected, contextMismatches', async () => {
    const clock = new FakeClock();
    const ext = session(clock);
    let slow = false;
    let failing = false;
    const { cache, timer } = recordingCache(clock, {
      maxEntries: 2,
      getSession: (_c, id) => {
        if (failing) throw new Error('down');
        if (slow) return new Promise<Session>(() => {});
        return id[0] === ext.id[0] && id[1] === ext.id[1] ? ext : undefined;
      },
    });
    const a = session(clock), old = session(clock, { timeout: 1 }), tk = ticket(clock);
    cache.handshakeStarted();
    cache.handshakeStarted();
    cache.handshakeCompleted();
    cache.add(a);
    cache.add(old);
    resume(cache, conn, a.id); // hits 1
    resume(cache, conn, ext.id); // cbHits 1, inserted → evicts old (cacheFull 1)
    cache.lookup(conn, newId()); // misses 1
    cache.refuse(found(cache.lookup(conn, a.id)), 'contextMismatch'); // misses 2, contextMismatches 1 (a not touched)
    cache.add(tk); // evicts a, the least recently used (cacheFull 2)
    cache.refuse(found(cache.lookup(conn, tk.id)), 'badBinder'); // misses 3, binderFailures 1
    const h1 = found(cache.lookup(conn, tk.id));
    const h2 = found(cache.lookup('conn-2', tk.id));
    expect(cache.take(conn, h1.session)).toBe(true);
    cache.accept(h1); // hits 2
    expect(cache.take('conn-2', h2.session)).toBe(false); // replaysRejected 1
    cache.refuse(h2, 'notTaken'); // misses 4
    slow = true;
    const late = cache.lookup(conn, newId());
    timer.fire();
    await late; // misses 5, lookupTimeouts 1
    slow = false;
    failing = true;
    cache.lookup(conn, newId()); // misses 6, callbackErrors 1
    failing = false;
    clock.advance(7200_001);
    expect(sync(cache.lookup(conn, ext.id))).toEqual({ kind: 'miss', why: 'expired' }); // timeouts 1
    cache.replayRejected(); // replaysRejected 2
    expect(cache.stats).toEqual({
      number: 0,
      accept: 2,
      acceptGood: 1,
      hits: 2,
      cbHits: 1,
      misses: 6,
      timeouts: 1,
      cacheFull: 2,
      lookupTimeouts: 1,
      callbackErrors: 1,
      binderFailures: 1,
      replaysRejected: 2,
      contextMismatches: 1,
    });
    // Ten lookups came to a verdict: hits + cbHits + misses + timeouts.
    const s = cache.stats;
    expect(s.hits + s.cbHits + s.misses + s.timeouts).toBe(10);
  });
  it('stats is a snapshot', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const before = cache.stats;
    cache.handshakeStarted();
    cache.add(session(clock));
    expect(before).toMatchObject({ accept: 0, number: 0 });
    expect(cache.stats).toMatchObject({ accept: 1, number: 1 });
  });
});

describe('§6 single use (TLS 1.3 stateful)', () => {
  it('look up, take, accept: taken atomically (consumed), counted as a hit, not stored again; a second use is a miss', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = ticket(clock);
    cache.add(s);
    const h = found(cache.lookup(conn, s.id));
    expect(cache.take(conn, h.session)).toBe(true);
    expect(cache.accept(h)).toBe(s);
    expect(cache.size).toBe(0);
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'notFound' });
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
  });
  it('updateTime does not bring a taken session back', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock, { mode: ['server', 'updateTime'] });
    const s = ticket(clock);
    cache.add(s);
    clock.advance(100);
    const h = found(cache.lookup(conn, s.id));
    cache.take(conn, h.session);
    expect(cache.accept(h)).toBe(s);
    expect(cache.size).toBe(0);
  });
  it('two concurrent takes of one found session: exactly one succeeds (replaysRejected++), the other is refused (a miss)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const s = ticket(clock);
    cache.add(s);
    const r1 = found(cache.lookup('c1', s.id));
    const r2 = found(cache.lookup('c2', s.id));
    expect([cache.take('c1', r1.session), cache.take('c2', r2.session)]).toEqual([true, false]);
    cache.accept(r1);
    cache.refuse(r2, 'notTaken');
    expect(cache.stats).toMatchObject({ replaysRejected: 1, hits: 1, misses: 1 });
  });
  it('a bad binder does not consume: refuse(badBinder) leaves the session (binderFailures++, a miss); the right binder still takes it', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = ticket(clock);
    cache.add(s);
    cache.refuse(found(cache.lookup(conn, s.id)), 'badBinder');
    expect(cache.peek(s.id)).toBe(s);
    expect(removed).toEqual([]);
    const h = found(cache.lookup(conn, s.id));
    expect(cache.take(conn, h.session)).toBe(true);
    cache.accept(h);
    expect(cache.stats).toMatchObject({ binderFailures: 1, misses: 1, hits: 1 });
  });
  it('internal only, no external store: a session no longer in the table was taken already (false, replaysRejected++)', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = ticket(clock);
    expect(cache.take(conn, s)).toBe(false);
    expect(cache.stats.replaysRejected).toBe(1);
    expect(removed).toEqual([]);
  });
  it('external without takeSession: the remove callback hears consumed', () => {
    const clock = new FakeClock();
    const s = ticket(clock);
    const { cache, removed } = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s });
    expect(cache.take(conn, found(cache.lookup(conn, s.id)).session)).toBe(true);
    expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
    expect(cache.take(conn, s)).toBe(false); // the same object again
    expect(sync(cache.lookup(conn, s.id))).toEqual({ kind: 'miss', why: 'notResumable' });
  });
  it('external with takeSession (GETDEL): true takes it; false = somebody else took it → refused', () => {
    const clock = new FakeClock();
    const s = ticket(clock);
    const taken = new Set<string>();
    const takeSession = vi.fn((_c: string, id: Uint8Array) => {
      if (taken.has(id.join())) return false;
      taken.add(id.join());
      return true;
    });
    // Two servers sharing one store: two caches, two decoded copies of the session.
    const server1 = recordingCache(clock, { mode: 'noInternalStore', getSession: () => s, takeSession });
    const server2 = recordingCache(clock, { mode: 'noInternalStore', getSession: () => withFields(s, {}), takeSession });
    const h1 = found(server1.cache.lookup(conn, s.id));
    const h2 = found(server2.cache.lookup(conn, s.id));
    expect(server1.cache.take(conn, h1.session)).toBe(true);
    expect(server2.cache.take(conn, h2.session)).toBe(false);
    expect(takeSession).toHaveBeenCalledTimes(2);
    expect(takeSession.mock.calls[0]![1]).toEqual(s.id);
    expect(takeSession.mock.calls[0]![1]).not.toBe(s.id); // its own copy
    expect(server2.cache.stats.replaysRejected).toBe(1);
    expect(server1.removed).toEqual([{ session: s, reason: 'consumed' }]);
    expect(server2.removed).toEqual([]);
    // A fresh copy from the store is found again, but the store still says it was taken.
    expect(server2.cache.take(conn, found(server2.cache.lookup(conn, s.id)).session)).toBe(false);
    expect(server2.cache.stats.replaysRejected).toBe(2);
  });
  it('takeSession also decides for an internal copy: the internal entry goes either way', () => {
    const clock = new FakeClock();
    const s = ticket(clock);
    const { cache, removed } = recordingCache(clock, { takeSession: () => false });
    cache.add(s);
    expect(cache.take(conn, found(cache.lookup(conn, s.id)).session)).toBe(false);
    expect(cache.size).toBe(0);
    expect(removed).toEqual([]);
    expect(cache.stats.replaysRejected).toBe(1);
  });
  it('a takeSession that throws or rejects: false, counted and logged, and reported consumed (the ticket must never be usable twice)', async () => {
    const clock = new FakeClock();
    for (const take of [
      () => {
        throw new Error('down');
      },
      () => Promise.reject(new Error('down')),
    ]) {
      const s = ticket(clock);
      const { cache, removed, warnings } = recordingCache(clock, { getSession: () => s, takeSession: take });
      expect(await cache.take(conn, found(cache.lookup(conn, s.id)).session)).toBe(false);
      expect(removed).toEqual([{ session: s, reason: 'consumed' }]);
      expect(cache.stats).toMatchObject({ callbackErrors: 1, replaysRejected: 0 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^take-session callback (threw|rejected)$/);
    }
  });
  it('async takeSession: concurrent takes, exactly one succeeds; late → false (lookupTimeouts++), reported consumed', async () => {
    const clock = new FakeClock();
    const s = ticket(clock);
    let owner: string | undefined;
    const { cache, timer } = recordingCache(clock, {
      getSession: () => s,
      takeSession: async (c) => {
        await Promise.resolve();
        if (owner !== undefined) return false;
        owner = c;
        return true;
      },
    });
    const h = found(cache.lookup('c1', s.id));
    const results = await Promise.all([cache.take('c1', h.session), cache.take('c2', withFields(h.session, {}))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(timer.pending()).toBe(0);
    const slow = recordingCache(clock, { getSession: () => s, takeSession: () => new Promise<boolean>(() => {}) });
    const p = slow.cache.take(conn, found(slow.cache.lookup(conn, s.id)).session);
    expect(slow.timer.started).toEqual([DEFAULT_LOOKUP_TIMEOUT_MS]);
    slow.timer.fire();
    await expect(p).resolves.toBe(false);
    expect(slow.cache.stats.lookupTimeouts).toBe(1);
    expect(slow.removed).toEqual([{ session: s, reason: 'consumed' }]);
  });
  it('take requires a Session (TypeError) and fails after close()', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    expect(() => cache.take(conn, { ...ticket(clock) } as Session)).toThrow(TypeError);
    const s = ticket(clock);
    cache.add(s);
    cache.close();
    expect(cache.take(conn, s)).toBe(false);
  });
});

describe('§6 stateless tickets: ticketOpened', () => {
  it('a valid session opened from a ticket is found (source ticket, not shared), counted only by the verdict', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const s = session(clock, { timeout: 1 });
    const h = cache.ticketOpened(s);
    expect(h).toEqual({ kind: 'hit', session: s, source: 'ticket', shared: false });
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0 });
    cache.accept(h as LookupHit);
    cache.refuse(h as LookupHit, 'mismatch');
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
    expect(cache.size).toBe(0);
  });
  it('expired or past authTimeout → a miss counted in timeouts; nothing is stored or removed', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock, { authTimeout: 100 });
    const s = session(clock, { timeout: 1 });
    const chained = session(clock, { timeout: 3600, authTime: clock.t - 99_000 });
    clock.advance(1000);
    expect(found(cache.ticketOpened(s)).session).toBe(s); // boundary
    expect(found(cache.ticketOpened(chained)).session).toBe(chained);
    clock.advance(1);
    expect(cache.ticketOpened(s)).toEqual({ kind: 'miss', why: 'expired' });
    expect(cache.ticketOpened(chained)).toEqual({ kind: 'miss', why: 'authExpired' });
    expect(cache.stats).toMatchObject({ timeouts: 2, misses: 0 });
    expect(removed).toEqual([]);
  });
  it('a session invalidated before (the same object) is not resumable', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock, { newSession: () => true });
    const s = session(clock);
    cache.newSession(conn, s, { store: false, stateless: true });
    cache.connectionEnded([s], 'fatalAlert');
    expect(cache.ticketOpened(s)).toEqual({ kind: 'miss', why: 'notResumable' });
    expect(cache.stats.misses).toBe(1);
  });
  it('requires a Session (TypeError)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    expect(() => cache.ticketOpened({ ...session(clock) } as Session)).toThrow(TypeError);
  });
});

describe('input checks and the application API', () => {
  it('add/newSession/take/remove/invalidate/accept/ticketOpened require a Session made by createSession (TypeError)', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const fake = { ...session(clock) } as Session;
    expect(() => cache.add(fake)).toThrow(TypeError);
    expect(() => cache.newSession(conn, fake)).toThrow(TypeError);
    expect(() => cache.take(conn, fake)).toThrow(TypeError);
    expect(() => cache.remove(fake)).toThrow(TypeError);
    expect(() => cache.invalidate(fake, 'fatalAlert')).toThrow(TypeError);
    expect(() => cache.accept({ kind: 'hit', session: fake, source: 'external', shared: true })).toThrow(TypeError);
    expect(() => cache.ticketOpened(fake)).toThrow(TypeError);
    expect(cache.size).toBe(0);
  });
  it('get() hot path: returns the entry, removes an expired one (expired), counts nothing', () => {
    const clock = new FakeClock();
    const { cache, removed } = recordingCache(clock);
    const s = session(clock, { timeout: 1 });
    cache.add(s);
    expect(cache.get(s.id)).toBe(s);
    expect(cache.get(newId())).toBeUndefined();
    clock.advance(1001);
    expect(cache.get(s.id)).toBeUndefined();
    expect(removed).toEqual([{ session: s, reason: 'expired' }]);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, timeouts: 0 });
  });
  it('peek() neither moves the LRU order nor checks expiry; sessions() is a snapshot, most recent first', () => {
    const clock = new FakeClock();
    const { cache } = recordingCache(clock);
    const a = session(clock, { timeout: 1 }), b = session(clock);
    cache.add(a);
    cache.add(b);
    clock.advance(5000);
    expect(cache.peek(a.id)).toBe(a);
    const snap = cache.sessions();
    expect(snap).toEqual([b, a]);
    cache.remove(b);
    expect(snap).toEqual([b, a]);
    expect(cache.sessions()).toEqual([a]);
  });
});
