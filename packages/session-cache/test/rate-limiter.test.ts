/** `createRateLimiter`: one line per kind per interval, the count of the ones left out on the next. */
import { describe, expect, it } from 'vitest';
import { LOG_INTERVAL_MS, createRateLimiter } from '../src/index';

describe('createRateLimiter', () => {
  it('admits the first of a kind, leaves out the rest of the interval, reports how many on the next', () => {
    let t = 1000;
    const admit = createRateLimiter(() => t, 100);
    expect(admit('a')).toBe(0);
    expect(admit('a')).toBeUndefined();
    expect(admit('b')).toBe(0);
    t += 99;
    expect(admit('a')).toBeUndefined();
    t += 1;
    expect(admit('a')).toBe(2);
    expect(admit('a')).toBeUndefined();
    t += 100;
    expect(admit('a')).toBe(1);
    t += 1000;
    expect(admit('b')).toBe(0);
  });
  it('defaults to LOG_INTERVAL_MS; rejects a bad interval or clock', () => {
    let t = 0;
    const admit = createRateLimiter(() => t);
    expect(admit('x')).toBe(0);
    t = LOG_INTERVAL_MS - 1;
    expect(admit('x')).toBeUndefined();
    t = LOG_INTERVAL_MS;
    expect(admit('x')).toBe(1);
    expect(() => createRateLimiter(() => 0, -1)).toThrow(RangeError);
    expect(() => createRateLimiter(() => 0, Number.NaN)).toThrow(RangeError);
    expect(() => createRateLimiter(undefined as never)).toThrow(TypeError);
  });
});
