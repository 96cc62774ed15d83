/**
 * `@puretls/session-cache`: OpenSSL-style server session cache (new/remove/get callbacks, modes,
 * limits, statistics), the `Session` value (opaque TLS state plus the cache's metadata) and its
 * (de)serializer, sealed blobs and the ticket key ring. Sans-IO: clock, timer, logger and
 * randomness are injected.
 */
export {
  MAX_SESSION_ID_LENGTH,
  MAX_SESSION_STATE_LENGTH,
  MAX_TIMEOUT,
  MAX_TIME_MS,
  SESSION_OVERHEAD_BYTES,
  createSession,
  isSession,
  sessionCost,
  sessionExpiresAt,
  withFields,
  type Session,
  type SessionInit,
} from './session';
export { SESSION_FORMAT_VERSION, SessionDecodeError, decodeSession, encodeSession, type SessionDecodeReason } from './session-codec';
export { openSession, openTicket, sealSession, sealTicket, type OpenedSession } from './session-seal';
export {
  DEFAULT_KEEP_PREVIOUS,
  DEFAULT_ROTATION_INTERVAL_MS,
  TICKET_KEY_LENGTH,
  TICKET_KEY_NAME_LENGTH,
  TICKET_OVERHEAD,
  TicketKeyRing,
  type OpenedTicket,
  type TicketKeyJson,
  type TicketKeyRingJson,
  type TicketKeyRingOptions,
  type TicketKeyRole,
} from './ticket-key-ring';
export {
  AUTO_FLUSH_INTERVAL,
  DEFAULT_AUTH_TIMEOUT,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TIMEOUT,
  SessionCache,
  type ConnectionEnd,
  type GetSessionCallback,
  type GetSessionResult,
  type LookupHit,
  type LookupMiss,
  type LookupResult,
  type MissReason,
  type NewSessionCallback,
  type NewSessionInfo,
  type RefuseReason,
  type RemoveReason,
  type RemoveSessionCallback,
  type SessionCacheLogger,
  type SessionCacheMode,
  type SessionCacheOptions,
  type SessionCacheStats,
  type SetTimer,
  type TakeSessionCallback,
} from './session-cache';
export { LOG_INTERVAL_MS, createRateLimiter, type RateLimiter } from './rate-limiter';
