import { createNobleProvider } from '@puretls/crypto';
import { seededRandom } from '@puretls/crypto/testing';
import { describe, expect, it } from 'vitest';
import {
  TICKET_KEY_NAME_LENGTH,
  TICKET_OVERHEAD,
  TicketKeyRing,
  decodeSession,
  encodeSession,
  openSession,
  openTicket,
  sealSession,
  sealTicket,
} from '../src/index';
import { FakeClock, session, state, ticket } from './helpers';

const HOUR = 3600_000;
const provider = () => createNobleProvider({ random: seededRandom(42) });
const text = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe('§6 ticket key ring', () => {
  it('seal → key_name(16) ‖ nonce(12) ‖ ciphertext ‖ tag; open gives the plaintext, no re-issue for the current key', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    const pt = text('session state');
    const t = ring.seal(pt);
    expect(t.length).toBe(pt.length + TICKET_OVERHEAD);
    expect(t.subarray(0, TICKET_KEY_NAME_LENGTH)).toEqual(ring.currentKeyName());
    expect(ring.open(t)).toEqual({ plaintext: pt, needsReissue: false });
    expect(ring.seal(pt)).not.toEqual(t); // fresh nonce
  });
  it('key rotation: after the interval a new key seals; the old key still opens and flags re-issue', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 1 });
    const oldName = ring.currentKeyName();
    const t = ring.seal(text('a'));
    clock.advance(HOUR - 1);
    expect(ring.currentKeyName()).toEqual(oldName);
    clock.advance(1);
    expect(ring.currentKeyName()).not.toEqual(oldName);
    expect(ring.open(t)).toEqual({ plaintext: text('a'), needsReissue: true });
    expect(ring.open(ring.seal(text('b')))?.needsReissue).toBe(false);
  });
  it('a dropped key is a miss (null), and its key bytes are wiped', () => {
    const clock = new FakeClock();
    const p = provider();
    const keys: Uint8Array[] = [];
    const spy = Object.assign(Object.create(p) as typeof p, {
      random: (n: number, purpose?: string) => {
        const b = p.random(n, purpose);
        if (purpose === 'ticket_key') keys.push(b);
        return b;
      },
    });
    const ring = new TicketKeyRing(spy, { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 1 });
    const t = ring.seal(text('a'));
    const firstKey = keys[0]!;
    clock.advance(HOUR); // first key → previous
    expect(ring.open(t)).not.toBeNull();
    clock.advance(HOUR); // first key dropped
    expect(ring.open(t)).toBeNull();
    expect(firstKey.every((b) => b === 0)).toBe(true);
  });
  it('unknown key name, bad tag, truncated ticket, wrong aad → null, never an error', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    const t = ring.seal(text('abc'), text('id'));
    const bad = (f: (b: Uint8Array) => Uint8Array) => ring.open(f(t.slice()), text('id'));
    expect(bad((b) => ((b[0]! ^= 1), b))).toBeNull();
    expect(bad((b) => ((b[b.length - 1]! ^= 1), b))).toBeNull();
    expect(bad((b) => ((b[20]! ^= 1), b))).toBeNull();
    expect(bad((b) => b.subarray(0, TICKET_OVERHEAD - 1))).toBeNull();
    expect(ring.open(t, text('other'))).toBeNull();
    expect(ring.open(t)).toBeNull();
    expect(ring.open(t, text('id'))?.plaintext).toEqual(text('abc'));
  });
  it('next key: shared in advance, opens before it is current, becomes current at rotation (fleet)', () => {
    const clock = new FakeClock();
    const a = new TicketKeyRing(provider(), { now: clock.now, rotationIntervalMs: HOUR });
    const b = TicketKeyRing.import(createNobleProvider({ random: seededRandom(7) }), JSON.stringify(a.export()), { now: clock.now, generate: false });
    const tA = a.seal(text('x'));
    expect(b.open(tA)).toEqual({ plaintext: text('x'), needsReissue: false });
    clock.advance(HOUR);
    // both promote the same next key at the same scheduled time
    expect(b.currentKeyName()).toEqual(a.currentKeyName());
    expect(a.open(b.seal(text('y')))?.needsReissue).toBe(false);
    expect(b.open(tA)?.needsReissue).toBe(true);
  });
  it('export/import JSON round-trips keys with their times; malformed JSON is rejected', () => {
    const clock = new FakeClock();
    const a = new TicketKeyRing(provider(), { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 3 });
    clock.advance(2 * HOUR);
    const json = a.export();
    expect(json.format).toBe('puretls-ticket-keys/1');
    expect(json.keys.map((k) => k.role)).toEqual(['next', 'current', 'previous', 'previous']);
    for (const k of json.keys) expect(k).toMatchObject({ name: expect.stringMatching(/^[0-9a-f]{32}$/), key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const b = TicketKeyRing.import(provider(), json, { now: clock.now, keepPrevious: 3 });
    expect(b.export()).toEqual(json);
    const opts = { now: clock.now };
    expect(() => TicketKeyRing.import(provider(), { ...json, format: 'x' } as never, opts)).toThrow(TypeError);
    expect(() => TicketKeyRing.import(provider(), { ...json, keys: json.keys.filter((k) => k.role !== 'current') }, opts)).toThrow(/no current key/);
    expect(() => TicketKeyRing.import(provider(), { ...json, keys: [...json.keys, json.keys[1]!] }, opts)).toThrow(RangeError);
    expect(() => TicketKeyRing.import(provider(), { ...json, keys: [{ ...json.keys[1]!, key: 'zz' }] }, opts)).toThrow(/hex/);
  });
  it('sleeping through many intervals leaves a fresh current key and at most keepPrevious old ones', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now, rotationIntervalMs: HOUR, keepPrevious: 2 });
    const t = ring.seal(text('a'));
    clock.advance(100 * HOUR);
    expect(ring.open(t)).toBeNull();
    expect(ring.size).toBe(4); // next + current + 2 previous
    expect(ring.export().keys.find((k) => k.role === 'current')!.activatedAt).toBe(clock.t);
  });
  it('clean() wipes everything', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    ring.clean();
    expect(ring.export().keys.every((k) => /^0+$/.test(k.key))).toBe(true);
  });
});

describe('§7 sealed session blobs and stateless tickets', () => {
  it('sealSession/openSession round-trip; the blob does not contain the state (it holds the secret); id is the associated data', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    const s = ticket(clock, { state: state(64, 0xab) });
    const blob = sealSession(ring, s);
    const hex = Buffer.from(blob).toString('hex');
    expect(hex.includes('ab'.repeat(16))).toBe(false);
    expect(hex.includes(Buffer.from(encodeSession(s)).toString('hex').slice(0, 40))).toBe(false);
    expect(openSession(ring, s.id, blob)).toEqual({ session: s, needsReissue: false });
    const otherId = s.id.slice();
    otherId[0]! ^= 1;
    expect(openSession(ring, otherId, blob)).toBeNull();
    blob[blob.length - 1]! ^= 1;
    expect(openSession(ring, s.id, blob)).toBeNull();
  });
  it('sealTicket/openTicket: a stateless ticket opens to the session; tampered → null', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    const s = session(clock);
    const sealed = sealTicket(ring, s);
    const opened = openTicket(ring, sealed);
    expect(opened?.session).toEqual(s);
    expect(decodeSession(encodeSession(opened!.session))).toEqual(s);
    sealed[TICKET_KEY_NAME_LENGTH]! ^= 1;
    expect(openTicket(ring, sealed)).toBeNull();
  });
  it('a blob that opens under the ring but is not a session (another format, garbage) is null, never an error', () => {
    const clock = new FakeClock();
    const ring = new TicketKeyRing(provider(), { now: clock.now });
    const s = session(clock);
    const oldFormat = encodeSession(s);
    oldFormat[0] = 1;
    for (const plain of [text('not a session'), oldFormat]) {
      expect(openTicket(ring, ring.seal(plain))).toBeNull();
      expect(openSession(ring, s.id, ring.seal(plain, s.id))).toBeNull();
    }
    // A session sealed as a blob under its id is not a stateless ticket, and the reverse.
    expect(openTicket(ring, sealSession(ring, s))).toBeNull();
    expect(openSession(ring, s.id, sealTicket(ring, s))).toBeNull();
  });
});
