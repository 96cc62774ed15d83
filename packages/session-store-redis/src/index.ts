/**
 * `@puretls/session-store-redis`: a fleet of puretls servers sharing sessions and ticket keys
 * through Redis — the session cache's external store (`createRedisSessionStore`: SET / GET /
 * GETDEL / DEL) and one shared, rotating ticket key ring (`RedisKeyRing`).
 */
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  MAX_PREFIX_LENGTH,
  MAX_RECONNECT_DELAY_MS,
  createRedisClient,
  parseRedisUrl,
  type ParsedRedisUrl,
  type RedisClientSettings,
} from './redis-client';
export {
  DEFAULT_MAX_IN_FLIGHT,
  createRedisSessionStore,
  type RedisSessionStore,
  type RedisSessionStoreOptions,
  type RedisSessionStoreStats,
} from './redis-session-store';
export {
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_REFRESH_INTERVAL_MS,
  MAX_CAS_ATTEMPTS,
  RedisKeyRing,
  type RedisKeyRingOptions,
  type RedisKeyRingStats,
} from './redis-key-ring';
export { WARN_INTERVAL_MS } from './warn-limiter';
