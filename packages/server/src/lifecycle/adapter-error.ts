/**
 * `TlsAdapterError`: the errors the adapters decide themselves (a timeout, a limit, the peer gone
 * before the handshake completed, a shutdown), as opposed to `TlsError`, which the protocol core
 * raises for peer bytes. Each has its own brand, so `isTlsError()` narrows to a `TlsError` only
 * (its `reason` is a protocol `Reason`); `isPuretlsError()` sees either. An adapter error never
 * sends an alert: `alert` and `alertCode` are `null`, as on a `TlsError` for an alert received.
 */

import { isTlsError, type TlsError } from '@puretls/record-layer';
import { isConnectionStateError, type ConnectionStateError } from '../core/connection-state-error';

const BRAND = Symbol.for('puretls.adapterError');

/**
 * Each adapter reason with its Node-style `code` (Node's own code where Node has the behaviour:
 * `ERR_TLS_HANDSHAKE_TIMEOUT`, `ECONNRESET`), and whether the close was the server's decision
 * (counted in the stats and logged) or the peer's.
 */
export const ADAPTER_REASONS = {
  /** The handshake did not complete within `handshakeTimeout` (Node: same code, same message). */
  HandshakeTimeout: { code: 'ERR_TLS_HANDSHAKE_TIMEOUT', byServer: true },
  /** No activity for `idleTimeout` after the handshake: closed with close_notify. */
  IdleTimeout: { code: 'ERR_TLS_IDLE_TIMEOUT', byServer: true },
  /** Refused before reading a byte: `maxConcurrentHandshakes` connections were handshaking. */
  TooManyHandshakes: { code: 'ERR_TLS_TOO_MANY_HANDSHAKES', byServer: true },
  /** Too many bytes arrived while an asynchronous `SNICallback` was pending. */
  ClientHelloTooLarge: { code: 'ERR_TLS_CLIENT_HELLO_TOO_LARGE', byServer: true },
  /** A draining server closed the connection once it was idle (close_notify). */
  Shutdown: { code: 'ERR_TLS_SERVER_SHUTDOWN', byServer: true },
  /** A draining server's deadline passed with the connection still busy or handshaking. */
  ShutdownTimeout: { code: 'ERR_TLS_SERVER_SHUTDOWN_TIMEOUT', byServer: true },
  /** TCP ended, reset or failed before the handshake completed (Node: same code, same message). */
  PeerDisconnected: { code: 'ECONNRESET', byServer: false },
} as const;

/** Why an adapter closed a connection (a key of {@link ADAPTER_REASONS}). */
export type AdapterReason = keyof typeof ADAPTER_REASONS;
/** The `code` of a {@link TlsAdapterError}, one per {@link AdapterReason}. */
export type AdapterErrorCode = (typeof ADAPTER_REASONS)[AdapterReason]['code'];

/** An error of an adapter itself (no TLS alert involved), with a Node-style `code`. */
export class TlsAdapterError extends Error {
  readonly [BRAND] = true;
  readonly code: AdapterErrorCode;
  /** Never an alert: the adapter closes without one (or with close_notify). */
  readonly alert = null;
  readonly alertCode = null;
  readonly peerAlert = undefined;

  constructor(
    readonly reason: AdapterReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TlsAdapterError';
    this.code = ADAPTER_REASONS[reason].code;
  }

  /** The close was the server's decision (a timeout, a limit, a shutdown), not the peer's. */
  get byServer(): boolean {
    return ADAPTER_REASONS[this.reason].byServer;
  }
}

/**
 * True for every error puretls raises about a connection: a `TlsError` (protocol, with its
 * alert), a {@link TlsAdapterError} (adapter: timeouts, limits, disconnects) or a
 * `ConnectionStateError` (a call the connection's state does not allow). Works across copies of
 * the packages (brands, like undici's `isUndiciError`).
 */
export function isPuretlsError(e: unknown): e is TlsError | TlsAdapterError | ConnectionStateError {
  return isTlsError(e) || isTlsAdapterError(e) || isConnectionStateError(e);
}

/** True for a {@link TlsAdapterError}, across copies of the package (a brand of its own). */
export function isTlsAdapterError(e: unknown): e is TlsAdapterError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Node's text for a peer gone before the handshake completed (`ECONNRESET`): what a Node
 * `tls.Server` gives `tlsClientError` (`new ConnResetException('socket hang up')`).
 */
export const DISCONNECTED_MESSAGE = 'socket hang up';

/** The error for a peer gone before the handshake completed, as Node reports it. */
export function peerDisconnected(cause?: unknown): TlsAdapterError {
  return new TlsAdapterError('PeerDisconnected', DISCONNECTED_MESSAGE, cause === undefined ? undefined : { cause });
}
