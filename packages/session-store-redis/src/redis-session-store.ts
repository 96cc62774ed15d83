/**
 * `createRedisSessionStore`: the session cache's external store (OpenSSL's new/remove/get
 * callbacks, plus `take` for single use) on Redis, so every server of a fleet resumes the sessions
 * of every other.
 *
 * | cache callback | Redis                | notes                                                 |
 * |----------------|----------------------|-------------------------------------------------------|
 * | newSession     | `SET key v PX ttl`   | ttl = the session's remaining lifetime; fire and forget |
 * | getSession     | `GET key`            | bounded by the cache's `lookupTimeoutMs` (late = miss) |
 * | takeSession    | `GETDEL key`         | atomic: of two servers taking one ticket, one wins      |
 * | removeSession  | `DEL key`            | not for `evicted`, `replaced`, `contextClosed`          |
 *
 * Keys: `<prefix>s:<session id hex>` (ids are 32 random bytes; a session made under another
 * configuration is refused by the handshake, so ids need no context in the key). Values: `encodeSession` bytes, sealed under
 * the ticket key ring when one is given (`sealSession`, the session id as associated data), so a
 * dump of Redis reveals no session secret.
 *
 * Faults never reach the handshake: every failure is a miss (get), `false`-free fire and forget
 * (new, remove) or a rejected take (the cache then counts it and treats the ticket as consumed);
 * errors are counted in {@link RedisSessionStore.stats}. At most `maxInFlight` commands wait for
 * Redis at once: beyond that, stores are dropped and lookups miss at once (counted), so a slow
 * Redis cannot make memory grow.
 */
import type { Redis } from 'ioredis';
import { bytesToHex } from '@puretls/crypto';
import {
  SessionDecodeError,
  decodeSession,
  encodeSession,
  openSession,
  sealSession,
  type GetSessionCallback,
  type NewSessionCallback,
  type RemoveReason,
  type RemoveSessionCallback,
  type Session,
  type SessionCacheLogger,
  type TakeSessionCallback,
  type TicketKeyRing,
} from '@puretls/session-cache';
import { DEFAULT_PREFIX, checkPrefix, createRedisClient, parseRedisUrl, type RedisClientSettings } from './redis-client';
import { createWarnLimiter } from './warn-limiter';

/** Default bound of commands waiting for Redis at once. */
export const DEFAULT_MAX_IN_FLIGHT = 1024;

/** Remove reasons after which the session must not be resumed anywhere: its key is deleted. */
const DELETE_ON: ReadonlySet<RemoveReason> = new Set<RemoveReason>(['expired', 'rejected', 'consumed', 'fatalAlert', 'uncleanShutdown', 'removed']);

/** Options of {@link createRedisSessionStore}. Give `client` or `url`, not both. */
export interface RedisSessionStoreOptions<Conn = unknown> {
  /** A client you own and configure (this store never closes it). */
  readonly client?: Redis;
  /** `redis://[user:pass@]host[:port][/db][?prefix=P]`: the store makes (and owns) a client with fault-safe settings. */
  readonly url?: string;
  /** Key prefix (default: the URL's `prefix`, else {@link DEFAULT_PREFIX}). */
  readonly prefix?: string;
  /**
   * The ticket key ring that seals stored sessions (usually the shared ring of a
   * `RedisKeyRing`). Without one values are stored unsealed: anyone who can read Redis can
   * read the session secrets. Every server of a fleet must use the same keys to read the others' sessions.
   */
  readonly keyRing?: TicketKeyRing;
  /** Most commands waiting for Redis at once (default {@link DEFAULT_MAX_IN_FLIGHT}). */
  readonly maxInFlight?: number;
  /** The clock, ms (default `Date.now`): the TTL of a new key is the session's remaining lifetime. */
  readonly now?: () => number;
  /** Settings of the client made from `url` (ignored with `client`). */
  readonly clientSettings?: RedisClientSettings;
  /** Where failures are reported (rate limited: at most one line per kind every 10 s). Default `console.warn`. */
  readonly logger?: SessionCacheLogger;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof RedisSessionStoreOptions>(['client', 'url', 'prefix', 'keyRing', 'maxInFlight', 'now', 'clientSettings', 'logger']);

/** Counters of a {@link RedisSessionStore}. */
export interface RedisSessionStoreStats {
  /** `SET`s sent / that failed. */
  readonly stores: number;
  readonly storeErrors: number;
  /** `GET`s sent; of those: found and usable, not found (or not openable), failed. */
  readonly lookups: number;
  readonly hits: number;
  readonly misses: number;
  readonly lookupErrors: number;
  /** `GETDEL`s sent; of those: taken by us, already gone, failed. */
  readonly takes: number;
  readonly taken: number;
  readonly takeMisses: number;
  readonly takeErrors: number;
  /** `DEL`s sent / that failed. */
  readonly deletes: number;
  readonly deleteErrors: number;
  /** Commands not sent because `maxInFlight` were already waiting. */
  readonly dropped: number;
  /** Values found that did not open or decode (wrong or dropped key, corrupt): counted as misses too. */
  readonly badValues: number;
  /** Connection errors the client reported (each failed reconnect attempt counts). */
  readonly connectionErrors: number;
  /** Commands waiting for Redis now. */
  readonly inFlight: number;
}

/** The four callbacks plus the store's own statistics and lifecycle. */
export interface RedisSessionStore<Conn = unknown> {
  readonly newSession: NewSessionCallback<Conn>;
  readonly removeSession: RemoveSessionCallback<Conn>;
  readonly getSession: GetSessionCallback<Conn>;
  readonly takeSession: TakeSessionCallback<Conn>;
  readonly client: Redis;
  readonly prefix: string;
  /** A snapshot of the counters. */
  readonly stats: RedisSessionStoreStats;
  /** The Redis key of a session id. */
  keyOf(id: Uint8Array): string;
  /** Waits for the commands in flight (bounded by the client's command timeout), then closes a client made from `url`. */
  close(): Promise<void>;
}

type Counter = Exclude<keyof RedisSessionStoreStats, 'inFlight'>;

/**
 * Makes the store. Plug its callbacks into a `ServerContext` (or a `SessionCache`):
 * `new ServerContext({ ...store callbacks, ticketKeys: ring.ring, tickets: 'stateful' })`.
 * @throws TypeError / RangeError for bad options (the message names the option).
 */
export function createRedisSessionStore<Conn = unknown>(options: RedisSessionStoreOptions<Conn>): RedisSessionStore<Conn> {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisSessionStore: an options object is required');
  if ((options.client === undefined) === (options.url === undefined)) throw new TypeError('createRedisSessionStore: give exactly one of "client" and "url"');
  const urlPrefix = options.url !== undefined ? parseRedisUrl(options.url).prefix : undefined;
  const prefix = checkPrefix(options.prefix ?? urlPrefix ?? DEFAULT_PREFIX);
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`createRedisSessionStore: "maxInFlight" must be a positive integer, got ${String(maxInFlight)}`);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createRedisSessionStore: "now" must be a function');
  const ring = options.keyRing;
  for (const name of Object.keys(options)) {
    // Nothing fails open: a misspelt or unsupported option is refused, never ignored.
    if (!KNOWN_OPTIONS.has(name)) throw new TypeError(`createRedisSessionStore: unknown option "${name}"`);
  }
  const logger = options.logger ?? { warn: (m: string, e?: unknown) => console.warn(`[puretls session-store-redis] ${m}`, e instanceof Error ? e.message : (e ?? '')) };
  const warn = createWarnLimiter(logger, now);

  const counts: Record<Counter, number> = {
    stores: 0, storeErrors: 0, lookups: 0, hits: 0, misses: 0, lookupErrors: 0, takes: 0, taken: 0, takeMisses: 0, takeErrors: 0,
    deletes: 0, deleteErrors: 0, dropped: 0, badValues: 0, connectionErrors: 0,
  };
  const owned = options.url !== undefined;
  const onConnectionError = (e: Error): void => {
    counts.connectionErrors++;
    warn('connection', 'Redis connection error (retrying)', e);
  };
  const client = options.client ?? createRedisClient(options.url!, options.clientSettings, onConnectionError);
  if (!owned) client.on('error', onConnectionError);
  let inFlight = 0;
  const pending = new Set<Promise<unknown>>();

  /** Runs `cmd` if under the in-flight bound; `undefined` = dropped. */
  function send<T>(cmd: () => Promise<T>): Promise<T> | undefined {
    if (inFlight >= maxInFlight) {
      counts.dropped++;
      warn('dropped', `${maxInFlight} Redis commands in flight: dropping new ones until Redis answers`);
      return undefined;
    }
    inFlight++;
    let p: Promise<T>;
    try {
      p = cmd();
    } catch (e) {
      p = Promise.reject(e);
    }
    const tracked = p.finally(() => {
      inFlight--;
      pending.delete(tracked);
    });
    pending.add(tracked);
    tracked.catch(() => {});
    return tracked;
  }

  const keyOf = (id: Uint8Array): string => `${prefix}s:${bytesToHex(id)}`;

  function encode(session: Session): Buffer {
    const b = ring !== undefined ? sealSession(ring, session) : encodeSession(session);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  function decode(id: Uint8Array, value: Buffer): Session | undefined {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (ring !== undefined) {
      const opened = openSession(ring, id, bytes);
      return opened?.session;
    }
    try {
      const s = decodeSession(bytes);
      return equal(s.id, id) ? s : undefined;
    } catch (e) {
      if (e instanceof SessionDecodeError) return undefined;
      throw e;
    }
  }

  const newSession: NewSessionCallback<Conn> = (_conn, session, info) => {
    // A stateless ticket carries its session: nobody looks it up by id.
    if (info.stateless) return;
    const ttl = session.createdAt + session.timeout * 1000 - now();
    if (ttl <= 0) return;
    const key = keyOf(session.id);
    const value = encode(session);
    counts.stores++;
    send(() => client.set(key, value, 'PX', ttl))?.catch((e: unknown) => {
      counts.storeErrors++;
      warn('store', 'Redis SET failed (the session resumes only here)', e);
    });
  };

  const removeSession: RemoveSessionCallback<Conn> = (_cache, session, reason) => {
    // `replaced`: the id lives on with a newer session; `evicted`/`contextClosed`: only this server forgets it.
    if (!DELETE_ON.has(reason)) return;
    counts.deletes++;
    send(() => client.del(keyOf(session.id)))?.catch((e: unknown) => {
      counts.deleteErrors++;
      warn('delete', 'Redis DEL failed', e);
    });
  };

  const getSession: GetSessionCallback<Conn> = async (_conn, id) => {
    const key = keyOf(id);
    counts.lookups++;
    const p = send(() => client.getBuffer(key));
    if (p === undefined) {
      counts.misses++;
      return undefined;
    }
    let value: Buffer | null;
    try {
      value = await p;
    } catch (e) {
      counts.lookupErrors++;
      warn('lookup', 'Redis GET failed (full handshake)', e);
      return undefined;
    }
    if (value === null) {
      counts.misses++;
      return undefined;
    }
    const s = decode(id, value);
    if (s === undefined) {
      counts.badValues++;
      counts.misses++;
      return undefined;
    }
    counts.hits++;
    return { session: s, copy: false };
  };

  const takeSession: TakeSessionCallback<Conn> = async (_conn, id) => {
    const key = keyOf(id);
    counts.takes++;
    // Dropped or failed: we cannot know whether the key is still there; rejecting makes the cache
    // treat the ticket as consumed (single use is never violated) and the handshake go full.
    const p = send(() => client.getdelBuffer(key));
    if (p === undefined) throw new Error('session-store-redis: too many Redis commands in flight');
    let value: Buffer | null;
    try {
      value = await p;
    } catch (e) {
      counts.takeErrors++;
      throw e;
    }
    if (value === null) {
      counts.takeMisses++;
      return false;
    }
    counts.taken++;
    return true;
  };

  return {
    newSession,
    removeSession,
    getSession,
    takeSession,
    client,
    prefix,
    keyOf,
    get stats(): RedisSessionStoreStats {
      return { ...counts, inFlight };
    },
    async close(): Promise<void> {
      await Promise.allSettled([...pending]);
      if (owned) {
        client.disconnect(); // not QUIT: with Redis away it would wait for an answer that never comes
      } else {
        client.off('error', onConnectionError);
      }
    },
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
