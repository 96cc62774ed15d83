/** The TLS 1.2 key exchange codecs: round trips, strictness, no strict prefix decodes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  readClientKeyExchangeEcdhe,
  readServerHelloDone,
  readServerKeyExchange,
  serverKeyExchangeSignedContent,
  writeClientKeyExchangeEcdhe,
  writeServerEcdhParams,
  writeServerHelloDone,
  writeServerKeyExchange,
} from '../../src/internal';
import { expectTlsError, hex } from '../msgs/helpers';

describe('ServerKeyExchange (RFC 8422 §5.4)', () => {
  it('round trips; params are exactly the signed bytes', () => {
    const params = writeServerEcdhParams(0x0017, Uint8Array.of(4, ...new Uint8Array(64).fill(7)));
    expect(hex(params.subarray(0, 4))).toBe('03001741');
    const msg = writeServerKeyExchange({ params, algorithm: 0x0403, signature: Uint8Array.of(1, 2, 3) });
    expect(msg[0]).toBe(12);
    const ske = readServerKeyExchange(msg.subarray(4));
    expect(ske).toMatchObject({ curveType: 3, namedCurve: 0x17, algorithm: 0x0403 });
    expect(ske.params).toEqual(params);
    expect(ske.signature).toEqual(Uint8Array.of(1, 2, 3));
    expect(serverKeyExchangeSignedContent(Uint8Array.of(1), Uint8Array.of(2), params)).toEqual(Uint8Array.of(1, 2, ...params));
  });
  it('explicit curves → illegal_parameter; trailing bytes / empty point → decode_error', () => {
    expectTlsError(() => readServerKeyExchange(Uint8Array.of(1, 0, 0x17, 1, 4, 4, 3, 0, 0)), 'illegal_parameter', 'IllegalParameter');
    expectTlsError(() => readServerKeyExchange(Uint8Array.of(3, 0, 0x1d, 1, 9, 4, 3, 0, 0, 0)), 'decode_error', 'TrailingData');
    expectTlsError(() => readServerKeyExchange(Uint8Array.of(3, 0, 0x1d, 0, 4, 3, 0, 0)), 'decode_error', 'EmptyVector');
  });
  it('no strict prefix decodes (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ maxLength: 300 }), (point, sig) => {
        const body = writeServerKeyExchange({ params: writeServerEcdhParams(0x1d, point), algorithm: 0x0807, signature: sig }).subarray(4);
        for (let n = 0; n < body.length; n++) expect(() => readServerKeyExchange(body.subarray(0, n))).toThrow();
        expect(readServerKeyExchange(body).point).toEqual(point);
      }),
      { numRuns: 50 },
    );
  });
});

describe('ServerHelloDone / ClientKeyExchange', () => {
  it('ServerHelloDone is 0e000000 and must be empty', () => {
    expect(hex(writeServerHelloDone())).toBe('0e000000');
    expect(readServerHelloDone(new Uint8Array(0))).toEqual({});
    expectTlsError(() => readServerHelloDone(Uint8Array.of(0)), 'decode_error', 'TrailingData');
  });
  it('ClientKeyExchange round trips; empty point, truncation, trailing bytes → decode_error', () => {
    const p = new Uint8Array(32).fill(3);
    expect(readClientKeyExchangeEcdhe(writeClientKeyExchangeEcdhe(p).subarray(4))).toEqual(p);
    expectTlsError(() => readClientKeyExchangeEcdhe(Uint8Array.of(0)), 'decode_error', 'EmptyVector');
    expectTlsError(() => readClientKeyExchangeEcdhe(Uint8Array.of(5, 1, 2)), 'decode_error', 'Truncated');
    expectTlsError(() => readClientKeyExchangeEcdhe(Uint8Array.of(1, 1, 2)), 'decode_error', 'TrailingData');
    expectTlsError(() => readClientKeyExchangeEcdhe(new Uint8Array(0)), 'decode_error', 'Truncated');
    expect(() => writeClientKeyExchangeEcdhe(new Uint8Array(0))).toThrow(RangeError);
  });
});
