/**
 * `TlsError`: the one error type that peer bytes can cause anywhere in the protocol core. It
 * carries the alert to send (looked up from its reason in `REASON_ALERT`) and a stable code.
 * Fatal errors stick: the connection keeps the first one and returns it from every later call.
 */
import { AlertDescription, REASON_ALERT, reasonCode, type AlertDescriptionName, type Reason } from './alerts';

const BRAND = Symbol.for('puretls.error');

/**
 * The error peer bytes cause anywhere in the protocol core: its `reason`, the `alert` to send (from
 * `REASON_ALERT`), a stable `code` (`ERR_TLS_<REASON>`), and for `AlertReceived` the peer's alert.
 * Branded: {@link isTlsError} works across copies of the package.
 */
export class TlsError extends Error {
  readonly [BRAND] = true;
  /** Stable machine-readable code, one per reason: `ERR_TLS_` + the reason in upper snake case (`ERR_TLS_TRAILING_DATA`). */
  readonly code: `ERR_TLS_${string}`;
  /** The alert to send, or `null` when none is sent (an alert received, a local close). */
  readonly alert: AlertDescriptionName | null;
  /** The numeric alert description, or `null`. */
  readonly alertCode: number | null;

  /** @throws TypeError when `reason` is not a row of `REASON_ALERT` (our bug, never the peer's). */
  constructor(
    readonly reason: Reason,
    message?: string,
    options?: ErrorOptions & {
      /** For `AlertReceived`: the peer's alert description. */
      readonly peerAlert?: number;
    },
  ) {
    if (typeof reason !== 'string' || !Object.hasOwn(REASON_ALERT, reason)) throw new TypeError(`reason: not a Reason of REASON_ALERT: ${String(reason)}`);
    const alert: AlertDescriptionName | null = REASON_ALERT[reason];
    super(message ? `${reason}: ${message}` : reason, options);
    this.name = 'TlsError';
    this.alert = alert;
    this.alertCode = alert === null ? null : AlertDescription[alert];
    this.peerAlert = options?.peerAlert;
    this.code = reasonCode(reason);
  }
  /** For `AlertReceived`: the description the peer sent. */
  readonly peerAlert: number | undefined;
}

/** Brand check that works across copies of the package (like undici's `isUndiciError`). */
export function isTlsError(e: unknown): e is TlsError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** A decode failure (RFC 8446 §6 decode_error unless the reason's row says otherwise). */
export function decodeError(reason: Reason, message?: string): TlsError {
  return new TlsError(reason, message);
}

/** Our own bug, never the peer's: `internal_error`. */
export function internalError(message: string, cause?: unknown): TlsError {
  return new TlsError('Internal', message, cause === undefined ? undefined : { cause });
}
