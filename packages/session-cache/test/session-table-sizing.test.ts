import { describe, expect, it } from 'vitest';
import { SessionTable } from '../src/session-table';
import { createSession, type Session } from '../src/index';

function session(i: number): Session {
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, i);
  new DataView(id.buffer).setUint32(28, Math.imul(i, 0x9e3779b1));
  return createSession({ id, createdAt: 0, timeout: 1, singleUse: true, state: new Uint8Array([1]) });
}

describe('SessionTable sizing and deletes that move entries', () => {
  it('with sizeHint, a full table keeps every entry findable and the LRU order through interleaved deletes', () => {
    const t = new SessionTable();
    t.sizeHint = 1001;
    const all = Array.from({ length: 1001 }, (_, i) => session(i));
    for (const s of all) t.set(s, 1000 + all.indexOf(s));
    expect(t.count).toBe(1001);
    // Delete every third entry: backward shifts move later members of each probe run.
    const kept: Session[] = [];
    for (const [i, s] of all.entries()) {
      if (i % 3 === 0) expect(t.delete(s.id)).toBe(s);
      else kept.push(s);
    }
    expect(t.count).toBe(kept.length);
    for (const s of kept) {
      const e = t.find(s.id);
      expect(e).toBeGreaterThanOrEqual(0);
      expect(t.at(e)).toBe(s);
      expect(t.expiresAt(e)).toBe(1000 + all.indexOf(s)); // the expiry moved with its entry
    }
    // Most recent first: insertion order reversed, deleted ones gone.
    expect(t.snapshot()).toEqual([...kept].reverse());
    // Walking oldest → newest by slot links agrees too.
    const walked: Session[] = [];
    for (let e = t.lruEntry; e !== -1; e = t.newerThan(e)) walked.push(t.at(e));
    expect(walked).toEqual(kept);
  });
  it('grows past its hint when asked to hold more', () => {
    const t = new SessionTable();
    t.sizeHint = 10;
    const all = Array.from({ length: 500 }, (_, i) => session(i));
    for (const s of all) t.set(s);
    expect(t.count).toBe(500);
    for (const s of all) expect(t.get(s.id)).toBe(s);
    expect(t.lruEntry).toBe(t.find(all[0]!.id));
  });
});
