/**
 * Why a connection ended, and the counters every adapter keeps: connections, handshakes, and the
 * closes the server decided by reason. A close is the server's when it sent an alert for what the
 * peer did (the `TlsError`'s reason: `TooManyEmptyRecords`, `RecordOverflow`, …) or when the
 * adapter decided it ({@link TlsAdapterError} reasons: `HandshakeTimeout`, `IdleTimeout`,
 * `Shutdown`, …). The peer's own alert, its close_notify, EOF or a reset, and closes the
 * application asked for (`end()`, `destroy()`) are not counted here.
 */
import { isTlsError } from '@puretls/record-layer';
import { isTlsAdapterError, type TlsAdapterError } from './adapter-error';

/** Where the connection was when the server closed it. */
export type ClosePhase = 'handshake' | 'open';

/** One close the server decided. */
export interface ServerClose {
  /** A `TlsError` reason or a {@link TlsAdapterError} reason. */
  readonly reason: string;
  readonly phase: ClosePhase;
  /** The alert we sent (`unexpected_message`, …), or `null` (close_notify, nothing). */
  readonly alert: string | null;
  /** The error behind it. */
  readonly error: Error;
}

/**
 * The reason of a close the server decided, or `undefined` when the peer (or the application) ended
 * the connection: a `TlsError` with an alert we sent, a {@link TlsAdapterError} of the server's.
 */
export function serverCloseReason(err: unknown): string | undefined {
  if (isTlsAdapterError(err)) return err.byServer ? err.reason : undefined;
  if (isTlsError(err)) return err.alertCode !== null ? err.reason : undefined;
  return undefined;
}

/** A plain-object copy of {@link ConnectionStats} (for JSON, `/stats.json`). */
export interface ConnectionStatsSnapshot {
  /** Connections started (TCP accepted, or `accept()` called). */
  readonly connections: number;
  /** Handshakes completed. */
  readonly handshakes: number;
  /** Handshakes that failed (a TLS error, EOF, reset, timeout, refusal). */
  readonly handshakeFailures: number;
  /** Connections not yet ended. */
  readonly open: number;
  /** Of those, the ones still handshaking. */
  readonly handshaking: number;
  /** Closes the server decided, by reason (see the file comment); absent reasons are 0. */
  readonly closedByServer: Readonly<Record<string, number>>;
}

/**
 * Counters shared by every connection of one server (the Node adapter's `server.stats`) or of the
 * `accept()` calls given the same object. Invariant: `open = connections - ended`,
 * `0 <= handshaking <= open`.
 */
export class ConnectionStats {
  private connectionsStarted = 0;
  private handshakesDone = 0;
  private failures = 0;
  private ended = 0;
  private handshakingNow = 0;
  private readonly byReason = new Map<string, number>();

  /** A connection started (handshaking). */
  started(): void {
    this.connectionsStarted++;
    this.handshakingNow++;
  }
  /** Its handshake completed. */
  secured(): void {
    this.handshakesDone++;
    this.handshakingNow--;
  }
  /** Its handshake failed. */
  handshakeFailed(): void {
    this.failures++;
    this.handshakingNow--;
  }
  /** The connection ended (after `secured` or `handshakeFailed`). */
  closed(): void {
    this.ended++;
  }
  /** The server closed a connection for `reason`. */
  closedByServer(reason: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  get connections(): number {
    return this.connectionsStarted;
  }
  get handshakes(): number {
    return this.handshakesDone;
  }
  get handshakeFailures(): number {
    return this.failures;
  }
  get open(): number {
    return this.connectionsStarted - this.ended;
  }
  get handshaking(): number {
    return this.handshakingNow;
  }
  /** Closes for `reason` so far. */
  closes(reason: string): number {
    return this.byReason.get(reason) ?? 0;
  }

  snapshot(): ConnectionStatsSnapshot {
    return {
      connections: this.connectionsStarted,
      handshakes: this.handshakesDone,
      handshakeFailures: this.failures,
      open: this.open,
      handshaking: this.handshakingNow,
      closedByServer: Object.fromEntries([...this.byReason].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    };
  }
}
