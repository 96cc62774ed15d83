/** `TicketKeyRing.replaceKeys`: a fleet member adopts a shared ring in place (issue #8). */
import { createNobleProvider } from '@puretls/crypto';
import { seededRandom } from '@puretls/crypto/testing';
import { describe, expect, it } from 'vitest';
import { TicketKeyRing, type TicketKeyRingJson } from '../src/index';
import { FakeClock } from './helpers';

const HOUR = 3600_000;
const text = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe('TicketKeyRing.replaceKeys', () => {
  it('the same instance then seals with the imported current key and opens what the other ring sealed', () => {
    const clock = new FakeClock();
    const fleet = new TicketKeyRing(createNobleProvider({ random: seededRandom(1) }), { now: clock.now, rotationIntervalMs: HOUR });
    const local = new TicketKeyRing(createNobleProvider({ random: seededRandom(2) }), { now: clock.now, rotationIntervalMs: HOUR, generate: false });
    const before = local.seal(text('local'));
    const fromFleet = fleet.seal(text('fleet'));
    expect(local.open(fromFleet)).toBeNull();

    local.replaceKeys(fleet.export());
    expect(local.currentKeyName()).toEqual(fleet.currentKeyName());
    expect(local.open(fromFleet)).toEqual({ plaintext: text('fleet'), needsReissue: false });
    expect(fleet.open(local.seal(text('x')))?.plaintext).toEqual(text('x'));
    // The replaced keys are gone: what they sealed is a miss, not an error.
    expect(local.open(before)).toBeNull();
    expect(local.export()).toEqual(fleet.export());
  });

  it('keeps at most keepPrevious previous keys and follows the imported schedule (next key promoted)', () => {
    const clock = new FakeClock();
    const fleet = new TicketKeyRing(createNobleProvider({ random: seededRandom(3) }), { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 3 });
    const sealed = [fleet.seal(text('0'))];
    for (let i = 1; i <= 3; i++) {
      fleet.rotate();
      sealed.push(fleet.seal(text(String(i))));
    }
    const local = new TicketKeyRing(createNobleProvider({ random: seededRandom(4) }), { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 1, generate: false });
    const json = fleet.export();
    local.replaceKeys(json);
    expect(local.size).toBe(3); // next + current + 1 previous
    expect(local.open(sealed[3]!)?.needsReissue).toBe(false);
    expect(local.open(sealed[2]!)?.needsReissue).toBe(true);
    expect(local.open(sealed[1]!)).toBeNull();
    const nextName = json.keys.find((k) => k.role === 'next')!.name;
    clock.advance(HOUR);
    expect(Buffer.from(local.currentKeyName()).toString('hex')).toBe(nextName);
  });

  it('adopts the imported rotation interval (the shared schedule rules)', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(createNobleProvider({ random: seededRandom(7) }), { now: clock.now, rotationIntervalMs: HOUR, generate: false });
    const other = new TicketKeyRing(createNobleProvider({ random: seededRandom(8) }), { now: clock.now, rotationIntervalMs: 2 * HOUR });
    const json = other.export();
    ring.replaceKeys(json);
    expect(ring.rotationIntervalMs).toBe(2 * HOUR);
    const current = ring.currentKeyName();
    clock.advance(HOUR);
    expect(ring.currentKeyName()).toEqual(current);
    clock.advance(HOUR);
    expect(Buffer.from(ring.currentKeyName()).toString('hex')).toBe(json.keys.find((k) => k.role === 'next')!.name);
  });

  it('rejects malformed JSON and leaves the ring as it was', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(createNobleProvider({ random: seededRandom(5) }), { now: clock.now, rotationIntervalMs: HOUR });
    const t = ring.seal(text('kept'));
    const exported = ring.export();
    expect(() => ring.replaceKeys({ ...exported, rotationIntervalMs: 0 })).toThrow(RangeError);
    expect(() => ring.replaceKeys({ ...exported, keys: exported.keys.filter((k) => k.role !== 'current') })).toThrow(RangeError);
    expect(() => ring.replaceKeys({ format: 'nope' } as unknown as TicketKeyRingJson)).toThrow(TypeError);
    expect(ring.open(t)?.plaintext).toEqual(text('kept'));
    expect(ring.export()).toEqual(exported);
  });
});
