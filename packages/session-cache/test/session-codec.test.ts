import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_FORMAT_VERSION, SessionDecodeError, createSession, decodeSession, encodeSession, isSession, type Session } from '../src/index';
import { FakeClock, newId, session, state } from './helpers';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const MAX_MS = 2 ** 53 - 1;

/** States of every size class: short, and past 2^16 (the third length byte in use). */
const arbState = fc.oneof(
  { weight: 9, arbitrary: bytes(1, 300) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x30000 }).map((n) => new Uint8Array(n).fill(n & 0xff)) },
);

/** Arbitrary valid sessions: every field over its whole allowed range. */
export const arbSession: fc.Arbitrary<Session> = fc
  .record({
    id: bytes(1, 32),
    createdAt: fc.integer({ min: 0, max: MAX_MS }),
    authBack: fc.integer({ min: 0, max: MAX_MS }),
    timeout: fc.integer({ min: 0, max: 0xffffffff }),
    singleUse: fc.boolean(),
    state: arbState,
  })
  .map(({ authBack, ...f }): Session => createSession({ ...f, authTime: Math.max(0, f.createdAt - authBack) }));

function decodeErrorOf(b: Uint8Array): SessionDecodeError | undefined {
  try {
    decodeSession(b);
    return undefined;
  } catch (e) {
    if (e instanceof SessionDecodeError) return e;
    throw e; // anything else fails the property
  }
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Offsets of the fields of a blob of `s` (format 2). */
function layout(s: Session) {
  const createdAt = 3 + s.id.length;
  const timeout = createdAt + 8;
  const authTime = timeout + 4;
  const stateLength = authTime + 8;
  return { flags: 1, idLength: 2, createdAt, timeout, authTime, stateLength, state: stateLength + 3 };
}

describe('§7 encodeSession / decodeSession (format 2)', () => {
  it('writes the documented layout: version, flags, id<1..32>, created_at u64, timeout u32, auth_time u64, state<1..2^24-1>', () => {
    expect(SESSION_FORMAT_VERSION).toBe(2);
    const s = createSession({ id: Uint8Array.of(0xaa), createdAt: 0x0102030405, timeout: 0x0a0b0c0d, authTime: 1, singleUse: true, state: Uint8Array.of(0x77, 0x88) });
    const hex = Buffer.from(encodeSession(s)).toString('hex');
    expect(hex).toBe(['02', '01', '01aa', '0000000102030405', '0a0b0c0d', '0000000000000001', '000002', '7788'].join(''));
    const reusable = createSession({ ...s, singleUse: false });
    expect(encodeSession(reusable)[1]).toBe(0);
  });
  it('round-trips; the result is a frozen, validated Session whose fields are copies, not views', () => {
    const clock = new FakeClock();
    for (const s of [session(clock), session(clock, { singleUse: true, authTime: clock.t - 5000, id: newId(7, 1), state: state(70_000, 1) })]) {
      const blob = encodeSession(s);
      expect(blob[0]).toBe(SESSION_FORMAT_VERSION);
      const d = decodeSession(blob);
      expect(d).toEqual(s);
      expect(Object.isFrozen(d)).toBe(true);
      expect(isSession(d)).toBe(true);
      blob.fill(0);
      expect(d).toEqual(s);
    }
  });
  it('decodes the same from an unaligned view into a larger buffer', () => {
    const s = session(new FakeClock(), { createdAt: 2 ** 52 + 3, authTime: 2 ** 40 });
    const blob = encodeSession(s);
    const big = new Uint8Array(blob.length + 7);
    big.set(blob, 3);
    expect(decodeSession(big.subarray(3, 3 + blob.length))).toEqual(s);
  });
  it('property: decodeSession(encodeSession(s)) equals s and re-encodes to the same bytes', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(arbSession, (s) => {
        const blob = encodeSession(s);
        const d = decodeSession(blob);
        expect(d).toEqual(s);
        expect(encodeSession(d)).toEqual(blob);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 3000 },
    );
  });
  it('every strict prefix is Truncated (exhaustive for short and long ids, 1-byte and 3-byte-length states)', () => {
    const clock = new FakeClock();
    const cases = [
      session(clock, { id: newId(1, 1), state: state(1) }),
      session(clock, { id: newId(2, 32), state: state(300) }),
      session(clock, { singleUse: true, state: state(0x10001) }),
    ];
    for (const s of cases) {
      const blob = encodeSession(s);
      const { state: stateAt } = layout(s);
      // Every cut inside the fixed part and the first bytes of the state, and a sample further in.
      const cuts = new Set<number>();
      for (let n = 0; n < Math.min(blob.length, stateAt + 40); n++) cuts.add(n);
      for (let n = stateAt; n < blob.length; n += 997) cuts.add(n);
      cuts.add(blob.length - 1);
      for (const n of cuts) expect(decodeErrorOf(blob.subarray(0, n))?.reason, `prefix of ${n}/${blob.length}`).toBe('Truncated');
    }
  });
  it('property: no strict prefix decodes (Truncated), and trailing bytes are rejected (TrailingData)', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(arbSession, fc.nat(), bytes(1, 8), (s, cut, extra) => {
        const blob = encodeSession(s);
        expect(decodeErrorOf(blob.subarray(0, cut % blob.length))?.reason).toBe('Truncated');
        expect(decodeErrorOf(concat(blob, extra))?.reason).toBe('TrailingData');
      }),
      { numRuns: 200, interruptAfterTimeLimit: 3000 },
    );
  });
  it('one trailing zero byte is TrailingData too', () => {
    const blob = encodeSession(session(new FakeClock()));
    const e = decodeErrorOf(concat(blob, new Uint8Array(1)));
    expect(e?.reason).toBe('TrailingData');
    expect(e?.message).toMatch(/1 bytes after the session/);
  });
  it('unknown format versions → UnknownVersion (format 1, written before sessions became opaque, included); empty → Truncated', () => {
    const blob = encodeSession(session(new FakeClock()));
    for (const v of [0, 1, 3, 0x7f, 0xff]) {
      const b = blob.slice();
      b[0] = v;
      expect(decodeErrorOf(b)?.reason, `version ${v}`).toBe('UnknownVersion');
    }
    expect(decodeErrorOf(new Uint8Array(0))?.reason).toBe('Truncated');
    expect(decodeErrorOf(Uint8Array.of(SESSION_FORMAT_VERSION))?.reason).toBe('Truncated');
  });
  it('out-of-range fields → OutOfRange: unknown flag bits, id of 0 or 33 bytes, times of 2^53 or more, authTime after createdAt, empty state', () => {
    const s = session(new FakeClock(), { createdAt: 1_000_000, authTime: 1000 });
    const blob = encodeSession(s);
    const at = layout(s);
    const edit = (f: (b: Uint8Array, v: DataView) => void): string | undefined => {
      const b = blob.slice();
      f(b, new DataView(b.buffer));
      return decodeErrorOf(b)?.reason;
    };
    for (const flag of [0x02, 0x04, 0x80, 0xff]) expect(edit((b) => (b[at.flags] = flag)), `flags ${flag}`).toBe('OutOfRange');
    expect(edit((b) => (b[at.idLength] = 0))).toBe('OutOfRange');
    expect(edit((b) => (b[at.idLength] = 33))).toBe('OutOfRange');
    expect(edit((b) => (b[at.idLength] = 0xff))).toBe('OutOfRange');
    // created_at = 2^53 (high word 0x200000), and the largest u64
    expect(edit((_, v) => v.setUint32(at.createdAt, 0x200000))).toBe('OutOfRange');
    expect(edit((_, v) => (v.setUint32(at.createdAt, 0xffffffff), v.setUint32(at.createdAt + 4, 0xffffffff)))).toBe('OutOfRange');
    expect(edit((_, v) => v.setUint32(at.authTime, 0x200000))).toBe('OutOfRange');
    // auth_time = created_at + 1
    expect(edit((_, v) => v.setUint32(at.authTime + 4, 1_000_001))).toBe('OutOfRange');
    // state<1..2^24-1> of length 0 (the state byte then trails, but the length check comes first)
    expect(edit((b) => ((b[at.stateLength] = 0), (b[at.stateLength + 1] = 0), (b[at.stateLength + 2] = 0)))).toBe('OutOfRange');
    // The bounds themselves decode: created_at = auth_time = 2^53 - 1, timeout 2^32 - 1.
    const max = createSession({ id: s.id, createdAt: MAX_MS, authTime: MAX_MS, timeout: 0xffffffff, state: s.state });
    expect(decodeSession(encodeSession(max))).toEqual(max);
  });
  it('an OutOfRange error from a field check carries the validation error as its cause', () => {
    const s = session(new FakeClock(), { createdAt: 10, authTime: 10 });
    const b = encodeSession(s);
    new DataView(b.buffer).setUint32(layout(s).authTime + 4, 11);
    const e = decodeErrorOf(b);
    expect(e?.reason).toBe('OutOfRange');
    expect(e?.cause).toBeInstanceOf(RangeError);
  });
  it('a value that is not a Uint8Array → OutOfRange (never a TypeError: blobs come from stores)', () => {
    for (const v of [undefined, null, 'blob', [2, 0, 1, 1], new ArrayBuffer(4)]) expect(decodeErrorOf(v as never)?.reason).toBe('OutOfRange');
  });
  it('property: mutated blobs either decode to a valid Session that re-encodes to the same bytes, or throw only SessionDecodeError', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(arbSession, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (s, muts) => {
        const blob = encodeSession(s);
        const fixedPart = layout(s).state + 4; // mutate mostly where the structure is
        for (const [at, v] of muts) blob[at % Math.min(blob.length, fixedPart)] = v;
        if (decodeErrorOf(blob) === undefined) {
          const d = decodeSession(blob);
          expect(isSession(d)).toBe(true);
          expect(encodeSession(d)).toEqual(blob); // one encoding per session: no malleability
        }
      }),
      { numRuns: 500, interruptAfterTimeLimit: 3000 },
    );
  });
  it('property: random bytes give only SessionDecodeError (or a valid session)', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(bytes(0, 200), fc.boolean(), (b, withVersion) => {
        if (withVersion && b.length > 0) b[0] = SESSION_FORMAT_VERSION; // get past the first check
        if (decodeErrorOf(b) === undefined) expect(encodeSession(decodeSession(b))).toEqual(b);
      }),
      { numRuns: 500, interruptAfterTimeLimit: 3000 },
    );
  });
  it('SessionDecodeError is a typed error with a reason', () => {
    const e = decodeErrorOf(new Uint8Array([9]));
    expect(e).toBeInstanceOf(SessionDecodeError);
    expect(e).toBeInstanceOf(Error);
    expect(e?.name).toBe('SessionDecodeError');
    expect(e?.reason).toBe('UnknownVersion');
    expect(e?.message).toMatch(/^UnknownVersion: /);
  });
});
