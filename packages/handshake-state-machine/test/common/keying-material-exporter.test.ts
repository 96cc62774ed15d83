/**
 * The exporters' argument rules (common/keying-material-exporter.ts), on fixed secrets: TLS 1.3
 * (RFC 8446 §7.5) treats no context as an empty one, bounds label and length; TLS 1.2 (RFC 5705
 * §4) tells no context from an empty one, refuses its five reserved labels and a master secret made
 * without extended master secret (RFC 7627 §5.4). The bytes themselves are compared with Node's
 * and OpenSSL's clients in `packages/server/test/node-parity-exporter.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import { RESERVED_EXPORTER_LABELS12, exportKeyingMaterial12, exportKeyingMaterial13, maxExportLength13 } from '../../src/internal';

const p = createNobleProvider();
const secret = new Uint8Array(32).fill(7);
const input12 = { hash: 'sha256' as const, masterSecret: new Uint8Array(48).fill(1), clientRandom: new Uint8Array(32).fill(2), serverRandom: new Uint8Array(32).fill(3), extendedMasterSecret: true };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TLS 1.3 exporter (RFC 8446 §7.5)', () => {
  it('no context = empty context; a context, a label or a length changes the bytes; a prefix of a longer export is not the shorter one (HkdfLabel carries the length)', () => {
    const a = exportKeyingMaterial13(p, 'sha256', secret, 'EXPERIMENTAL-a', undefined, 32);
    expect(hex(exportKeyingMaterial13(p, 'sha256', secret, 'EXPERIMENTAL-a', new Uint8Array(0), 32))).toBe(hex(a));
    expect(hex(exportKeyingMaterial13(p, 'sha256', secret, 'EXPERIMENTAL-a', Uint8Array.of(0), 32))).not.toBe(hex(a));
    expect(hex(exportKeyingMaterial13(p, 'sha256', secret, 'EXPERIMENTAL-b', undefined, 32))).not.toBe(hex(a));
    expect(hex(exportKeyingMaterial13(p, 'sha256', secret, 'EXPERIMENTAL-a', undefined, 64).subarray(0, 32))).not.toBe(hex(a));
  });

  it('bounds: label ≤ 249 bytes, length in [1, 255 × HashLen], ASCII labels; TLS 1.2\u2019s reserved labels are allowed', () => {
    expect(maxExportLength13('sha256')).toBe(8160);
    expect(maxExportLength13('sha384')).toBe(12240);
    expect(exportKeyingMaterial13(p, 'sha256', secret, 'x', undefined, 8160)).toHaveLength(8160);
    expect(() => exportKeyingMaterial13(p, 'sha256', secret, 'x', undefined, 8161)).toThrow(RangeError);
    expect(() => exportKeyingMaterial13(p, 'sha256', secret, 'x', undefined, 0)).toThrow(RangeError);
    expect(() => exportKeyingMaterial13(p, 'sha256', secret, 'x'.repeat(250), undefined, 16)).toThrow(RangeError);
    expect(() => exportKeyingMaterial13(p, 'sha256', secret, 'caf\u00e9', undefined, 16)).toThrow(TypeError);
    expect(exportKeyingMaterial13(p, 'sha256', secret, 'master secret', undefined, 16)).toHaveLength(16);
  });
});

describe('TLS 1.2 exporter (RFC 5705 §4)', () => {
  it('no context ≠ empty context (the uint16 length is in the seed)', () => {
    const none = exportKeyingMaterial12(p, input12, 'EXPERIMENTAL-a', undefined, 20);
    const empty = exportKeyingMaterial12(p, input12, 'EXPERIMENTAL-a', new Uint8Array(0), 20);
    expect(hex(none)).not.toBe(hex(empty));
    expect(exportKeyingMaterial12(p, input12, 'EXPERIMENTAL-a', new Uint8Array(0xffff), 20)).toHaveLength(20);
    expect(() => exportKeyingMaterial12(p, input12, 'EXPERIMENTAL-a', new Uint8Array(0x10000), 20)).toThrow(RangeError);
  });

  it('refuses the reserved labels, non-ASCII labels, bad lengths, and a master secret without EMS', () => {
    expect(RESERVED_EXPORTER_LABELS12).toEqual(['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret']);
    for (const label of RESERVED_EXPORTER_LABELS12) expect(() => exportKeyingMaterial12(p, input12, label, undefined, 16)).toThrow(/reserved/);
    expect(() => exportKeyingMaterial12(p, input12, 'caf\u00e9', undefined, 16)).toThrow(TypeError);
    expect(() => exportKeyingMaterial12(p, input12, 'x', undefined, 1.5)).toThrow(RangeError);
    expect(() => exportKeyingMaterial12(p, { ...input12, extendedMasterSecret: false }, 'EXPERIMENTAL-a', undefined, 16)).toThrow(/RFC 7627 §5\.4/);
  });
});
