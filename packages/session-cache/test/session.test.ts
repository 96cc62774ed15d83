import { describe, expect, it } from 'vitest';
import {
  MAX_SESSION_ID_LENGTH,
  MAX_SESSION_STATE_LENGTH,
  MAX_TIMEOUT,
  SESSION_OVERHEAD_BYTES,
  createSession,
  isSession,
  sessionCost,
  sessionExpiresAt,
  withFields,
} from '../src/index';
import { FakeClock, newId, session, state } from './helpers';

describe('§1 Session: opaque state plus the cache’s metadata', () => {
  it('is frozen, has exactly the six fields, and its byte fields are copies of the caller’s', () => {
    const id = newId();
    const idCopy = id.slice();
    const st = state(40, 3);
    const s = createSession({ id, createdAt: 1000, timeout: 60, authTime: 500, singleUse: true, state: st });
    expect(Object.keys(s).sort()).toEqual(['authTime', 'createdAt', 'id', 'singleUse', 'state', 'timeout']);
    expect(s).toMatchObject({ createdAt: 1000, timeout: 60, authTime: 500, singleUse: true });
    expect(Object.isFrozen(s)).toBe(true);
    expect(isSession(s)).toBe(true);
    id.fill(0);
    st.fill(0);
    expect(s.id).toEqual(idCopy);
    expect(s.state).toEqual(state(40, 3));
    expect(() => ((s as { timeout: number }).timeout = 5)).toThrow(TypeError);
  });
  it('copies views at their offset (a view into a larger buffer, e.g. a record)', () => {
    const buf = new Uint8Array(100).map((_, i) => i);
    const s = createSession({ id: buf.subarray(10, 42), createdAt: 0, timeout: 1, state: buf.subarray(50, 53) });
    expect([...s.id]).toEqual(Array.from({ length: 32 }, (_, i) => 10 + i));
    expect([...s.state]).toEqual([50, 51, 52]);
    expect(s.state.byteOffset).toBe(0);
    expect(s.state.buffer.byteLength).toBe(3);
  });
  it('defaults: authTime = createdAt (a full handshake), singleUse false', () => {
    const s = createSession({ id: newId(), createdAt: 5, timeout: 1, state: state(1) });
    expect(s).toMatchObject({ authTime: 5, singleUse: false });
  });
  it('accepts every bound: ids of 1 and 32 bytes, state of 1 byte, timeout 2^32-1, times up to 2^53-1', () => {
    for (const len of [1, MAX_SESSION_ID_LENGTH]) expect(createSession({ id: new Uint8Array(len), createdAt: 0, timeout: 0, state: state(1) }).id.length).toBe(len);
    const max = createSession({ id: newId(), createdAt: Number.MAX_SAFE_INTEGER, authTime: Number.MAX_SAFE_INTEGER, timeout: MAX_TIMEOUT, state: state(1) });
    expect(max).toMatchObject({ createdAt: 2 ** 53 - 1, authTime: 2 ** 53 - 1, timeout: 2 ** 32 - 1 });
  });
  it('a state of 2^24-1 bytes is accepted, 2^24 is a RangeError', { timeout: 20_000 }, () => {
    expect(MAX_SESSION_STATE_LENGTH).toBe(0xffffff);
    expect(createSession({ id: newId(), createdAt: 0, timeout: 1, state: new Uint8Array(MAX_SESSION_STATE_LENGTH) }).state.length).toBe(MAX_SESSION_STATE_LENGTH);
    expect(() => createSession({ id: newId(), createdAt: 0, timeout: 1, state: new Uint8Array(MAX_SESSION_STATE_LENGTH + 1) })).toThrow(/"state" length 16777216/);
  });
  it('validates every field (RangeError/TypeError naming it)', () => {
    const base = { id: newId(), createdAt: 10, timeout: 1, state: state(8) };
    const bad: [object, ErrorConstructor, RegExp][] = [
      [{ id: new Uint8Array(0) }, RangeError, /"id" length 0/],
      [{ id: new Uint8Array(33) }, RangeError, /"id" length 33/],
      [{ id: 'abc' }, TypeError, /"id" expected Uint8Array/],
      [{ id: [1, 2, 3] }, TypeError, /"id" expected Uint8Array/],
      [{ id: undefined }, TypeError, /"id" expected Uint8Array/],
      [{ state: new Uint8Array(0) }, RangeError, /"state" length 0/],
      [{ state: 'x' }, TypeError, /"state" expected Uint8Array/],
      [{ state: undefined }, TypeError, /"state" expected Uint8Array/],
      [{ createdAt: -1 }, RangeError, /"createdAt"/],
      [{ createdAt: 1.5 }, RangeError, /"createdAt"/],
      [{ createdAt: 2 ** 53 }, RangeError, /"createdAt"/],
      [{ createdAt: '10' }, RangeError, /"createdAt"/],
      [{ createdAt: undefined }, RangeError, /"createdAt"/],
      [{ authTime: 11 }, RangeError, /"authTime" \(11\) is after "createdAt" \(10\)/],
      [{ authTime: -1 }, RangeError, /"authTime"/],
      [{ authTime: Number.NaN }, RangeError, /"authTime"/],
      [{ timeout: 2 ** 32 }, RangeError, /"timeout"/],
      [{ timeout: -1 }, RangeError, /"timeout"/],
      [{ timeout: 0.5 }, RangeError, /"timeout"/],
      [{ singleUse: 1 }, TypeError, /"singleUse" expected boolean/],
      [{ singleUse: 'yes' }, TypeError, /"singleUse" expected boolean/],
    ];
    for (const [over, type, msg] of bad) {
      const run = () => createSession({ ...base, ...over } as never);
      expect(run, JSON.stringify(over)).toThrow(type);
      expect(run, JSON.stringify(over)).toThrow(msg);
    }
    expect(() => createSession(null as never)).toThrow(/"init" expected an object/);
    expect(() => createSession(undefined as never)).toThrow(TypeError);
  });
  it('isSession: only values made by createSession (or decodeSession), not look-alikes', () => {
    const s = session(new FakeClock());
    expect(isSession(s)).toBe(true);
    expect(isSession({ ...s })).toBe(false);
    expect(isSession(Object.freeze({ ...s }))).toBe(false);
    for (const v of [null, undefined, 0, 'session', []]) expect(isSession(v)).toBe(false);
  });
  it('withFields makes a validated copy; the original is unchanged', () => {
    const s = session(new FakeClock());
    const t = withFields(s, { createdAt: s.createdAt + 1 });
    expect(t).not.toBe(s);
    expect(isSession(t)).toBe(true);
    expect(t).toEqual({ ...s, createdAt: s.createdAt + 1 });
    expect(withFields(s, { singleUse: true }).singleUse).toBe(true);
    expect(s.singleUse).toBe(false);
    expect(() => withFields(s, { authTime: s.createdAt + 1 })).toThrow(RangeError);
    expect(() => withFields(s, { state: new Uint8Array(0) })).toThrow(RangeError);
  });
  it('sessionCost = SESSION_OVERHEAD_BYTES + id length + state length', () => {
    expect(SESSION_OVERHEAD_BYTES).toBe(512);
    const clock = new FakeClock();
    expect(sessionCost(session(clock, { id: newId(1, 32), state: state(100) }))).toBe(512 + 32 + 100);
    expect(sessionCost(session(clock, { id: newId(2, 1), state: state(1) }))).toBe(512 + 1 + 1);
    expect(sessionCost(session(clock, { state: state(5000) })) - sessionCost(session(clock, { state: state(1000) }))).toBe(4000);
  });
  it('sessionExpiresAt: createdAt + timeout, or earlier authTime + authTimeout; the session’s own timeout, uncapped', () => {
    const s = createSession({ id: newId(), createdAt: 100_000, authTime: 40_000, timeout: 30, state: state(1) });
    expect(sessionExpiresAt(s, 3600)).toBe(130_000); // by timeout
    expect(sessionExpiresAt(s, 80)).toBe(120_000); // by authTime + 80 s
    expect(sessionExpiresAt(s, 90)).toBe(130_000); // equal bounds
    // No TLS 1.3 7-day cap in the cache: the handshake bounds the ticket lifetime it sends.
    const long = createSession({ id: newId(), createdAt: 0, timeout: 30 * 86400, state: state(1) });
    expect(sessionExpiresAt(long, 365 * 86400)).toBe(30 * 86400_000);
  });
});
