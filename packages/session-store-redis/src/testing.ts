/**
 * `@puretls/session-store-redis/testing`: start-up and test checks, not for the session path.
 *
 * - {@link redisAnswers}: whether a Redis answers `PING` at `host:port` (one attempt, never throws).
 */
export { redisAnswers } from './redis-client';
