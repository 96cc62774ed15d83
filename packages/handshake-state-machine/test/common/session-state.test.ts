/**
 * The session state codec (common/session-state.ts): what the handshake stores in a session and
 * reads back — round trip, canonical form, and refusal (never an exception) of anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_STATE_FORMAT, decodeSessionState, encodeSessionState, type SessionState } from '../../src/internal';

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
  peerVerification: { authorized: true, error: undefined },
};

/** The client-auth fields a state may carry: none requested; requested and verified (a chain); requested and not (an error). */
const clientAuth = fc.oneof(
  fc.constant({ peerCertificates: [] as Uint8Array[] }),
  fc.record({
    peerCertificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 4 }),
    peerVerification: fc.constant({ authorized: true, error: undefined }),
  }),
  fc.record({
    peerCertificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 4 }),
    peerVerification: fc.record({ authorized: fc.constant(false), error: fc.stringMatching(/^[A-Z_]{1,40}$/) }),
  }),
);

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
      fc.property(state, clientAuth, (fields, auth) => {
        const s: SessionState = { ...fields, ...auth };
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
    expect(decodeSessionState(patched(5, 0x3f))).toBeUndefined(); // an unknown flag bit
    expect(decodeSessionState(patched(5, 0x19))).toBeUndefined(); // server_name and ALPN present but flags say absent
  });

  it('the client verdict: requested or not, verified or why not; inconsistent combinations are refused', () => {
    const unauthorized: SessionState = { ...base, peerVerification: { authorized: false, error: 'CERT_HAS_EXPIRED' } };
    expect(decodeSessionState(encodeSessionState(unauthorized))).toEqual(unauthorized);
    const noCertificate: SessionState = { ...base, peerCertificates: [], peerVerification: { authorized: false, error: 'UNABLE_TO_GET_ISSUER_CERT' } };
    expect(decodeSessionState(encodeSessionState(noCertificate))).toEqual(noCertificate);
    const notRequested: SessionState = { ...base, peerCertificates: [] };
    delete (notRequested as { peerVerification?: unknown }).peerVerification;
    expect(decodeSessionState(encodeSessionState(notRequested))?.peerVerification).toBeUndefined();
    expect(() => encodeSessionState({ ...notRequested, peerCertificates: [Uint8Array.of(1)] })).toThrow(/without peerVerification/);
    const bytes = encodeSessionState(base);
    const flags = (f: number) => {
      const b = bytes.slice();
      b[5] = f;
      return b;
    };
    expect(bytes[5]).toBe(0x1f);
    expect(decodeSessionState(flags(0x17))).toBeUndefined(); // verified without being requested
    expect(decodeSessionState(flags(0x07))).toBeUndefined(); // a chain without a request
    expect(decodeSessionState(flags(0x0f))).toBeUndefined(); // not verified, yet no error
    // Verified with an error, or an empty chain verified: refused by the decoder, never written by the encoder.
    expect(decodeSessionState(encodeSessionState(unauthorized).map((b, i) => (i === 5 ? 0x1f : b)))).toBeUndefined();
    expect(() => encodeSessionState({ ...base, peerVerification: { authorized: true, error: 'X' } })).toThrow(/exactly when not authorized/);
    expect(() => encodeSessionState({ ...base, peerVerification: { authorized: false, error: undefined } })).toThrow(/exactly when not authorized/);
  });

  it('a format 1 state (before client verdicts) is refused', () => {
    const b = encodeSessionState(base);
    b[0] = 1;
    expect(SESSION_STATE_FORMAT).toBe(2);
    expect(decodeSessionState(b)).toBeUndefined();
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
