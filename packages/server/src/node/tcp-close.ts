/** Closing the TCP socket under a `PureTlsSocket` without turning its last bytes into a reset. */
import type { Socket } from 'node:net';
import { CLOSE_GRACE_MS } from '../lifecycle/lifecycle';

/**
 * Closes TCP gracefully: sends FIN after what is queued (close_notify, alert), keeps reading (and
 * discarding) until the peer's FIN so that unread bytes do not turn the close into a reset, then
 * lets TCP close. Bounded: destroyed after {@link CLOSE_GRACE_MS} whatever happens.
 */
export function closeTcp(tcp: Socket): void {
  if (tcp.destroyed) return;
  if (tcp.readableEnded && tcp.writableFinished) {
    tcp.destroy();
    return;
  }
  if (!tcp.writableEnded) tcp.end();
  tcp.resume();
  setTimeout(() => tcp.destroy(), CLOSE_GRACE_MS).unref();
}
