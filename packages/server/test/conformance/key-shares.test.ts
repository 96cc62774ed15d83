/**
 * Issue 16.3: a key share of the wrong length or off the curve, for every group we serve and with
 * both crypto providers → illegal_parameter (RFC 8446 §4.2.8.2: peers "MUST validate each other's
 * public value"; §6.2 illegal_parameter: the syntax holds, the value is wrong). A ClientHello whose
 * groups and key shares are all unknown → handshake_failure in every shape (RFC 8446 §4.1.1); an
 * empty key_exchange is outside `opaque key_exchange<1..2^16-1>`: decode_error.
 */
import { describe, expect, it } from 'vitest';
import { NAMED_GROUP_CODEPOINT, type NamedGroup } from '@puretls/crypto';
import { AlertDescription } from '@puretls/record-layer';
import { exchange, makeContext } from '@puretls/test-support/harness13';
import { TestClient13, type ClientHelloOptions } from '@puretls/test-support/tls13-client';
import { exchange12, hello12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';
import { records } from './wire';

const BAD: Record<NamedGroup, number[]> = {
  x25519: [1, 31, 33, 64],
  secp256r1: [32, 33, 64, 66, 97],
  secp384r1: [48, 49, 96, 98],
  X25519MLKEM768: [32, 1184, 1215, 1217],
};

function hello(provider: 'noble' | 'node', opts: ClientHelloOptions): string[] {
  const x = exchange(makeContext({ crypto: provider }));
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello(opts)));
  expect(x.conn.phase).toBe('closed');
  return [...x.errors.map((e) => `${e.alert} ${e.reason}`), `sent ${x.clientAlerts.join(',')}`];
}

describe.each(['noble', 'node'] as const)('%s provider', (provider) => {
  describe.each(Object.entries(BAD) as [NamedGroup, number[]][])('%s', (group, lengths) => {
    const code = NAMED_GROUP_CODEPOINT[group];
    it.each(lengths)('a share of %i bytes → illegal_parameter', (n) => {
      // A filler that is not a valid encoding either way (0x04 first for the NIST curves: "uncompressed").
      const share = new Uint8Array(n).fill(7);
      if (group.startsWith('secp')) share[0] = 4;
      expect(hello(provider, { groups: [code], rawShares: [{ group: code, keyExchange: share }] })).toEqual(['illegal_parameter InvalidKeyShare', `sent ${AlertDescription.illegal_parameter}`]);
    });
  });
  it('a NIST point of the right length that is not on the curve → illegal_parameter', () => {
    for (const [group, n] of [['secp256r1', 65], ['secp384r1', 97]] as const) {
      const share = new Uint8Array(n).fill(1);
      share[0] = 4;
      const code = NAMED_GROUP_CODEPOINT[group];
      expect(hello(provider, { groups: [code], rawShares: [{ group: code, keyExchange: share }] })[0]).toBe('illegal_parameter InvalidKeyShare');
    }
  });
});

describe('TLS 1.2 ClientKeyExchange: a point of the wrong length or off the curve → illegal_parameter (RFC 8422 §5.11)', () => {
  it.each([
    ['x25519', 0x001d, [1, 31, 33]],
    ['secp256r1', 0x0017, [33, 64, 66]],
    ['secp384r1', 0x0018, [49, 96, 98]],
  ] as const)('%s', (_name, code, lengths) => {
    for (const n of lengths) {
      const x = exchange12(makeContext12({ groups: [_name] }));
      x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ groups: [code, 0x0017] }))); // P-256 for the certificate (RFC 8422 §5.3)
      const point = new Uint8Array(n).fill(7);
      if (code !== 0x001d) point[0] = 4;
      x.send(x.client.finish({ point }));
      expect(x.errors.map((e) => `${e.alert} ${e.reason}`), `${n} bytes`).toEqual(['illegal_parameter InvalidKeyShare']);
    }
  });
  it('an empty point is outside `opaque point <1..2^8-1>`: decode_error', () => {
    const x = exchange12();
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello()));
    x.send(TestClient12.plaintextRecord(Uint8Array.of(16, 0, 0, 1, 0), 22, 0x0303));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decode_error EmptyVector']);
  });
});

describe('groups and key shares all unknown → handshake_failure, in every shape', () => {
  const U1 = 0x1234;
  const U2 = 0x2345;
  const shapes: [string, ClientHelloOptions][] = [
    ['unknown groups, a share for each', { groups: [U1, U2], rawShares: [{ group: U1, keyExchange: new Uint8Array(10) }, { group: U2, keyExchange: new Uint8Array(3000).fill(1) }] }],
    ['unknown groups, an empty share list', { groups: [U1, U2], rawShares: [] }],
    ['GREASE and unknown groups only', { groups: [0x0a0a, 0x1a1a, U1], rawShares: [{ group: 0x0a0a, keyExchange: new Uint8Array(1) }] }],
    ['thousands of unknown groups and shares', { groups: Array.from({ length: 3000 }, (_, i) => 0x3000 + i), rawShares: Array.from({ length: 3000 }, (_, i) => ({ group: 0x3000 + i, keyExchange: new Uint8Array(1) })) }],
    ['a valid-looking x25519 share under an unknown group code', { groups: [U1], rawShares: [{ group: U1, keyExchange: new Uint8Array(32).fill(9) }] }],
  ];
  it.each(shapes)('TLS 1.3: %s', (_name, opts) => {
    const x = exchange();
    x.send(records(x.client.buildClientHello(opts)));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['handshake_failure NoCommonGroup']);
    expect(x.clientAlerts).toEqual([AlertDescription.handshake_failure]);
  });
  it('TLS 1.2: unknown groups only', () => {
    const x = hello12({ groups: [U1, U2] }, makeContext12());
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['handshake_failure NoCommonGroup']);
  });
  it('an empty key_exchange is outside the syntax: decode_error', () => {
    const x = exchange();
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ groups: [U1], rawShares: [{ group: U1, keyExchange: new Uint8Array(0) }] })));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decode_error EmptyVector']);
  });
});
