/**
 * Rate limiting for log lines that a peer or an outage can repeat without bound (a Redis that is
 * down fails every command; a flood of bad handshakes closes connection after connection): one
 * line per kind per interval, and the next line says how many were left out. Sans-IO: the clock
 * is injected. Used by the Redis store's warnings and by `puretls serve`'s close lines.
 */

/** Default interval: at most one line of each kind per this many ms. */
export const LOG_INTERVAL_MS = 10_000;

/**
 * `admit(kind)`: `undefined` when a line of `kind` was admitted less than the interval ago (this
 * one is left out and counted), otherwise the number of lines of `kind` left out since the last
 * admitted one (0 for the first).
 */
export type RateLimiter = (kind: string) => number | undefined;

/**
 * A {@link RateLimiter} over `now()` (ms). Memory grows with the number of distinct kinds only:
 * callers pass a bounded set (reason names), never peer-chosen text.
 * @throws RangeError when `intervalMs` is not a non-negative number.
 */
export function createRateLimiter(now: () => number, intervalMs: number = LOG_INTERVAL_MS): RateLimiter {
  if (typeof now !== 'function') throw new TypeError('createRateLimiter(now): a function returning milliseconds');
  if (typeof intervalMs !== 'number' || !(intervalMs >= 0)) throw new RangeError('createRateLimiter(intervalMs): a non-negative number of milliseconds');
  const last = new Map<string, { at: number; suppressed: number }>();
  return (kind) => {
    const t = now();
    const entry = last.get(kind);
    if (entry !== undefined && t - entry.at < intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    last.set(kind, { at: t, suppressed: 0 });
    return entry?.suppressed ?? 0;
  };
}
