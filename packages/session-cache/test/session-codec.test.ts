import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_FORMAT_VERSION, SessionDecodeError, createSession, decodeSession, encodeSession, isSession, type Session, type SessionInit } from '../src/index';
import { FakeClock, tls12, tls13 } from './helpers';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const hostChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const MAX_MS = 2 ** 53 - 1;

/** Arbitrary valid sessions: every field over its whole allowed range. */
export const arbSession: fc.Arbitrary<Session> = fc
  .record({
    id: bytes(1, 32),
    version: fc.constantFrom(0x0303 as const, 0x0304 as const),
    cipherSuite: fc.integer({ min: 0, max: 0xffff }),
    secret: bytes(1, 64),
    createdAt: fc.integer({ min: 0, max: MAX_MS }),
    authBack: fc.integer({ min: 0, max: MAX_MS }),
    timeout: fc.integer({ min: 0, max: 0xffffffff }),
    extendedMasterSecret: fc.boolean(),
    serverName: fc.option(fc.array(hostChar, { minLength: 1, maxLength: 255 }).map((a) => a.join('')), { nil: undefined }),
    alpn: fc.option(bytes(1, 255), { nil: undefined }),
    contextId: bytes(0, 255),
    ticketAgeAdd: fc.integer({ min: 0, max: 0xffffffff }),
    ticketNonce: bytes(0, 255),
    maxEarlyData: fc.integer({ min: 0, max: 0xffffffff }),
    peerCertificates: fc.array(bytes(1, 300), { maxLength: 3 }),
  })
  .map(({ authBack, ...f }): Session => createSession({ ...f, authTime: Math.max(0, f.createdAt - authBack) } as SessionInit));

function decodeErrorOf(b: Uint8Array): SessionDecodeError | undefined {
  try {
    decodeSession(b);
    return undefined;
  } catch (e) {
    if (e instanceof SessionDecodeError) return e;
    throw e; // anything else fails the property
  }
}

describe('§7 encodeSession / decodeSession', () => {
  it('round-trips a TLS 1.2 and a TLS 1.3 session; the result is a frozen, validated Session', () => {
    const clock = new FakeClock();
    for (const s of [tls12(clock), tls13(clock, { alpn: new Uint8Array([0x68, 0x32]), peerCertificates: [new Uint8Array([1, 2, 3])] })]) {
      const blob = encodeSession(s);
      expect(blob[0]).toBe(SESSION_FORMAT_VERSION);
      const d = decodeSession(blob);
      expect(d).toEqual(s);
      expect(Object.isFrozen(d)).toBe(true);
      expect(isSession(d)).toBe(true);
      blob.fill(0); // decoded fields are copies, not views
      expect(d).toEqual(s);
    }
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
  it('property: no strict prefix decodes (Truncated), and trailing bytes are rejected (TrailingData)', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(arbSession, fc.nat(), bytes(1, 8), (s, cut, extra) => {
        const blob = encodeSession(s);
        const e = decodeErrorOf(blob.subarray(0, cut % blob.length));
        expect(e?.reason).toBe('Truncated');
        const longer = new Uint8Array(blob.length + extra.length);
        longer.set(blob);
        longer.set(extra, blob.length);
        expect(decodeErrorOf(longer)?.reason).toBe('TrailingData');
      }),
      { numRuns: 200, interruptAfterTimeLimit: 3000 },
    );
  });
  it('property: mutated blobs either decode to a valid Session or throw only SessionDecodeError', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(arbSession, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (s, muts) => {
        const blob = encodeSession(s);
        for (const [at, v] of muts) blob[at % blob.length] = v;
        const e = decodeErrorOf(blob);
        if (e === undefined) expect(isSession(decodeSession(blob))).toBe(true);
      }),
      { numRuns: 500, interruptAfterTimeLimit: 3000 },
    );
  });
  it('property: random bytes give only SessionDecodeError', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(bytes(0, 200), (b) => {
        decodeErrorOf(b);
      }),
      { numRuns: 500, interruptAfterTimeLimit: 3000 },
    );
  });
  it('unknown format version → UnknownVersion', () => {
    const blob = encodeSession(tls12(new FakeClock()));
    blob[0] = 2;
    expect(decodeErrorOf(blob)?.reason).toBe('UnknownVersion');
    expect(decodeErrorOf(new Uint8Array(0))?.reason).toBe('Truncated');
  });
  it('out-of-range fields → OutOfRange: protocol version, unknown flag, empty id, times over 2^53, authTime after createdAt, bad host name byte', () => {
    const s = tls12(new FakeClock());
    const blob = encodeSession(s);
    const at = (f: (b: Uint8Array) => void) => {
      const b = blob.slice();
      f(b);
      return decodeErrorOf(b)?.reason;
    };
    expect(at((b) => (b[2] = 0x02))).toBe('OutOfRange'); // version 0x0302
    expect(at((b) => (b[5] = b[5]! | 0x80))).toBe('OutOfRange'); // unknown flag
    expect(at((b) => (b[6] = 0))).toBe('OutOfRange'); // id<1..32> with length 0 (then the rest is misaligned, but the length check comes first)
    const created = 7 + s.id.length + 1 + s.secret.length;
    expect(at((b) => (b[created] = 0xff))).toBe('OutOfRange'); // created_at >= 2^53
    const auth = created + 8 + 4;
    expect(at((b) => (b[auth + 1] = 0xff))).toBe('OutOfRange'); // auth_time > created_at
    const name = auth + 8;
    expect(at((b) => (b[name + 1] = 0x20))).toBe('OutOfRange'); // space in host name
  });
  it('SessionDecodeError is a typed error with a reason', () => {
    const e = decodeErrorOf(new Uint8Array([9]));
    expect(e).toBeInstanceOf(SessionDecodeError);
    expect(e).toBeInstanceOf(Error);
    expect(e?.name).toBe('SessionDecodeError');
  });
});
