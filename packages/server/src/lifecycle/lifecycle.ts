/**
 * `ConnectionLifecycle`: what both adapters (Node sockets, Web Streams) do around one
 * `ServerConnection` besides moving bytes — the handshake deadline, the idle deadline after it,
 * the counters, and the one report per connection of a close the server decided. Each adapter is
 * the I/O binding: it calls `touch()` on activity, `secured()`, `handshakeFailed(err)`,
 * `failed(err)` and `ended()`, and acts on the two hooks.
 */
import { TlsAdapterError } from './adapter-error';
import { serverCloseReason, type ClosePhase, type ConnectionStats, type ServerClose } from './close-stats';
import { IdleTimer } from './idle-timer';

export interface LifecycleOptions {
  /** Milliseconds for the whole handshake; 0 = no limit. */
  readonly handshakeTimeout: number;
  /** Milliseconds without activity after the handshake before the connection is closed; 0 = never. */
  readonly idleTimeout: number;
  /** Counters shared with other connections (a server's). */
  readonly stats?: ConnectionStats | undefined;
  /** Told of each close the server decided, once per connection. */
  readonly onServerClose?: ((close: ServerClose) => void) | undefined;
}

export interface LifecycleHooks {
  /** `handshakeTimeout` passed: fail the handshake with `err` (nothing is sent: Node sends nothing either). */
  onHandshakeTimeout(err: TlsAdapterError): void;
  /** `idleTimeout` passed without activity after the handshake: close with close_notify (`err` was already counted). */
  onIdle(err: TlsAdapterError): void;
}

/**
 * How long a connection we close (alert, close_notify) may take to flush its last bytes and get
 * the peer's answer before the transport is let go of, whatever happens.
 */
export const CLOSE_GRACE_MS = 1000;

/** Checks a timeout option once (constructors call it). @throws RangeError naming it. */
export function checkTimeout(name: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 2 ** 31 - 1) throw new RangeError(`${name}: a non-negative integer of milliseconds (0 = none), got ${String(ms)}`);
  return ms;
}

export class ConnectionLifecycle {
  private phase: ClosePhase | 'ended' = 'handshake';
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly idle: IdleTimer;
  /** A server close was reported (at most one per connection: the first cause wins). */
  private reported = false;

  constructor(
    private readonly options: LifecycleOptions,
    hooks: LifecycleHooks,
  ) {
    options.stats?.started();
    const hs = options.handshakeTimeout;
    if (hs > 0) {
      this.handshakeTimer = setTimeout(() => {
        this.handshakeTimer = undefined;
        if (this.phase === 'handshake') hooks.onHandshakeTimeout(new TlsAdapterError('HandshakeTimeout', `TLS handshake timeout (${hs} ms)`));
      }, hs);
    }
    this.idle = new IdleTimer(() => {
      if (this.phase !== 'open') return;
      const err = new TlsAdapterError('IdleTimeout', `no activity for ${options.idleTimeout} ms (idleTimeout)`);
      this.failed(err);
      hooks.onIdle(err);
    });
  }

  /** True while the handshake is in progress. */
  get handshaking(): boolean {
    return this.phase === 'handshake';
  }

  /** Bytes came in or went out. */
  touch(): void {
    this.idle.touch();
  }

  /** The handshake completed: its deadline ends, the idle deadline starts. */
  secured(): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'open';
    this.clearHandshakeTimer();
    this.options.stats?.secured();
    if (this.options.idleTimeout > 0) this.idle.set(this.options.idleTimeout);
  }

  /**
   * The handshake failed with `err` (counted once; a close of the server's is reported). `reason`
   * names the server's close when `err` is not puretls's own (an application callback's error).
   */
  handshakeFailed(err: Error, reason?: string): void {
    if (this.phase !== 'handshake') return;
    this.report(err, 'handshake', reason);
    this.phase = 'open';
    this.clearHandshakeTimer();
    this.options.stats?.handshakeFailed();
  }

  /** The connection failed or is being closed after the handshake: `err` is reported if it was the server's decision. */
  failed(err: Error): void {
    if (this.phase === 'ended') return;
    this.report(err, this.phase);
  }

  /** The transport is gone: timers stop, the connection stops counting as open. */
  ended(): void {
    if (this.phase === 'ended') return;
    // Ended before the handshake completed without a reported failure (destroyed by the
    // application): still a handshake that did not complete.
    if (this.phase === 'handshake') this.options.stats?.handshakeFailed();
    this.phase = 'ended';
    this.clearHandshakeTimer();
    this.idle.stop();
    this.options.stats?.closed();
  }

  private report(err: Error, phase: ClosePhase, byServer?: string): void {
    if (this.reported) return;
    const reason = byServer ?? serverCloseReason(err);
    if (reason === undefined) return;
    this.reported = true;
    this.options.stats?.closedByServer(reason);
    const alert = (err as { alert?: unknown }).alert;
    this.options.onServerClose?.({ reason, phase, alert: typeof alert === 'string' ? alert : null, error: err });
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }
}
