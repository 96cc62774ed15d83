/**
 * The session state codec (common/session-state.ts): what the handshake stores in a session and
 * reads back — round trip, canonical form, and refusal (never an exception) of anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_STATE_FORMAT, decodeSessionState, encodeSessionState, type SessionState } from '../../src/index';

const base: SessionState = {
  version: 0x0304,
  cipherSuite: 0x1301,
  secret: new Uint8Array(32).fill(7),
  extendedMasterSecret: true,
  serverName: 'example.com',
  alpn: 'h2',
  context: Uint8Array.of(1, 2, 3),
  ticketAgeAdd: 0xfedcba98,
  maxEarlyData: 16384,
  peerCertificates: [new Uint8Array(300).fill(1), Uint8Array.of(2)],
};

const state = fc.record({
  version: fc.constantFrom(0x0303 as const, 0x0304 as const),
  cipherSuite: fc.integer({ min: 0, max: 0xffff }),
  secret: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  extendedMasterSecret: fc.boolean(),
  serverName: fc.option(fc.stringMatching(/^[a-z0-9.-]{1,40}$/), { nil: undefined }),
  alpn: fc.option(fc.stringMatching(/^[\x21-\x7e]{1,20}$/), { nil: undefined }),
  context: fc.uint8Array({ maxLength: 255 }),
  ticketAgeAdd: fc.integer({ min: 0, max: 0xffffffff }),
  maxEarlyData: fc.integer({ min: 0, max: 0xffffffff }),
  peerCertificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 4 }),
});

describe('SessionState codec', () => {
  it('round trips every field, and starts with the format version', () => {
    const bytes = encodeSessionState(base);
    expect(bytes[0]).toBe(SESSION_STATE_FORMAT);
    expect(decodeSessionState(bytes)).toEqual(base);
  });

  it('absent server name and ALPN stay absent (not empty strings)', () => {
    const s = decodeSessionState(encodeSessionState({ ...base, serverName: undefined, alpn: undefined }));
    expect(s?.serverName).toBeUndefined();
    expect(s?.alpn).toBeUndefined();
  });

  it('property: decode(encode(s)) = s, and what decodes re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(state, (s) => {
        const bytes = encodeSessionState(s);
        const back = decodeSessionState(bytes)!;
        expect(back).toEqual(s);
        expect(encodeSessionState(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('every strict prefix and any trailing byte is refused (undefined, never a throw)', () => {
    const bytes = encodeSessionState(base);
    for (let n = 0; n < bytes.length; n++) expect(decodeSessionState(bytes.subarray(0, n))).toBeUndefined();
    expect(decodeSessionState(Uint8Array.from([...bytes, 0]))).toBeUndefined();
  });

  it('another format version, a protocol version that is not TLS 1.2/1.3, unknown flags, flags that disagree with lengths are refused', () => {
    const bytes = encodeSessionState(base);
    const patched = (at: number, v: number) => {
      const b = bytes.slice();
      b[at] = v;
      return b;
    };
    expect(decodeSessionState(patched(0, SESSION_STATE_FORMAT + 1))).toBeUndefined();
    expect(decodeSessionState(patched(2, 0x02))).toBeUndefined(); // 0x0302
    expect(decodeSessionState(patched(5, 0x08))).toBeUndefined(); // an unknown flag bit
    expect(decodeSessionState(patched(5, 0x01))).toBeUndefined(); // server_name and ALPN present but flags say absent
  });

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const s = decodeSessionState(b);
        if (s !== undefined) expect(encodeSessionState(s)).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });
});
