/**
 * `@puretls/session-cache`: OpenSSL-style server session cache (new/remove/get callbacks, modes,
 * limits, statistics), the `Session` value and its (de)serializer, sealed blobs and the TLS 1.3
 * ticket key ring. Sans-IO: clock, timer and randomness are injected.
 */
export {
  MAX_ALPN_LENGTH,
  MAX_CONTEXT_ID_LENGTH,
  MAX_PEER_CERTIFICATES_LENGTH,
  MAX_SECRET_LENGTH,
  MAX_SERVER_NAME_LENGTH,
  MAX_SESSION_ID_LENGTH,
  MAX_TICKET_LIFETIME,
  MAX_TICKET_NONCE_LENGTH,
  MAX_TIMEOUT,
  MAX_TIME_MS,
  SESSION_OVERHEAD_BYTES,
  createSession,
  isSession,
  sessionCost,
  sessionExpiresAt,
  sessionLifetime,
  tls13SuiteHash,
  withFields,
  type Session,
  type SessionInit,
  type SessionVersion,
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
export { isAbortVerdict, validateSession, type AbortReason, type MissReason, type ResumptionContext, type Verdict } from './validate';
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
  type LookupAbort,
  type LookupHit,
  type LookupMiss,
  type LookupResult,
  type NewSessionCallback,
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
