/**
 * `ConnectionStateError`: the application called a `ServerConnection` method the connection's
 * state does not allow (a write after close, a KeyUpdate before the handshake). Our caller's
 * mistake, not the peer's: nothing is sent and the connection is not failed by it. A `code` in
 * Node's style, so Node-facing code can switch on it like on `ERR_STREAM_WRITE_AFTER_END`.
 */

/** The codes of {@link ConnectionStateError}. */
export type ConnectionStateErrorCode =
  /** `write()` after `close()`, after close_notify was sent, or after the connection failed. */
  | 'ERR_TLS_WRITE_AFTER_CLOSE'
  /**
   * A TLS 1.3 post-handshake call (`keyUpdate()`, `sendSessionTicket()`) on a connection that is
   * not open TLS 1.3; `exportKeyingMaterial()` before the handshake completed or after close.
   */
  | 'ERR_TLS_INVALID_STATE';

const BRAND = Symbol.for('puretls.connectionStateError');

/** A method called in a state that does not allow it; see {@link ConnectionStateErrorCode}. */
export class ConnectionStateError extends Error {
  readonly [BRAND] = true;
  constructor(
    readonly code: ConnectionStateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionStateError';
  }
}

/** True for a {@link ConnectionStateError}, across copies of the package (a brand of its own). */
export function isConnectionStateError(e: unknown): e is ConnectionStateError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
