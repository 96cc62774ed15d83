/**
 * `RedisKeyRing` against the machine's Redis: the first server creates the ring, later ones join
 * it; a rotation or a dropped key on one server reaches the others at their next refresh; two
 * servers changing the ring at once converge on one; the scheduled rotation (fake clock) is
 * written once and followed by all. Each test uses its own key prefix and deletes its keys.
 */
import { bytesToHex, createNobleProvider } from '@puretls/crypto';
import type { TicketKeyRingJson } from '@puretls/session-cache';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeyRing, type RedisKeyRingOptions } from '../src/index';
import { SHARED_REDIS_URL, adminClient, deletePrefix, freePort, uniquePrefix } from './helpers';

let admin: Redis;
const rings: RedisKeyRing[] = [];
const prefixes: string[] = [];
const silent = { warn: () => {} };
const HOUR = 3600_000;
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  admin = adminClient();
  expect(await admin.ping()).toBe('PONG');
});
afterEach(async () => {
  for (const r of rings.splice(0)) await r.close();
  for (const p of prefixes.splice(0)) await deletePrefix(admin, p);
});
afterAll(() => {
  admin.disconnect();
});

function prefixFor(tag: string): string {
  const p = uniquePrefix(tag);
  prefixes.push(p);
  return p;
}

async function join(prefix: string, over: Partial<RedisKeyRingOptions> = {}): Promise<RedisKeyRing> {
  const r = await RedisKeyRing.connect({ url: SHARED_REDIS_URL, prefix, provider: createNobleProvider(), logger: silent, refreshIntervalMs: 60_000, ...over });
  rings.push(r);
  return r;
}

const names = (r: RedisKeyRing) => r.ring.export().keys.map((k) => `${k.role}:${k.name}`);

describe('RedisKeyRing', () => {
  it('the first server creates the ring (SET NX), a later one joins it: both seal and open alike', async () => {
    const prefix = prefixFor('join');
    const a = await join(prefix, { rotationIntervalMs: HOUR });
    expect(a.joined).toBe(true);
    const stored = JSON.parse((await admin.get(`${prefix}ticket-keys`))!) as TicketKeyRingJson;
    expect(stored.format).toBe('puretls-ticket-keys/1');
    expect(stored.rotationIntervalMs).toBe(HOUR);
    expect(stored.keys.map((k) => k.role)).toEqual(['next', 'current']);
    const b = await join(prefix, { rotationIntervalMs: 2 * HOUR }); // an existing ring keeps its schedule
    expect(names(b)).toEqual(names(a));
    expect(b.ring.rotationIntervalMs).toBe(HOUR);
    expect(b.ring.open(a.ring.seal(text('from a')))?.plaintext).toEqual(text('from a'));
    expect(a.stats.writes).toBe(1);
    expect(b.stats.writes).toBe(0);
  });

  it('servers started at once converge on one ring', async () => {
    const prefix = prefixFor('race');
    const all = await Promise.all([0, 1, 2, 3].map(() => join(prefix)));
    for (const r of all) expect(names(r)).toEqual(names(all[0]!));
    expect(all.reduce((n, r) => n + r.stats.writes, 0)).toBe(1);
  });

  it('rotate on A: B follows at its next refresh; tickets sealed before still open on B; after dropPrevious they are a miss', async () => {
    const prefix = prefixFor('rotate');
    const a = await join(prefix);
    const b = await join(prefix);
    const before = a.ring.seal(text('before'));
    const oldCurrent = bytesToHex(a.ring.currentKeyName());
    await a.rotate();
    expect(bytesToHex(a.ring.currentKeyName())).not.toBe(oldCurrent);
    // B's next key is A's new current: B opens A's new tickets even before it refreshes.
    expect(b.ring.open(a.ring.seal(text('new')))?.plaintext).toEqual(text('new'));
    expect(await b.refresh()).toBe(true);
    expect(names(b)).toEqual(names(a));
    expect(b.ring.open(before)).toMatchObject({ plaintext: text('before'), needsReissue: true });

    await a.dropPrevious();
    expect(a.ring.open(before)).toBeNull();
    expect(await b.refresh()).toBe(true);
    expect(b.ring.open(before)).toBeNull();
    expect(b.stats.errors).toBe(0);
  });

  it('two servers rotating at once: both rotations land (compare-and-set), the fleet converges', async () => {
    const prefix = prefixFor('cas');
    const a = await join(prefix);
    const b = await join(prefix);
    const start = bytesToHex(a.ring.currentKeyName());
    await Promise.all([a.rotate(), b.rotate(), a.rotate(), b.rotate()]);
    await a.refresh();
    await b.refresh();
    expect(names(a)).toEqual(names(b));
    const stored = JSON.parse((await admin.get(`${prefix}ticket-keys`))!) as TicketKeyRingJson;
    expect(stored.keys.find((k) => k.role === 'current')!.name).toBe(bytesToHex(a.ring.currentKeyName()));
    expect(bytesToHex(a.ring.currentKeyName())).not.toBe(start);
    expect(a.stats.writes + b.stats.writes).toBe(5); // creation + 4 rotations; conflicting writes were retried
  });

  it('the scheduled rotation (fake clock): every server promotes the same next key; one of them publishes the new next key', async () => {
    const prefix = prefixFor('schedule');
    let t = 1_800_000_000_000;
    const now = () => t;
    const a = await join(prefix, { now, rotationIntervalMs: HOUR, refreshIntervalMs: 1000 });
    const b = await join(prefix, { now, rotationIntervalMs: HOUR, refreshIntervalMs: 1000 });
    const next = a.ring.export().keys.find((k) => k.role === 'next')!.name;
    const sealed = b.ring.seal(text('old'));
    t += HOUR;
    expect(bytesToHex(a.ring.currentKeyName())).toBe(next);
    expect(bytesToHex(b.ring.currentKeyName())).toBe(next);
    await Promise.all([a.refresh(), b.refresh()]);
    await a.refresh();
    expect(names(a)).toEqual(names(b));
    expect(a.ring.export().keys.map((k) => k.role)).toEqual(['next', 'current', 'previous']);
    expect(a.ring.open(sealed)?.needsReissue).toBe(true);
    expect(a.stats.writes + b.stats.writes).toBe(2); // creation + one rotation write
  });

  it('a Redis that is not there: connect resolves within joinTimeoutMs with a local ring that seals and opens; rotate rejects', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await RedisKeyRing.connect({ url: `redis://127.0.0.1:${port}/0`, provider: createNobleProvider(), logger: silent, joinTimeoutMs: 300 });
    rings.push(r);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.joined).toBe(false);
    expect(r.ring.open(r.ring.seal(text('x')))?.plaintext).toEqual(text('x'));
    await expect(r.rotate()).rejects.toThrow();
    expect(await r.refresh()).toBe(false);
    expect(r.stats.errors).toBeGreaterThan(0);
  });

  it('options are checked', async () => {
    await expect(RedisKeyRing.connect({ provider: createNobleProvider() })).rejects.toThrow(TypeError);
    await expect(RedisKeyRing.connect({ url: SHARED_REDIS_URL, provider: createNobleProvider(), rotationIntervalMs: 1000, refreshIntervalMs: 1000 })).rejects.toThrow(RangeError);
  });
});
