/**
 * `RedisKeyRing`: one ticket key ring for a fleet, kept in Redis (nginx's shared
 * `ssl_session_ticket_key`, but rotated). Every server seals with the same current key and opens
 * with any live one, so a ticket (TLS 1.3 stateless, TLS 1.2 RFC 5077) or a sealed stored session
 * made by one server opens on every other.
 *
 * The ring is one Redis string, `<prefix>ticket-keys`: the `TicketKeyRingJson` of
 * `TicketKeyRing.export()` (next / current / previous keys with their times). Each server holds a
 * local `TicketKeyRing` made with `generate: false` — it never invents keys, it promotes the
 * shared `next` key when the shared schedule says so — and replaces its keys in place
 * (`replaceKeys`) whenever the Redis copy changes, checked every `refreshIntervalMs`.
 *
 * Changing the ring (a scheduled rotation needs a new `next` key; `rotate()`; `dropPrevious()`)
 * is a compare-and-set: read the JSON, change it, write it back only if it is still what was
 * read (a Lua script, atomic in Redis). Of two servers changing it at once one wins, the other
 * adopts the winner's ring: the fleet converges on one ring. The first server creates the ring
 * with `SET NX`; a server that starts later adopts the existing one.
 *
 * The JSON holds the secret keys: Redis must be trusted (private network, ACL, TLS) — whoever
 * reads it can open every ticket, whoever writes it can make the fleet seal with its key.
 */
import type { Redis } from 'ioredis';
import { bytesToHex, type CryptoProvider } from '@puretls/crypto';
import {
  DEFAULT_KEEP_PREVIOUS,
  DEFAULT_ROTATION_INTERVAL_MS,
  TICKET_KEY_LENGTH,
  TICKET_KEY_NAME_LENGTH,
  TicketKeyRing, type SessionCacheLogger, type TicketKeyRingJson } from '@puretls/session-cache';
import { DEFAULT_PREFIX, checkPrefix, createRedisClient, parseRedisUrl, type RedisClientSettings } from './redis-client';
import { createWarnLimiter, type WarnLimiter } from './warn-limiter';

/** Default time between two reads of the shared ring, ms. */
export const DEFAULT_REFRESH_INTERVAL_MS = 5000;
/** Bound of compare-and-set attempts of one change before giving up (the next refresh retries). */
export const MAX_CAS_ATTEMPTS = 5;
/** How long {@link RedisKeyRing.connect} waits for the first read before starting with a local ring, ms. */
export const DEFAULT_JOIN_TIMEOUT_MS = 3000;

/** KEYS[1] = ring key, ARGV[1] = the value read, ARGV[2] = the new value. 1 = written, 0 = changed meanwhile. */
const CAS_SCRIPT = `local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Options of {@link RedisKeyRing.connect}. Give `client` or `url`, not both. */
export interface RedisKeyRingOptions {
  readonly client?: Redis;
  /** `redis://…[?prefix=P]`: a client with fault-safe settings is made (and owned). */
  readonly url?: string;
  /** Key prefix (default: the URL's `prefix`, else `puretls:`). The ring lives at `<prefix>ticket-keys`. */
  readonly prefix?: string;
  /** Makes keys (`random`) and ticket AEADs: the `ServerContext`'s provider. */
  readonly provider: CryptoProvider;
  /** The clock, ms (default `Date.now`). */
  readonly now?: () => number;
  /** Rotation interval of a ring this server creates (default 12 h). An existing ring keeps its own. */
  readonly rotationIntervalMs?: number;
  /** Previous keys that still open (default 2). Keep `keepPrevious × rotationIntervalMs` ≥ the session lifetime. */
  readonly keepPrevious?: number;
  /** How often the shared ring is read, ms (default {@link DEFAULT_REFRESH_INTERVAL_MS}): the bound on how late a change made elsewhere is seen. Must be below the rotation interval. */
  readonly refreshIntervalMs?: number;
  /** How long `connect` waits for Redis before starting alone (default {@link DEFAULT_JOIN_TIMEOUT_MS}). */
  readonly joinTimeoutMs?: number;
  readonly clientSettings?: RedisClientSettings;
  /** Default `console.warn`, rate limited. */
  readonly logger?: SessionCacheLogger;
}

/** Counters of a {@link RedisKeyRing}. */
export interface RedisKeyRingStats {
  /** Reads of the shared ring. */
  readonly refreshes: number;
  /** Times the local ring took new keys from Redis. */
  readonly adopted: number;
  /** Changes this server wrote (creation, scheduled rotation, `rotate`, `dropPrevious`). */
  readonly writes: number;
  /** Compare-and-set attempts that lost to another server. */
  readonly conflicts: number;
  /** Failed reads/writes (Redis away or slow, a malformed ring in Redis). */
  readonly errors: number;
}

type Counter = keyof RedisKeyRingStats;

/**
 * One ticket key ring shared by a fleet through Redis: `connect` joins (or creates) it, the local
 * `ring` follows the shared one (refreshed every `refreshIntervalMs`), rotation is scheduled
 * and written with compare-and-set, so every server seals and opens with the same keys.
 */
export class RedisKeyRing {
  /** The local ring: give it to `ServerContext` (`ticketKeys`) and to the session store (`keyRing`). */
  readonly ring: TicketKeyRing;
  readonly client: Redis;
  /** The Redis key of the ring. */
  readonly key: string;
  readonly refreshIntervalMs: number;
  private readonly provider: CryptoProvider;
  private readonly now: () => number;
  private readonly keepPrevious: number;
  private readonly rotationIntervalMs: number;
  private readonly owned: boolean;
  private readonly warn: WarnLimiter;
  private readonly counts: Record<Counter, number> = { refreshes: 0, adopted: 0, writes: 0, conflicts: 0, errors: 0 };
  /** The Redis value the local ring was last set from (`undefined`: not yet joined). */
  private seen: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** One refresh/change at a time: they are chained here. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly onClientError = (e: Error): void => {
    this.counts.errors++;
    this.warn('connection', 'Redis connection error (retrying)', e);
  };

  private constructor(options: RedisKeyRingOptions) {
    if ((options.client === undefined) === (options.url === undefined)) throw new TypeError('RedisKeyRing: give exactly one of "client" and "url"');
    if (typeof options.provider?.random !== 'function') throw new TypeError('RedisKeyRing: "provider" must be a CryptoProvider');
    const urlPrefix = options.url !== undefined ? parseRedisUrl(options.url).prefix : undefined;
    this.key = `${checkPrefix(options.prefix ?? urlPrefix ?? DEFAULT_PREFIX)}ticket-keys`;
    this.provider = options.provider;
    this.now = options.now ?? Date.now;
    this.keepPrevious = options.keepPrevious ?? DEFAULT_KEEP_PREVIOUS;
    this.rotationIntervalMs = options.rotationIntervalMs ?? DEFAULT_ROTATION_INTERVAL_MS;
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    if (!Number.isInteger(this.refreshIntervalMs) || this.refreshIntervalMs < 10) throw new RangeError('RedisKeyRing: "refreshIntervalMs" must be an integer >= 10');
    if (this.refreshIntervalMs >= this.rotationIntervalMs) throw new RangeError('RedisKeyRing: "refreshIntervalMs" must be below "rotationIntervalMs" (servers must see the next key before it is used)');
    const logger = options.logger ?? { warn: (m: string, e?: unknown) => console.warn(`[puretls redis-key-ring] ${m}`, e instanceof Error ? e.message : (e ?? '')) };
    this.warn = createWarnLimiter(logger, this.now);
    this.owned = options.url !== undefined;
    this.client = options.client ?? createRedisClient(options.url!, options.clientSettings, this.onClientError);
    if (!this.owned) this.client.on('error', this.onClientError);
    // Until joined: a local current key only (no next: nothing is promoted that the fleet never saw).
    this.ring = new TicketKeyRing(this.provider, { now: this.now, rotationIntervalMs: this.rotationIntervalMs, keepPrevious: this.keepPrevious, generate: false });
    this.client.defineCommand('puretlsCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
  }

  /**
   * Joins the fleet's ring (or creates it), then keeps it in sync every `refreshIntervalMs`.
   * When Redis does not answer within `joinTimeoutMs` it resolves anyway with a local ring and
   * keeps trying: tickets made before it joins do not open elsewhere (a miss, never an error).
   * @throws TypeError / RangeError for bad options.
   */
  static async connect(options: RedisKeyRingOptions): Promise<RedisKeyRing> {
    const r = new RedisKeyRing(options);
    const joinMs = options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    const deadline = Date.now() + joinMs; // wall time, not the injected clock (a test's clock may stand still)
    // Bounded by joinMs: wait for the connection (polled every 20 ms), then read; retry after a failure.
    while (!r.joined && Date.now() < deadline) {
      if (r.client.status === 'ready') await r.refresh();
      if (!r.joined) await sleep(Math.min(r.client.status === 'ready' ? 100 : 20, Math.max(0, deadline - Date.now())));
    }
    if (!r.joined) r.warn('join', `Redis did not answer within ${joinMs} ms: sealing with a local key until it does`);
    r.schedule();
    return r;
  }

  /** The next refresh, `refreshIntervalMs` after the previous one ended: never two at once, no backlog while Redis is slow. */
  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.refreshIntervalMs);
    this.timer.unref();
  }

  /** True once the local ring holds the fleet's keys. */
  get joined(): boolean {
    return this.seen !== undefined;
  }

  /** A snapshot of the counters. */
  get stats(): RedisKeyRingStats {
    return { ...this.counts };
  }

  /**
   * Reads the shared ring now: adopts it when it changed, creates it when missing, and writes the
   * scheduled rotation when it is due (a new `next` key). Never rejects.
   * @returns whether the local ring is in sync with Redis.
   */
  refresh(): Promise<boolean> {
    return this.serialize(async () => {
      this.counts.refreshes++;
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await this.client.get(this.key);
        if (current === null) {
          // No ring in Redis: ours becomes the fleet's, unless another server was faster. A server
          // that had joined republishes the keys it has (a Redis restarted empty loses no ticket);
          // one that never joined publishes a fresh ring.
          const value = JSON.stringify(this.seen !== undefined ? this.withNextKey(this.ring.export()) : this.freshRing());
          if ((await this.client.set(this.key, value, 'NX')) === 'OK') {
            this.counts.writes++;
            this.adopt(value);
            return true;
          }
          this.counts.conflicts++;
          continue;
        }
        const maintained = this.change(current, () => {});
        if (maintained === current) {
          this.adopt(current);
          return true;
        }
        if (await this.cas(current, maintained)) {
          this.adopt(maintained);
          return true;
        }
      }
      return false;
    });
  }

  /**
   * Rotates the fleet's ring now (the shared `next` key becomes current, a new `next` is made),
   * here at once and on the other servers within `refreshIntervalMs`. Tickets sealed before still
   * open (previous key) until {@link dropPrevious}.
   * @throws when Redis cannot be reached or `MAX_CAS_ATTEMPTS` writes lost (the ring is unchanged).
   */
  rotate(): Promise<void> {
    return this.changeShared('rotate', (ring) => ring.rotate());
  }

  /** Drops every previous key fleet-wide (after a suspected key leak, with {@link rotate}): older tickets become misses. */
  dropPrevious(): Promise<void> {
    return this.changeShared('dropPrevious', (ring) => ring.dropPrevious());
  }

  /** Stops refreshing; closes a client made from `url`. The local ring keeps its keys (the context owns wiping them). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.chain.catch(() => {});
    if (this.owned) this.client.disconnect();
    else this.client.off('error', this.onClientError);
  }

  // ---- internals -------------------------------------------------------------------------------

  private changeShared(what: string, edit: (ring: TicketKeyRing) => void): Promise<void> {
    let ok = false;
    let failure: unknown;
    const run = this.serialize(async () => {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await this.client.get(this.key);
        if (current === null) throw new Error(`RedisKeyRing.${what}: no shared ring in Redis (key ${this.key})`);
        const changed = this.change(current, edit);
        if (await this.cas(current, changed)) {
          this.adopt(changed);
          ok = true;
          return true;
        }
      }
      return false;
    }, (e) => (failure = e));
    return run.then(() => {
      if (!ok) throw failure instanceof Error ? failure : new Error(`RedisKeyRing.${what}: gave up after ${MAX_CAS_ATTEMPTS} conflicting writes`);
    });
  }

  private freshRing(): TicketKeyRingJson {
    const fresh = new TicketKeyRing(this.provider, { now: this.now, rotationIntervalMs: this.rotationIntervalMs, keepPrevious: this.keepPrevious });
    try {
      return fresh.export();
    } finally {
      fresh.clean();
    }
  }

  /** `json` with a `next` key (a new one, active one interval after the current) when it has none. */
  private withNextKey(json: TicketKeyRingJson): TicketKeyRingJson {
    if (json.keys.some((k) => k.role === 'next')) return json;
    const current = json.keys.find((k) => k.role === 'current')!;
    const t = this.now();
    const next = {
      role: 'next' as const,
      name: bytesToHex(this.provider.random(TICKET_KEY_NAME_LENGTH, 'ticket_key_name')),
      key: bytesToHex(this.provider.random(TICKET_KEY_LENGTH, 'ticket_key')),
      createdAt: t,
      activatedAt: Math.max(t, current.activatedAt + json.rotationIntervalMs),
    };
    return { ...json, keys: [next, ...json.keys] };
  }

  /**
   * The shared ring `value` after the rotations due now and `edit`, as a new JSON string — or
   * `value` itself when nothing changed (so a refresh writes only when needed).
   */
  private change(value: string, edit: (ring: TicketKeyRing) => void): string {
    const json = JSON.parse(value) as TicketKeyRingJson;
    const ring = TicketKeyRing.import(this.provider, json, { now: this.now, keepPrevious: this.keepPrevious });
    try {
      edit(ring);
      const out = this.withNextKey(ring.export());
      return signature(out) === signature(json) ? value : JSON.stringify(out);
    } finally {
      ring.clean();
    }
  }

  private async cas(expected: string, next: string): Promise<boolean> {
    const cas = (this.client as unknown as { puretlsCas(key: string, a: string, b: string): Promise<number> }).puretlsCas;
    const written = (await cas.call(this.client, this.key, expected, next)) === 1;
    if (written) this.counts.writes++;
    else this.counts.conflicts++;
    return written;
  }

  private adopt(value: string): void {
    if (value === this.seen) return;
    this.ring.replaceKeys(JSON.parse(value) as TicketKeyRingJson);
    this.seen = value;
    this.counts.adopted++;
  }

  /** Runs `task` after every earlier one; failures are counted and logged, never thrown. */
  private serialize(task: () => Promise<boolean>, onError: (e: unknown) => void = () => {}): Promise<boolean> {
    const run = this.chain.then(async () => {
      if (this.closed) return false;
      try {
        return await task();
      } catch (e) {
        this.counts.errors++;
        this.warn('sync', 'shared ticket key ring: Redis read/write failed', e);
        onError(e);
        return false;
      }
    });
    this.chain = run;
    return run;
  }
}

/** What identifies a ring's state: roles, names and times of its keys. */
function signature(j: TicketKeyRingJson): string {
  return `${j.rotationIntervalMs}|${j.keys.map((k) => `${k.role}:${k.name}:${k.activatedAt}`).join(',')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
