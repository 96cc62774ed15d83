/**
 * Rate-limited warnings: while Redis is away every command fails, and one log line per failure
 * would flood the log. One line per kind per {@link WARN_INTERVAL_MS}, with the number suppressed
 * (the session cache's `createRateLimiter`, shared with `puretls serve`'s close lines).
 */
import { LOG_INTERVAL_MS, createRateLimiter, type SessionCacheLogger } from '@puretls/session-cache';

/** At most one warning of each kind per this many ms. */
export const WARN_INTERVAL_MS = LOG_INTERVAL_MS;

/** `warn(kind, message, error)`: logs unless a warning of `kind` was logged less than {@link WARN_INTERVAL_MS} ago. */
export type WarnLimiter = (kind: string, message: string, error?: unknown) => void;

export function createWarnLimiter(logger: SessionCacheLogger, now: () => number): WarnLimiter {
  const admit = createRateLimiter(now, WARN_INTERVAL_MS);
  return (kind, message, error) => {
    const suppressed = admit(kind);
    if (suppressed === undefined) return;
    const suffix = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
    try {
      logger.warn(message + suffix, error);
    } catch {
      // A logger that throws must not break a handshake.
    }
  };
}
