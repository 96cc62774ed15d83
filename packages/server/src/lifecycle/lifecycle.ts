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

/** The settings (usually one object shared by every connection of a server). */
export interface LifecycleOptions {
  /** Milliseconds for the whole handshake; 0 = no limit. */
  readonly handshakeTimeout: number;
  /** Milliseconds without activity after the handshake before the connection is closed; 0 or absent = never. */
  readonly idleTimeout?: number | undefined;
  /** Counters shared with other connections (a server's). */
  readonly stats?: ConnectionStats | undefined;
}

/**
 * What the adapter does when the lifecycle asks, for the connection `owner` (one hooks object
 * serves every connection: no closures per connection).
 */
export interface LifecycleHooks<O> {
  /** `handshakeTimeout` passed: fail the handshake with `err` (nothing is sent: Node sends nothing either). */
  onHandshakeTimeout(owner: O, err: TlsAdapterError): void;
  /** `idleTimeout` passed without activity after the handshake: close with close_notify (`err` was already counted). */
  onIdle(owner: O, err: TlsAdapterError): void;
  /** Told of the close the server decided, once per connection. */
  onServerClose?(owner: O, close: ServerClose): void;
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

export class ConnectionLifecycle<O = unknown> {
  /** handshake → open, or handshake → failed; then ended once the transport is gone. */
  private state: 'handshake' | 'open' | 'failed' | 'ended' = 'handshake';
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Made when the handshake completes, only with an `idleTimeout`. */
  private idle: IdleTimer | undefined;
  /** A server close was reported (at most one per connection: the first cause wins). */
  private reported = false;

  constructor(
    private readonly owner: O,
    private readonly options: LifecycleOptions,
    private readonly hooks: LifecycleHooks<O>,
  ) {
    options.stats?.started();
    if (options.handshakeTimeout > 0) this.handshakeTimer = setTimeout(handshakeExpired, options.handshakeTimeout, this);
  }

  /** The handshake deadline passed (called by {@link handshakeExpired}). */
  handshakeTimedOut(): void {
    this.handshakeTimer = undefined;
    if (this.state === 'handshake') this.hooks.onHandshakeTimeout(this.owner, new TlsAdapterError('HandshakeTimeout', 'TLS handshake timeout'));
  }

  /** True while the handshake is in progress. */
  get handshaking(): boolean {
    return this.state === 'handshake';
  }

  /** Bytes came in or went out. */
  touch(): void {
    this.idle?.touch();
  }

  /** The handshake completed: its deadline ends, the idle deadline starts. */
  secured(): void {
    if (this.state !== 'handshake') return;
    this.state = 'open';
    this.clearHandshakeTimer();
    this.options.stats?.secured();
    const ms = this.options.idleTimeout ?? 0;
    if (ms > 0) {
      this.idle = new IdleTimer(() => {
        if (this.state !== 'open') return;
        const err = new TlsAdapterError('IdleTimeout', `no activity for ${ms} ms (idleTimeout)`);
        this.failed(err);
        this.hooks.onIdle(this.owner, err);
      });
      this.idle.set(ms);
    }
  }

  /**
   * The handshake failed with `err` (counted once; a close of the server's is reported). `reason`
   * names the server's close when `err` is not puretls's own (an application callback's error).
   */
  handshakeFailed(err: Error, reason?: string): void {
    if (this.state !== 'handshake') return;
    this.report(err, 'handshake', reason);
    this.state = 'failed';
    this.clearHandshakeTimer();
    this.options.stats?.handshakeFailed();
  }

  /** The connection failed or is being closed after the handshake: `err` is reported if it was the server's decision. */
  failed(err: Error): void {
    if (this.state === 'handshake' || this.state === 'open') this.report(err, this.state);
  }

  /** The transport is gone: timers stop, the connection stops counting as open. */
  ended(): void {
    if (this.state === 'ended') return;
    // Ended before the handshake completed without a reported failure (destroyed by the
    // application): still a handshake that did not complete.
    if (this.state === 'handshake') this.options.stats?.handshakeFailed();
    this.state = 'ended';
    this.clearHandshakeTimer();
    this.idle?.stop();
    this.options.stats?.closed();
  }

  private report(err: Error, phase: ClosePhase, byServer?: string): void {
    if (this.reported) return;
    const reason = byServer ?? serverCloseReason(err);
    if (reason === undefined) return;
    this.reported = true;
    this.options.stats?.closedByServer(reason);
    const alert = (err as { alert?: unknown }).alert;
    this.hooks.onServerClose?.(this.owner, { reason, phase, alert: typeof alert === 'string' ? alert : null, error: err });
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }
}

function handshakeExpired(l: ConnectionLifecycle<unknown>): void {
  l.handshakeTimedOut();
}
