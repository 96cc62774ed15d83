import { describe, expect, it } from 'vitest';
import { Reader, Writer, isTlsError, returnScratchWriter, takeScratchWriter } from '../src/index';

describe('Reader', () => {
  it('reads a vec16 of u16 and rejects trailing data', () => {
    const r = new Reader(new Uint8Array([0, 4, 0x13, 0x01, 0x13, 0x02, 0xff]));
    expect(r.vec16({ min: 2, elem: 2 }).list((s) => s.u16())).toEqual([0x1301, 0x1302]);
    try {
      r.expectEnd('x');
      expect.unreachable();
    } catch (e) {
      expect(isTlsError(e) && e.alert).toBe('decode_error');
    }
  });
  it('u16s reads the rest as uint16 values in one loop; an odd byte is Truncated', () => {
    const r = new Reader(new Uint8Array([0, 6, 0x13, 0x01, 0x13, 0x02, 0xff, 0xfe]));
    expect(r.vec16({ elem: 2 }).u16s()).toEqual([0x1301, 0x1302, 0xfffe]);
    expect(r.done).toBe(true);
    expect(new Reader(new Uint8Array(0)).u16s()).toEqual([]);
    const odd = new Reader(new Uint8Array([1, 2, 3]));
    expect(() => odd.u16s()).toThrow(expect.objectContaining({ reason: 'Truncated', alert: 'decode_error' }));
  });
  it('Writer patches length prefixes', () => {
    const w = new Writer(1);
    w.vec16((w) => w.u8(1).u8(2).vec8((w) => w.bytes(new Uint8Array([9]))));
    expect([...w.finish()]).toEqual([0, 4, 1, 2, 1, 9]);
  });
});

describe('scratch writers', () => {
  it('are lent empty, wiped when handed back, and distinct while lent', () => {
    const a = takeScratchWriter();
    const b = takeScratchWriter();
    expect(a).not.toBe(b);
    expect([a.size, b.size]).toEqual([0, 0]);
    a.u16(0xabcd).bytes(new Uint8Array([1, 2, 3]));
    const copy = a.finish();
    const view = a.view();
    returnScratchWriter(a);
    expect(Array.from(copy)).toEqual([0xab, 0xcd, 1, 2, 3]); // finish() is the caller's copy
    expect(Array.from(view)).toEqual([0, 0, 0, 0, 0]); // what it held is zeroed
    const again = takeScratchWriter();
    expect(again.size).toBe(0);
    again.u8(7);
    expect(Array.from(again.finish())).toEqual([7]);
    returnScratchWriter(again);
    returnScratchWriter(b);
  });
});
