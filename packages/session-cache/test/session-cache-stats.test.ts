/**
 * Properties of `SessionCache` over random sequences of operations (fast-check): the statistics
 * agree with the verdicts (a found session is a hit only after `accept`, `refuse` is a miss, so
 * `hits + cbHits + misses + timeouts` = lookups that came to a verdict), the remove callback hears
 * each session at most once, limits hold, and nothing found is expired.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionExpiresAt, type LookupResult, type RefuseReason, type Session } from '../src/index';
import { FakeClock, newId, recordingCache, session, sync } from './helpers';

const KEYS = 12;
const MAX_ENTRIES = 6;
const ids = Array.from({ length: KEYS }, (_, k) => newId(10_000 + k));

type Verdict = 'accept' | 'refuse' | 'none' | 'take';
const verdict = fc.constantFrom<Verdict>('accept', 'refuse', 'none', 'take');
const refuseWhy = fc.constantFrom<RefuseReason>('mismatch', 'contextMismatch', 'undecodable', 'badBinder', 'notTaken');
const key = fc.integer({ min: 0, max: KEYS - 1 });

const op = fc.oneof(
  fc.record({ op: fc.constant('add' as const), k: key, timeout: fc.integer({ min: 1, max: 20 }), singleUse: fc.boolean() }),
  fc.record({ op: fc.constant('store' as const), k: key, timeout: fc.integer({ min: 1, max: 20 }), singleUse: fc.boolean() }),
  fc.record({ op: fc.constant('lookup' as const), k: key, v: verdict, why: refuseWhy }),
  fc.record({ op: fc.constant('ticket' as const), timeout: fc.integer({ min: 1, max: 20 }), age: fc.integer({ min: 0, max: 30_000 }), v: verdict, why: refuseWhy }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8000 }) }),
  fc.record({ op: fc.constant('remove' as const), k: key }),
  fc.record({ op: fc.constant('flush' as const) }),
  fc.record({ op: fc.constant('ended' as const), how: fc.constantFrom('clean' as const, 'uncleanShutdown' as const, 'fatalAlert' as const) }),
);

describe('SessionCache statistics and remove deliveries (properties)', () => {
  it('stats agree with the verdicts; hits + cbHits + misses + timeouts = lookups that came to a verdict', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, updateTime) => {
        const clock = new FakeClock();
        const store = new Map<number, Session>();
        const taken = new Set<Session>();
        const { cache, removed } = recordingCache(clock, {
          maxEntries: MAX_ENTRIES,
          authTimeout: 15,
          mode: updateTime ? ['server', 'updateTime'] : 'server',
          getSession: (_c, id) => store.get(ids.findIndex((x) => x.every((b, i) => b === id[i]))),
          takeSession: (_c, id) => {
            const s = [...store.values()].find((x) => x.id.every((b, i) => b === id[i]));
            if (s === undefined || taken.has(s)) return false;
            taken.add(s);
            return true;
          },
        });
        const model = { hits: 0, cbHits: 0, misses: 0, timeouts: 0, contextMismatches: 0, binderFailures: 0 };
        let verdicts = 0;
        const ownedByConn: Session[] = [];

        const settle = (r: LookupResult, v: Verdict, why: RefuseReason): void => {
          if (r.kind === 'miss') {
            verdicts++;
            if (r.why === 'expired' || r.why === 'authExpired') model.timeouts++;
            else model.misses++;
            return;
          }
          // Nothing found is expired at the moment it is found.
          expect(clock.t).toBeLessThanOrEqual(sessionExpiresAt(r.session, cache.authTimeout));
          if (v === 'none') return; // the connection went away before the handshake decided
          verdicts++;
          let accept = v === 'accept';
          let reason = why;
          if (v === 'take') {
            const ok = r.session.singleUse ? cache.take('c', r.session) : true;
            expect(typeof ok).toBe('boolean'); // every callback here is synchronous
            accept = ok === true;
            reason = 'notTaken';
          }
          if (accept) {
            ownedByConn.push(cache.accept(r));
            if (r.source === 'external') model.cbHits++;
            else model.hits++;
          } else {
            cache.refuse(r, reason);
            model.misses++;
            if (reason === 'contextMismatch') model.contextMismatches++;
            if (reason === 'badBinder') model.binderFailures++;
          }
        };

        for (const o of ops) {
          switch (o.op) {
            case 'add': {
              const s = session(clock, { id: ids[o.k]!, timeout: o.timeout, singleUse: o.singleUse });
              cache.add(s);
              ownedByConn.push(s);
              break;
            }
            case 'store':
              store.set(o.k, session(clock, { id: ids[o.k]!, timeout: o.timeout, singleUse: o.singleUse }));
              break;
            case 'lookup':
              settle(sync(cache.lookup('c', ids[o.k]!)), o.v, o.why);
              break;
            case 'ticket': {
              const created = clock.t - o.age;
              settle(cache.ticketOpened(session(clock, { id: newId(), createdAt: created, timeout: o.timeout })), o.v, o.why);
              break;
            }
            case 'advance':
              clock.advance(o.ms);
              break;
            case 'remove':
              cache.remove(ids[o.k]!);
              break;
            case 'flush':
              cache.flush();
              break;
            case 'ended':
              cache.connectionEnded(ownedByConn.splice(0), o.how);
              break;
          }
          expect(cache.size).toBeLessThanOrEqual(MAX_ENTRIES);
        }
        const s = cache.stats;
        expect({ hits: s.hits, cbHits: s.cbHits, misses: s.misses, timeouts: s.timeouts, contextMismatches: s.contextMismatches, binderFailures: s.binderFailures }).toEqual(model);
        expect(s.hits + s.cbHits + s.misses + s.timeouts).toBe(verdicts);
        // Exactly once: no session object is reported twice.
        expect(new Set(removed.map((r) => r.session)).size).toBe(removed.length);
        cache.close();
        expect(new Set(removed.map((r) => r.session)).size).toBe(removed.length);
        expect(cache.size).toBe(0);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 10_000 },
    );
  });
});
