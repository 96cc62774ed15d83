/**
 * Rate-limited warnings: while Redis is away every command fails, and one log line per failure
 * would flood the log. One line per kind per {@link WARN_INTERVAL_MS}, with the number suppressed.
 */
import type { SessionCacheLogger } from '@puretls/session-cache';

/** At most one warning of each kind per this many ms. */
export const WARN_INTERVAL_MS = 10_000;

/** `warn(kind, message, error)`: logs unless a warning of `kind` was logged less than {@link WARN_INTERVAL_MS} ago. */
export type WarnLimiter = (kind: string, message: string, error?: unknown) => void;

export function createWarnLimiter(logger: SessionCacheLogger, now: () => number): WarnLimiter {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (kind, message, error) => {
    const t = now();
    const entry = last.get(kind);
    if (entry !== undefined && t - entry.at < WARN_INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    const suffix = entry !== undefined && entry.suppressed > 0 ? ` (${entry.suppressed} more since the last report)` : '';
    last.set(kind, { at: t, suppressed: 0 });
    try {
      logger.warn(message + suffix, error);
    } catch {
      // A logger that throws must not break a handshake.
    }
  };
}
