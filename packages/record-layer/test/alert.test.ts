import { describe, expect, it } from 'vitest';
import { AlertLevel, decodeAlert, encodeAlert, isChangeCipherSpec } from '../src/index';
import { expectTlsError } from './helpers';

describe('alerts', () => {
  it('round-trips level and description, unknown descriptions included', () => {
    expect([...encodeAlert('close_notify', AlertLevel.warning)]).toEqual([1, 0]);
    expect([...encodeAlert('bad_record_mac')]).toEqual([2, 20]);
    expect(decodeAlert(encodeAlert(200, AlertLevel.warning))).toEqual({ level: 1, description: 200 });
    expect(decodeAlert(new Uint8Array([2, 50]))).toEqual({ level: 2, description: 50 });
  });
  it('rejects malformed alert records', () => {
    expectTlsError(() => decodeAlert(new Uint8Array(0)), 'unexpected_message', 'EmptyAlertRecord');
    expectTlsError(() => decodeAlert(new Uint8Array([2])), 'decode_error', 'BadAlertMessage');
    expectTlsError(() => decodeAlert(new Uint8Array([2, 0, 2, 0])), 'decode_error', 'BadAlertMessage');
    expectTlsError(() => decodeAlert(new Uint8Array([3, 0])), 'decode_error', 'BadAlertMessage');
    expectTlsError(() => decodeAlert(new Uint8Array([0, 0])), 'decode_error', 'BadAlertMessage');
  });
  it('encodeAlert rejects API misuse', () => {
    expect(() => encodeAlert(256)).toThrow(RangeError);
    expect(() => encodeAlert('nope' as never)).toThrow(RangeError);
    expect(() => encodeAlert(0, 3 as never)).toThrow(RangeError);
  });
  it('recognises exactly the ChangeCipherSpec body 0x01', () => {
    expect(isChangeCipherSpec(new Uint8Array([1]))).toBe(true);
    expect(isChangeCipherSpec(new Uint8Array([2]))).toBe(false);
    expect(isChangeCipherSpec(new Uint8Array([1, 1]))).toBe(false);
    expect(isChangeCipherSpec(new Uint8Array(0))).toBe(false);
  });
});
