/** The fuzzing helpers themselves: mutations do what they say, chunking loses nothing, the driver is deterministic. */
import { describe, expect, it } from 'vitest';
import { applyEdits, framed, type Edit } from './mutate';
import { chunk, TARGETS } from './targets';
import { driveTo } from './drive';
import { SeededRandom } from './seeded-random';

const e = (op: number, pos: number, extra: Partial<Edit> = {}): Edit => ({ op, pos, len: 0, val: 0, bytes: new Uint8Array(0), ...extra });
const B = Uint8Array.of(1, 2, 3, 4, 5, 6);

describe('applyEdits', () => {
  it('flips a bit, sets a boundary byte, bumps a u16, inserts, deletes, duplicates, truncates', () => {
    expect(applyEdits(B, [e(0, 1, { val: 0 })])).toEqual(Uint8Array.of(1, 3, 3, 4, 5, 6));
    expect(applyEdits(B, [e(1, 0, { val: 14 })])).toEqual(Uint8Array.of(0xff, 2, 3, 4, 5, 6));
    expect(applyEdits(B, [e(2, 2, { val: 0 })])).toEqual(Uint8Array.of(1, 2, 3, 5, 5, 6)); // 0x0304 + 1
    expect(applyEdits(B, [e(3, 6 + 1, { bytes: Uint8Array.of(9) })])).toEqual(Uint8Array.of(1, 9, 2, 3, 4, 5, 6));
    expect(applyEdits(B, [e(4, 2, { len: 2 })])).toEqual(Uint8Array.of(1, 2, 5, 6));
    expect(applyEdits(B, [e(5, 4, { len: 2 })])).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 5, 6));
    expect(applyEdits(B, [e(6, 3)])).toEqual(Uint8Array.of(1, 2, 3));
    expect(applyEdits(B, [e(9, 0, { val: 1 })])).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 4, 5, 6));
  });
  it('leaves its input alone and copes with empty input', () => {
    const copy = B.slice();
    applyEdits(B, [e(0, 0), e(4, 0, { len: 3 }), e(6, 1)]);
    expect(B).toEqual(copy);
    for (let op = 0; op <= 10; op++) expect(() => applyEdits(new Uint8Array(0), [e(op, 5, { len: 3, bytes: Uint8Array.of(7) })])).not.toThrow();
  });
});

describe('chunk and framing', () => {
  it('any seed splits a stream into pieces that concatenate back to it', () => {
    const bytes = new SeededRandom(3).random(7000);
    for (let seed = 0; seed < 12; seed++) {
      const parts = chunk(bytes, seed);
      expect(Buffer.concat(parts)).toEqual(Buffer.from(bytes));
      if (seed % 6 === 0) expect(parts.every((p) => p.length === 1)).toBe(true);
    }
  });
  it('framed puts the selector and seed first', () => {
    expect(framed(0x102, 7, Uint8Array.of(9))).toEqual(Uint8Array.of(2, 7, 9));
  });
});

describe('determinism (what makes corpus files replay exactly)', () => {
  it('the same state is reached with the same bytes twice', () => {
    const a = driveTo('tls13/ExpectFinished');
    const b = driveTo('tls13/ExpectFinished');
    expect(a.validNext).toEqual(b.validNext);
    expect(a.record(22, a.validNext[0]!)).toEqual(b.record(22, b.validNext[0]!));
  });
  it('every target runs the empty input and a short garbage input cleanly', () => {
    for (const t of TARGETS) {
      expect(() => t.run(new Uint8Array(0)), t.name).not.toThrow();
      expect(() => t.run(Uint8Array.of(0, 0, 22, 3, 3, 0, 1, 1)), t.name).not.toThrow();
    }
  });
});
