/**
 * The ioredis client this package makes from a `redis://` URL, with the settings a TLS server
 * needs while Redis is away or slow: no offline queue (a command fails at once instead of waiting
 * in memory), no resend of commands lost with a connection, a per-command timeout, reconnects
 * forever with a capped backoff, and auto-pipelining (concurrent lookups share one write).
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Default key prefix: every key this package writes starts with it. */
export const DEFAULT_PREFIX = 'puretls:';
/** Default per-command timeout of a client made from a URL, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/** Default connect timeout of a client made from a URL, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Longest pause between two reconnect attempts, ms. */
export const MAX_RECONNECT_DELAY_MS = 2000;
/** Bound of a key prefix (keys stay short; Redis itself allows 512 MB). */
export const MAX_PREFIX_LENGTH = 256;

/** What {@link parseRedisUrl} gives. */
export interface ParsedRedisUrl {
  /** Connection options for ioredis (host, port, db, username, password, tls). */
  readonly options: RedisOptions;
  /** The `?prefix=` query parameter, or `undefined`. */
  readonly prefix: string | undefined;
}

/**
 * Parses `redis://[user:password@]host[:port][/db][?prefix=P]` (or `rediss://` for TLS).
 * @throws TypeError for a non-string; RangeError naming what is wrong (scheme, port, db, an
 *   unknown query parameter, a prefix that is empty or too long).
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  if (typeof url !== 'string') throw new TypeError('redis url: expected a string');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`redis url: not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RangeError(`redis url: scheme must be redis:// or rediss://, got ${JSON.stringify(u.protocol)}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new RangeError('redis url: a host is required');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`redis url: bad port ${JSON.stringify(u.port)}`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new RangeError(`redis url: the path must be a database number, got ${JSON.stringify(u.pathname)}`);
  const db = path === '' ? 0 : Number(path);
  let prefix: string | undefined;
  for (const [k, v] of u.searchParams) {
    if (k !== 'prefix') throw new RangeError(`redis url: unknown query parameter ${JSON.stringify(k)} (only "prefix")`);
    prefix = checkPrefix(v);
  }
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  return { options, prefix };
}

/** @throws RangeError for an empty prefix or one longer than {@link MAX_PREFIX_LENGTH}. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') throw new TypeError('prefix: expected a string');
  if (prefix.length === 0 || prefix.length > MAX_PREFIX_LENGTH) throw new RangeError(`prefix: 1..${MAX_PREFIX_LENGTH} characters, got ${prefix.length}`);
  return prefix;
}

/** Options for {@link createRedisClient}. */
export interface RedisClientSettings {
  /** Per-command timeout, ms (default {@link DEFAULT_COMMAND_TIMEOUT_MS}). */
  readonly commandTimeoutMs?: number;
  /** Connect timeout, ms (default {@link DEFAULT_CONNECT_TIMEOUT_MS}). */
  readonly connectTimeoutMs?: number;
  /** Shown in `CLIENT LIST`. */
  readonly connectionName?: string;
}

/**
 * An ioredis client for `url` with the fault settings described at the top of this file. The
 * caller owns it (`quit()`/`disconnect()`); connection errors are reported through `onError`
 * (ioredis emits them on every failed reconnect attempt).
 */
export function createRedisClient(url: string, settings: RedisClientSettings = {}, onError: (e: Error) => void = () => {}): Redis {
  const { options } = parseRedisUrl(url);
  const commandTimeout = settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeout = settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  for (const [name, v] of [['commandTimeoutMs', commandTimeout], ['connectTimeoutMs', connectTimeout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: a positive integer, got ${String(v)}`);
  }
  const client = new Redis({
    ...options,
    // Fail fast while disconnected: nothing waits in an (unbounded) offline queue.
    enableOfflineQueue: false,
    // Commands in flight when the connection drops fail instead of being resent later.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout,
    connectTimeout,
    // Reconnect forever: 50 ms, 100 ms, … capped, so the server recovers by itself.
    retryStrategy: (times) => Math.min(times * 50, MAX_RECONNECT_DELAY_MS),
    enableAutoPipelining: true,
    ...(settings.connectionName !== undefined ? { connectionName: settings.connectionName } : {}),
  });
  client.on('error', onError);
  return client;
}

/**
 * Whether a Redis answers `PING` at `host:port` within `connectTimeoutMs` (one attempt, no
 * retries; never throws). For start-up checks and tests, not for the session path.
 */
export async function redisAnswers(host: string, port: number, connectTimeoutMs = 1000): Promise<boolean> {
  const c = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: connectTimeoutMs });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}
