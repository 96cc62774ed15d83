/**
 * Property tests (fast-check), each bounded by numRuns and interruptAfterTimeLimit:
 * any split of a valid stream gives the same events; random and mutated bytes give only TlsError
 * (never another exception, never an Internal one) and never more buffering than one record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORD_LENGTH,
  RecordLayer,
  isTlsError,
  padToMultipleOf,
  type RecordEvent,
  type TlsVersion,
  type TrafficKeys,
} from '../src/index';
import { AEADS, KEY_LENGTH, PROVIDERS, concat, handshakeMessage, pattern } from './helpers';

const LIMITS = { numRuns: 60, interruptAfterTimeLimit: 6000, markInterruptAsFailure: false } as const;
/** vitest's per-test timeout, above the fast-check time limit. */
const TIMEOUT = 30_000;

function keysFor(version: TlsVersion, algorithm: TrafficKeys['algorithm']): TrafficKeys {
  const ivLength = version === 'tls12' && algorithm !== 'chacha20-poly1305' ? 4 : 12;
  return { version, algorithm, key: pattern(KEY_LENGTH[algorithm], 3), iv: pattern(ivLength, 4) };
}

type Item = { kind: 'hs'; type: number; len: number } | { kind: 'app'; len: number } | { kind: 'alert'; desc: number };
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constant('hs' as const), type: fc.integer({ min: 1, max: 254 }), len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 40000 })) }),
  fc.record({ kind: fc.constant('app' as const), len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 40000 })) }),
  fc.record({ kind: fc.constant('alert' as const), desc: fc.integer({ min: 1, max: 255 }) }),
);

const scenarioArb = fc.record({
  version: fc.constantFrom<TlsVersion>('tls12', 'tls13'),
  algorithm: fc.constantFrom(...AEADS),
  provider: fc.integer({ min: 0, max: PROVIDERS.length - 1 }),
  protect: fc.boolean(),
  recordSizeLimit: fc.option(fc.integer({ min: 64, max: 2 ** 14 + 1 }), { nil: null }),
  pad: fc.option(fc.integer({ min: 1, max: 512 }), { nil: null }),
  items: fc.array(itemArb, { minLength: 1, maxLength: 8 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** The wire bytes of a scenario, written by a RecordLayer, and the receiver to read them. */
function build(s: Scenario): { wire: Uint8Array; receiver: () => RecordLayer } {
  const provider = PROVIDERS[s.provider]![1];
  const keys = keysFor(s.version, s.algorithm);
  const w = new RecordLayer({ provider });
  w.setVersion(s.version);
  if (s.protect) {
    w.setWriteProtection(keys);
    w.setPeerRecordSizeLimit(s.recordSizeLimit);
    if (s.pad !== null) w.setPaddingPolicy(padToMultipleOf(s.pad));
  }
  let seed = 1;
  for (const it of s.items) {
    if (it.kind === 'hs') w.writeHandshake(handshakeMessage(it.type, pattern(it.len, seed++)));
    else if (it.kind === 'app' && s.protect) w.writeApplicationData(pattern(it.len, seed++));
    else if (it.kind === 'alert') w.writeAlert(it.desc, 2); // fatal: a run of warnings is refused by design
  }
  const wire = w.takeOutput();
  return {
    wire,
    receiver: () => {
      const r = new RecordLayer({ provider });
      r.setVersion(s.version);
      if (s.protect) r.setReadProtection(keys);
      return r;
    },
  };
}

/** Events as plain data (copies: views die with their chunk). */
function snapshot(ev: RecordEvent): unknown {
  switch (ev.kind) {
    case 'handshake':
      return { kind: ev.kind, type: ev.type, raw: Array.from(ev.raw) };
    case 'applicationData':
      return { kind: ev.kind, data: Array.from(ev.data) };
    default:
      return ev;
  }
}

/** Feeds `wire` split at `cuts`, each chunk copied to an odd offset of a larger buffer (unaligned views). */
function feedSplit(r: RecordLayer, wire: Uint8Array, cuts: number[], offset: number): unknown[] {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const out: unknown[] = [];
  let prev = 0;
  for (const p of [...points, wire.length]) {
    if (p < prev) continue;
    const buf = new Uint8Array(p - prev + offset);
    buf.set(wire.subarray(prev, p), offset);
    r.receive(buf.subarray(offset));
    for (const ev of r.events()) out.push(snapshot(ev));
    expect(r.bufferedBytes).toBeLessThanOrEqual(MAX_RECORD_LENGTH);
    prev = p;
  }
  return out;
}

/** Runs `f`, allowing only a TlsError that is not Internal. */
function onlyTlsErrors(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!isTlsError(e) || e.reason === 'Internal') throw e;
  }
}

describe('properties', () => {
  it('any split of a valid stream (and any alignment) yields identical events', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.nat(), { maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (s, cuts, offset) => {
        const { wire, receiver } = build(s);
        const whole = receiver();
        whole.receive(wire.slice());
        const expected = [...whole.events()].map(snapshot);
        // what was written comes out, in order
        const written = s.items.filter((i) => i.kind !== 'app' || (s.protect && i.len > 0));
        const kinds = expected.map((e) => (e as { kind: string }).kind);
        expect(kinds.filter((k) => k === 'handshake').length).toBe(written.filter((i) => i.kind === 'hs').length);
        expect(kinds.filter((k) => k === 'alert').length).toBe(written.filter((i) => i.kind === 'alert').length);
        expect(feedSplit(receiver(), wire, cuts, offset)).toEqual(expected);
        // byte by byte for small streams
        if (wire.length < 600) expect(feedSplit(receiver(), wire, Array.from({ length: wire.length }, (_, i) => i), 1)).toEqual(expected);
      }),
      LIMITS,
    );
  }, TIMEOUT);

  it('random bytes only ever produce TlsError, with bounded buffering', () => {
    const provider = PROVIDERS[1]![1];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom<TlsVersion | null>(null, 'tls12', 'tls13'),
        fc.boolean(),
        (bytes, cuts, version, protect) => {
          const r = new RecordLayer({ provider, maxHandshakeMessageLength: 2000 });
          if (version) {
            r.setVersion(version);
            if (protect) r.setReadProtection(keysFor(version, 'aes-128-gcm'));
          }
          onlyTlsErrors(() => feedSplit(r, bytes, cuts, 0));
        },
      ),
      { ...LIMITS, numRuns: 300 },
    );
  }, TIMEOUT);

  it('random records (valid headers, random bodies) only ever produce TlsError', () => {
    const provider = PROVIDERS[1]![1];
    const recordArb = fc.record({
      type: fc.constantFrom(20, 21, 22, 23, 24),
      version: fc.constantFrom(0x0301, 0x0303, 0x0304),
      body: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), fc.constantFrom<TlsVersion | null>(null, 'tls12', 'tls13'), fc.boolean(), (recs, version, done) => {
        const r = new RecordLayer({ provider });
        if (version) r.setVersion(version);
        if (done) r.setHandshakeComplete();
        const wire = concat(...recs.map((x) => concat(new Uint8Array([x.type, x.version >> 8, x.version & 0xff, x.body.length >> 8, x.body.length & 0xff]), x.body)));
        onlyTlsErrors(() => feedSplit(r, wire, [], 0));
      }),
      { ...LIMITS, numRuns: 300 },
    );
  }, TIMEOUT);

  it('mutated valid streams only ever produce TlsError', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: null }),
        (s, flips, truncate) => {
          const { wire, receiver } = build(s);
          const bad = wire.slice(0, truncate === null ? wire.length : truncate % (wire.length + 1));
          for (const f of flips) if (bad.length) bad[f.at % bad.length]! ^= f.xor;
          const r = receiver();
          onlyTlsErrors(() => {
            feedSplit(r, bad, [], 0);
          });
        },
      ),
      LIMITS,
    );
  }, TIMEOUT);

  it('no strict prefix of a stream yields all its events', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), (s, cut) => {
        const { wire, receiver } = build(s);
        const all = receiver();
        all.receive(wire.slice());
        const n = [...all.events()].length;
        fc.pre(n > 0);
        const r = receiver();
        r.receive(wire.slice(0, cut % wire.length));
        expect([...r.events()].length).toBeLessThan(n);
      }),
      LIMITS,
    );
  }, TIMEOUT);
});
