/**
 * bench/session-store-redis: the Redis session store on loopback (127.0.0.1:6379), in one run:
 *
 * - Lookup latency: `getSession` (GET + open the sealed value + decode) one at a time, p50 and
 *   p99 per round of `LOOKUPS` lookups; beside it the same lookup in the in-memory `SessionCache`
 *   (internal store) as the peer. Also lookups per second with `CONCURRENCY` in flight (ioredis
 *   auto-pipelining batches them).
 * - Resumed TLS 1.3 handshakes per second (stateful tickets, X25519, ECDSA P-256, node crypto; in
 *   process, no sockets: `ServerConnection` + the repo's test client): tickets minted on server A
 *   and resumed on server B through Redis (GET, then GETDEL when the binder verified) vs minted
 *   and resumed on one server with the in-memory cache. Sequential and `CONCURRENCY` at once.
 *   Rounds alternate Redis / memory after a warm-up. Wall time (the Redis round trips are the
 *   point), so the machine's load shows in the spread.
 *
 * Rows: `session-store-redis_lookup_1.3_sealed_<p50|p99>_<redis|memory>` (µs),
 * `session-store-redis_lookup_1.3_sealed_c<N>_throughput_<redis>` (lookups/s),
 * `session-store-redis_resumed_1.3_x25519_ecdsa-p256_stateful_<seq|cN>_handshakes_<redis|memory>`
 * (handshakes/s, peer memory). Ratios printed, never asserted. Skips (status 0) when Redis is not
 * reachable. Run: `node bench/run.mjs session-store-redis [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  createNobleProvider,
  createNodeProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  privateKeyToPem,
} from '@puretls/crypto';
import { seededRandom } from '@puretls/crypto/testing';
import { SessionCache, TicketKeyRing, type Session } from '@puretls/session-cache';
import { createRedisSessionStore, type RedisSessionStore } from '@puretls/session-store-redis';
import { redisAnswers } from '@puretls/session-store-redis/testing';
import { ServerConnection, ServerContext } from '@puretls/server';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { quick } from '../lib/measure';
import { emit, skip } from '../lib/rows';

const ROUNDS = quick ? 3 : 7;
const LOOKUPS = quick ? 300 : 2000;
const SESSIONS = quick ? 1000 : 10_000;
const HANDSHAKES = quick ? 40 : 300;
const CONCURRENCY = 16;
const URL = 'redis://127.0.0.1:6379/0';
const prefix = `puretls-bench:${randomBytes(6).toString('hex')}:`;
const silent = { warn: () => {} };
const clientProvider = createNodeProvider();

/** The memory cache's deadline timer (never started: its lookups are synchronous). */
const setTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}


async function deletePrefix(): Promise<void> {
  const c = new Redis({ host: '127.0.0.1', port: 6379 });
  let cursor = '0';
  for (let i = 0; i < 100_000; i++) {
    const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await c.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  c.disconnect();
}

/** The parts of a store these helpers read (any `Conn`). */
type StoreState = Pick<RedisSessionStore<never>, 'client' | 'stats'>;

async function ready(store: StoreState): Promise<void> {
  for (let i = 0; i < 250 && store.client.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
  if (store.client.status !== 'ready') throw new Error('the store did not connect');
}

async function settle(store: StoreState): Promise<void> {
  for (let i = 0; i < 1000 && store.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 5));
}

// ---- lookup latency --------------------------------------------------------------------------

async function benchLookups(): Promise<void> {
  const ring = new TicketKeyRing(createNodeProvider(), { now: Date.now });
  const conn = {};
  const store = createRedisSessionStore({ url: URL, prefix, keyRing: ring, logger: silent, maxInFlight: 4096 });
  await ready(store);
  const memory = new SessionCache({ now: Date.now, setTimer, logger: silent, maxEntries: 0 });
  const sessions: Session[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    // Opaque state the size of an encoded TLS 1.3 SessionState (32-byte PSK, SNI, 32-byte context).
    const s = memory.createSession({ id: randomBytes(32), singleUse: true, state: randomBytes(112) });
    sessions.push(s);
    memory.newSession(conn, s);
    store.newSession(conn, s, { stateless: false });
    if (i % 500 === 499) await settle(store);
  }
  await settle(store);
  if (store.stats.storeErrors > 0) throw new Error('stores failed');
  // Cross-check before timing: both find the same session.
  const probe = sessions[7]!;
  const viaRedis = (await store.getSession(conn, probe.id)) as { session: Session } | undefined;
  const viaMemory = memory.lookup(conn, probe.id);
  if (!viaRedis || viaMemory instanceof Promise || viaMemory.kind !== 'hit' || Buffer.compare(viaRedis.session.state, viaMemory.session.state) !== 0) throw new Error('cross-check failed');

  const p50 = { redis: [] as number[], memory: [] as number[] };
  const p99 = { redis: [] as number[], memory: [] as number[] };
  const throughput: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const r: number[] = [];
    const m: number[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const s = sessions[(Math.random() * sessions.length) | 0]!;
      let t = process.hrtime.bigint();
      const got = await store.getSession(conn, s.id);
      r.push(Number(process.hrtime.bigint() - t) / 1000);
      if (!got) throw new Error('redis miss');
      t = process.hrtime.bigint();
      const hit = memory.lookup(conn, s.id);
      m.push(Number(process.hrtime.bigint() - t) / 1000);
      if (hit instanceof Promise || hit.kind !== 'hit') throw new Error('memory miss');
    }
    const t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < LOOKUPS) {
          next++;
          if (!(await store.getSession(conn, sessions[(Math.random() * sessions.length) | 0]!.id))) throw new Error('redis miss');
        }
      }),
    );
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (round < 0) continue; // warm-up
    p50.redis.push(percentile(r, 50));
    p50.memory.push(percentile(m, 50));
    p99.redis.push(percentile(r, 99));
    p99.memory.push(percentile(m, 99));
    throughput.push(LOOKUPS / secs);
  }
  for (const [name, v] of [['p50', p50], ['p99', p99]] as const) {
    emit({
      scenario: `session-store-redis_lookup_1.3_sealed_${name}_redis`,
      metric: `get-session latency ${name} (GET + open + decode)`,
      unit: 'µs',
      better: 'lower',
      samples: v.redis,
      peer: { scenario: `session-store-redis_lookup_1.3_sealed_${name}_memory`, samples: v.memory },
      extra: { lookupsPerRound: LOOKUPS, sessions: SESSIONS },
    });
  }
  emit({
    scenario: `session-store-redis_lookup_1.3_sealed_c${CONCURRENCY}_throughput_redis`,
    metric: `get-session throughput, ${CONCURRENCY} in flight (auto-pipelined)`,
    unit: 'op/s',
    better: 'higher',
    samples: throughput,
  });
  await store.close();
  memory.close();
}

// ---- resumed handshakes ------------------------------------------------------------------------

function certificate(): { key: string; cert: string } {
  const kp = createNobleProvider({ random: seededRandom(7) });
  const key = generateEcdsaP256Key(kp);
  return { key: privateKeyToPem(key), cert: createSelfSignedCertificate(kp, { key, commonName: 'localhost' }).pem };
}

/** Drives `conn` until it no longer waits for an asynchronous session lookup (bounded). */
async function untilNotWaiting(conn: ServerConnection): Promise<void> {
  for (let i = 0; i < 10 && conn.waitingForSession; i++) {
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(t);
        conn.off('output', done);
        resolve();
      };
      const t = setTimeout(() => {
        conn.off('output', done);
        reject(new Error('session lookup never finished'));
      }, 5000);
      conn.on('output', done);
    });
  }
}

/** Stateful tickets from full handshakes on `ctx`. */
function mint(ctx: ServerContext, n: number): ClientTicket[] {
  const out: ClientTicket[] = [];
  while (out.length < n) {
    const client = new TestClient13(clientProvider);
    const conn = new ServerConnection(ctx);
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
    client.receive(conn.takeOutput());
    conn.receive(client.finish());
    client.receive(conn.takeOutput());
    conn.sendSessionTicket(Math.min(16, n - out.length));
    client.receive(conn.takeOutput());
    out.push(...client.tickets);
  }
  return out;
}

async function resume(ctx: ServerContext, ticket: ClientTicket): Promise<void> {
  const client = new TestClient13(clientProvider);
  const conn = new ServerConnection(ctx);
  let failed: Error | undefined;
  conn.on('error', (e) => (failed = e));
  conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'], pskModes: [1], resume: { tickets: [ticket] } })));
  await untilNotWaiting(conn);
  client.receive(conn.takeOutput());
  conn.receive(client.finish());
  conn.takeOutput();
  if (failed || conn.phase !== 'open' || !conn.info?.resumed) throw new Error(`expected a resumed handshake: ${failed?.message ?? conn.phase}`);
}

async function handshakesPerSecond(ctx: ServerContext, tickets: ClientTicket[], concurrency: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tickets.length) await resume(ctx, tickets[next++]!);
    }),
  );
  return tickets.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function benchHandshakes(): Promise<void> {
  const cert = certificate();
  const ring = new TicketKeyRing(createNodeProvider(), { now: Date.now });
  const stores = [0, 1].map(() => createRedisSessionStore<ServerConnection>({ url: URL, prefix, keyRing: ring, logger: silent }));
  for (const s of stores) await ready(s);
  const base = { certificates: [cert], crypto: 'node' as const, groups: ['x25519' as const], tickets: 'stateful' as const, lookupTimeoutMs: 2000, ticketKeys: ring };
  const withStore = (s: RedisSessionStore<ServerConnection>) => ({ newSession: s.newSession, removeSession: s.removeSession, getSession: s.getSession, takeSession: s.takeSession });
  const a = new ServerContext({ ...base, ...withStore(stores[0]!) });
  const b = new ServerContext({ ...base, ...withStore(stores[1]!) });
  const memory = new ServerContext({ ...base, ticketKeys: undefined, sessionCacheSize: 0 });

  for (const [label, concurrency] of [['seq', 1], [`c${CONCURRENCY}`, CONCURRENCY]] as const) {
    const redis: number[] = [];
    const mem: number[] = [];
    for (let round = -1; round < ROUNDS; round++) {
      const forRedis = mint(a, HANDSHAKES);
      await settle(stores[0]!);
      const forMemory = mint(memory, HANDSHAKES);
      const r = await handshakesPerSecond(b, forRedis, concurrency);
      const m = await handshakesPerSecond(memory, forMemory, concurrency);
      if (round >= 0) {
        redis.push(r);
        mem.push(m);
      }
    }
    if (b.sessionStats.cbHits < HANDSHAKES) throw new Error('server B did not resume through Redis');
    emit({
      scenario: `session-store-redis_resumed_1.3_x25519_ecdsa-p256_stateful_${label}_handshakes_redis`,
      metric: `resumed handshakes per second (${concurrency} at once), ticket minted on another server`,
      unit: 'hs/s',
      better: 'higher',
      samples: redis,
      peer: { scenario: `session-store-redis_resumed_1.3_x25519_ecdsa-p256_stateful_${label}_handshakes_memory`, samples: mem },
      extra: { handshakesPerRound: HANDSHAKES, lookupTimeouts: b.sessionStats.lookupTimeouts },
    });
  }
  for (const s of stores) await s.close();
  a.close();
  b.close();
  memory.close();
}

if (!(await redisAnswers('127.0.0.1', 6379))) skip('Redis is not reachable at 127.0.0.1:6379');
try {
  await benchLookups();
  await benchHandshakes();
} finally {
  await deletePrefix();
}
