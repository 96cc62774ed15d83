import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionTable } from '../src/session-table';
import { createSession, type Session } from '../src/index';

function session(id: Uint8Array): Session {
  return createSession({ id, createdAt: 0, timeout: 1, state: new Uint8Array([1]) });
}
const key = (id: Uint8Array): string => id.join(',');

describe('SessionTable (open addressing + LRU in typed arrays)', () => {
  it('handles short ids (1..32 bytes) that share prefixes, and ids that differ only in length', () => {
    const t = new SessionTable();
    const ids: Uint8Array[] = [];
    for (let len = 1; len <= 32; len++) for (let v = 0; v < 8; v++) ids.push(new Uint8Array(len).fill(v));
    for (const id of ids) t.set(session(id));
    expect(t.count).toBe(ids.length);
    for (const id of ids) expect(t.get(id)?.id).toEqual(id);
    expect(t.get(new Uint8Array(33))).toBeUndefined();
    expect(t.get(new Uint8Array(0))).toBeUndefined();
    for (const id of ids.filter((_, i) => i % 2)) expect(t.delete(id)?.id).toEqual(id);
    for (const [i, id] of ids.entries()) expect(t.get(id) !== undefined).toBe(i % 2 === 0);
  });
  it('lookups do not allocate (heap stays flat over 200k hits)', () => {
    const t = new SessionTable();
    const ids = Array.from({ length: 1000 }, (_, i) => {
      const id = new Uint8Array(32);
      for (let j = 0; j < 32; j++) id[j] = (i * 131 + j * 7) & 0xff;
      id[0] = i & 0xff;
      id[1] = i >> 8;
      return id;
    });
    for (const id of ids) t.set(session(id));
    let n = 0;
    for (let i = 0; i < 20000; i++) n += t.find(ids[i % 1000]!); // warm up (JIT)
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) n += t.find(ids[i % 1000]!);
    const grown = process.memoryUsage().heapUsed - before;
    expect(n).toBeGreaterThan(0);
    // 200k allocations of even 16 bytes would be 3.2 MB; allow noise from the test runner.
    expect(grown).toBeLessThan(1_000_000);
  });
  it('property: agrees with a Map model (kept in LRU order) under random add/get/remove/evict sequences', { timeout: 20_000 }, () => {
    const idArb = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 1, maxLength: 4 }), // short, colliding ids
      fc.integer({ min: 0, max: 15 }).map((v) => new Uint8Array(32).fill(v)), // repeats
    );
    const op = fc.oneof(
      fc.record({ op: fc.constant('add' as const), id: idArb }),
      fc.record({ op: fc.constant('get' as const), id: idArb }),
      fc.record({ op: fc.constant('remove' as const), id: idArb }),
      fc.record({ op: fc.constant('evict' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (ops, maxEntries) => {
        const t = new SessionTable();
        const model = new Map<string, Session>(); // insertion order = LRU order (oldest first)
        const evictOne = () => {
          const e = t.lruEntry;
          const oldestKey = model.keys().next().value as string;
          expect(key(t.at(e).id)).toBe(oldestKey);
          t.deleteEntry(e);
          model.delete(oldestKey);
        };
        for (const o of ops) {
          if (o.op === 'add') {
            const s = session(o.id);
            const old = t.set(s);
            expect(old).toBe(model.get(key(o.id)));
            model.delete(key(o.id));
            model.set(key(o.id), s);
            while (t.count > maxEntries) evictOne();
          } else if (o.op === 'get') {
            const got = t.get(o.id);
            const m = model.get(key(o.id));
            expect(got).toBe(m);
            if (m) {
              model.delete(key(o.id));
              model.set(key(o.id), m);
            }
          } else if (o.op === 'remove') {
            expect(t.delete(o.id)).toBe(model.get(key(o.id)));
            model.delete(key(o.id));
          } else if (t.count > 0) evictOne();
          expect(t.count).toBe(model.size);
        }
        expect(t.snapshot()).toEqual([...model.values()].reverse());
        for (const [k, s] of model) expect(t.find(s.id), k).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 200, interruptAfterTimeLimit: 3000 },
    );
  });
  it('grows past many resizes and shrinks back with clear()', { timeout: 30_000 }, () => {
    const t = new SessionTable();
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const id = new Uint8Array(32);
      new DataView(id.buffer).setUint32(0, i);
      new DataView(id.buffer).setUint32(28, i * 7);
      ids.push(id);
      t.set(session(id));
    }
    for (let i = 0; i < 20_000; i += 2) t.delete(ids[i]!);
    let wrong = 0;
    for (let i = 0; i < 20_000; i++) if (t.find(ids[i]!) >= 0 !== (i % 2 === 1)) wrong++;
    expect(wrong).toBe(0);
    expect(t.count).toBe(10_000);
    t.clear();
    expect(t.count).toBe(0);
    expect(t.find(ids[1]!)).toBe(-1);
  });
});
