/**
 * The Web Streams adapter (issue #7): one `ServerConnection` over a pair of ciphertext byte
 * streams, so the engine runs wherever there are `ReadableStream`/`WritableStream`s (Deno, Bun,
 * workers, Node's `Duplex.toWeb`). No `node:*` import here: only globals (`ReadableStream`,
 * `WritableStream`, `setTimeout`).
 *
 * Data flow (every arrow flushes `conn.takeOutput()` to the ciphertext writable):
 *   ciphertext reader → conn.receive → 'data' → plaintext controller.enqueue
 *       pull-based: after the handshake the ciphertext stream is read only while the plaintext
 *       queue has room (desiredSize > 0), so a slow consumer stops reading the transport.
 *   plaintext writable.write → (await handshake) → conn.write → ciphertext writer.write
 *       the write resolves once the ciphertext writable accepted the records.
 *   plaintext writable.close → conn.close (close_notify) → ciphertext writer.close
 *   peer close_notify → plaintext readable closes (our write side stays open: web streams are
 *       half-open; close the writable, e.g. through `pipeTo`, to answer with close_notify).
 *   failure → the alert is sent, the ciphertext writer closed, both plaintext streams error with
 *       the `TlsError`, `info`/`closed` reject.
 *   idle (`idleTimeoutMs`) → close_notify, the ciphertext writer closed, the plaintext writable
 *       errors (`IdleTimeout`), the readable closes once the peer answers (or after a grace).
 *
 * The handshake and idle deadlines, the counters and the close reasons are the lifecycle every
 * adapter shares (`lifecycle/`); this file is only the streams binding.
 */
import type { NegotiatedInfo } from '@puretls/handshake-state-machine';
import { ServerConnection } from './core/connection';
import type { ServerContext } from './core/context';
import { TlsAdapterError, peerDisconnected } from './lifecycle/adapter-error';
import type { ConnectionStats, ServerClose } from './lifecycle/close-stats';
import { CLOSE_GRACE_MS, ConnectionLifecycle, checkTimeout, type LifecycleHooks, type LifecycleOptions } from './lifecycle/lifecycle';

/** Plaintext bytes the readable side queues before it stops reading ciphertext. */
export const PLAINTEXT_HIGH_WATER_MARK = 64 * 1024;

/** Options of {@link accept}. */
export interface AcceptOptions {
  /**
   * Milliseconds the whole handshake may take; then everything fails with a
   * `TlsAdapterError` `ERR_TLS_HANDSHAKE_TIMEOUT`. Default 0: no limit (unlike the Node
   * adapter: a stream has no server to protect by default — set one for network peers).
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * Milliseconds without plaintext read or written after the handshake before the connection is
   * closed with close_notify (`IdleTimeout`; the writable errors with a `TlsAdapterError`
   * `ERR_TLS_IDLE_TIMEOUT`, the readable closes, `closed` resolves). Default 0: never.
   */
  readonly idleTimeoutMs?: number;
  /** Counters to add this connection to (share one object between `accept()` calls, like a server's `stats`). */
  readonly stats?: ConnectionStats;
  /** Told once if the connection is closed for a reason of the adapter's or an alert it sent (as the Node server's `closedByServer`). */
  readonly onServerClose?: (close: ServerClose) => void;
  /** Emit NSS key log lines through this callback (default: none, secrets never leave the engine). */
  readonly keyLog?: (line: string) => void;
  /** Plaintext bytes queued on the readable side before ciphertext reading pauses (default 64 KiB). */
  readonly readableHighWaterMark?: number;
}

/** What {@link accept} returns: the plaintext side of the connection. */
export interface TlsStreams {
  /** Decrypted application data (0-RTT data first, if any). Closes on the peer's close_notify. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Application data to encrypt; `close()` sends close_notify and closes the ciphertext writable. */
  readonly writable: WritableStream<Uint8Array>;
  /** What the handshake negotiated; rejects when it fails (a `TlsError`, a timeout, EOF). */
  readonly info: Promise<NegotiatedInfo>;
  /**
   * Resolves once both directions are done: we closed the ciphertext writable after our
   * close_notify, and the peer sent close_notify or ended the ciphertext stream. Rejects with the
   * connection's error.
   */
  readonly closed: Promise<void>;
  /** The sans-IO connection underneath (for `keyUpdate()`, `sendSessionTicket()`, `error`, …). */
  readonly connection: ServerConnection;
}

/**
 * Runs the server side of a TLS connection over ciphertext streams. Locks both: chunks read from
 * `readable` are handed over to the engine, which decrypts records in place in them.
 *
 * Nothing the peer does throws out of here: failures become stream errors and rejections (`info`
 * and `closed` already have a handler attached, so an ignored failure is not an unhandled rejection).
 *
 * @throws TypeError when an argument is not a stream or the context is missing, or a stream is locked;
 *   RangeError for a malformed option.
 */
export function accept(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>, ctx: ServerContext, options: AcceptOptions = {}): TlsStreams {
  if (!(readable instanceof ReadableStream)) throw new TypeError('readable: a ReadableStream is required');
  if (!(writable instanceof WritableStream)) throw new TypeError('writable: a WritableStream is required');
  if (!ctx || typeof ctx !== 'object' || !('handshake' in ctx)) throw new TypeError('ctx: a ServerContext is required');
  if (readable.locked) throw new TypeError('readable: the stream is locked');
  if (writable.locked) throw new TypeError('writable: the stream is locked');
  const timeoutMs = checkTimeout('options.handshakeTimeoutMs', options.handshakeTimeoutMs ?? 0);
  const idleMs = checkTimeout('options.idleTimeoutMs', options.idleTimeoutMs ?? 0);
  if (options.onServerClose !== undefined && typeof options.onServerClose !== 'function') throw new TypeError('options.onServerClose: a function');
  if (options.stats !== undefined && (typeof options.stats !== 'object' || options.stats === null || typeof options.stats.started !== 'function')) throw new TypeError('options.stats: a ConnectionStats');
  const hwm = options.readableHighWaterMark ?? PLAINTEXT_HIGH_WATER_MARK;
  if (!Number.isInteger(hwm) || hwm < 1) throw new RangeError(`options.readableHighWaterMark: a positive integer, got ${String(hwm)}`);
  if (options.keyLog !== undefined && typeof options.keyLog !== 'function') throw new TypeError('options.keyLog: a function');
  const conn = new ServerConnection(ctx, { keyLog: options.keyLog !== undefined });
  return new StreamConnection(readable, writable, conn, { handshakeTimeout: timeoutMs, idleTimeout: idleMs, stats: options.stats }, options.onServerClose, hwm, options.keyLog).streams;
}

/** A promise and its settle functions; a no-op handler is attached so that nobody listening is fine. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

class StreamConnection {
  private static readonly lifecycleHooks: LifecycleHooks<StreamConnection> = {
    onHandshakeTimeout: (c, err) => c.fail(err),
    onIdle: (c, err) => void c.closeOnOurOwn(err),
    onServerClose: (c, close) => c.onServerClose?.(close),
  };
  readonly streams: TlsStreams;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly info = deferred<NegotiatedInfo>();
  private readonly closed = deferred<void>();
  private plainController!: ReadableStreamDefaultController<Uint8Array>;
  private writableController: WritableStreamDefaultController | undefined;
  private readonly lifecycle: ConnectionLifecycle<StreamConnection>;
  /** We close on our own (idle): the grace timer that stops waiting for the peer's answer. */
  private closingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why the connection failed (or was aborted): everything is settled, nothing more is done. */
  private failure: Error | undefined;

  private get failed(): boolean {
    return this.failure !== undefined;
  }
  /** The plaintext readable is closed or cancelled: nothing more is enqueued. */
  private plainDone = false;
  /** The ciphertext stream ended (EOF). */
  private cipherEof = false;
  /** We closed the ciphertext writable after our close_notify. */
  private writeDone = false;
  /** Wakes the read loop once the consumer wants more (set while it waits). */
  private wake: (() => void) | undefined;

  constructor(
    readable: ReadableStream<Uint8Array>,
    writable: WritableStream<Uint8Array>,
    private readonly conn: ServerConnection,
    lifecycle: LifecycleOptions,
    private readonly onServerClose: ((close: ServerClose) => void) | undefined,
    hwm: number,
    keyLog: ((line: string) => void) | undefined,
  ) {
    this.reader = readable.getReader();
    this.writer = writable.getWriter();
    this.lifecycle = new ConnectionLifecycle(this, lifecycle, StreamConnection.lifecycleHooks);

    conn.on('handshakeComplete', (info) => {
      this.lifecycle.secured();
      this.info.resolve(info);
    });
    // `d` is a view into the ciphertext chunk or the record layer's buffer: copy before it outlives the call.
    conn.on('data', (d) => this.enqueue(d));
    conn.on('earlyData', (d) => this.enqueue(d));
    conn.on('end', () => this.closeReadable());
    conn.on('error', (e) => this.fail(e));
    conn.on('output', () => this.flushInBackground());
    if (keyLog) conn.on('keylog', keyLog);

    const plaintextReadable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.plainController = c;
        },
        // Demand only wakes the read loop; the loop decides whether to read (see hasDemand).
        pull: () => this.wakeReader(),
        cancel: () => {
          // The application wants no more plaintext; ciphertext is still read (alerts, close_notify).
          this.plainDone = true;
          this.wakeReader();
        },
      },
      { highWaterMark: hwm, size: (c) => c.byteLength },
    );
    const plaintextWritable = new WritableStream<Uint8Array>({
      start: (c) => {
        this.writableController = c;
      },
      write: (chunk) => this.write(chunk),
      close: () => this.close(),
      abort: (reason) => this.abort(reason),
    });
    this.streams = { readable: plaintextReadable, writable: plaintextWritable, info: this.info.promise, closed: this.closed.promise, connection: conn };
    void this.readLoop();
  }

  // ---- ciphertext → plaintext ------------------------------------------------------------------

  /**
   * Reads the ciphertext stream until EOF or failure. During the handshake it always reads (the
   * handshake, and 0-RTT data ahead of the client's Finished, must not wait for the consumer);
   * afterwards only while the plaintext queue has room.
   */
  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        while (!this.failed && !this.hasDemand()) await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.failed) return;
        const r = await this.reader.read();
        if (this.failed) return;
        if (r.done) {
          this.onCipherEof();
          return;
        }
        if (!(r.value instanceof Uint8Array)) throw new TypeError('readable: chunks must be Uint8Array');
        this.conn.receive(r.value);
        this.flushInBackground();
      }
    } catch (e) {
      this.fail(asError(e));
    }
  }

  private hasDemand(): boolean {
    return this.conn.phase === 'handshaking' || this.plainDone || (this.plainController.desiredSize ?? 0) > 0;
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private enqueue(d: Uint8Array): void {
    if (this.plainDone || this.failed) return;
    this.lifecycle.touch();
    this.plainController.enqueue(d.slice());
  }

  private closeReadable(): void {
    if (!this.plainDone) {
      this.plainDone = true;
      this.plainController.close();
    }
    this.wakeReader();
    this.maybeClosed();
  }

  private onCipherEof(): void {
    this.cipherEof = true;
    if (this.conn.phase === 'handshaking') {
      this.fail(peerDisconnected());
      return;
    }
    // EOF without close_notify (a truncation) ends the readable all the same, like Node's TLSSocket.
    this.closeReadable();
  }

  // ---- plaintext → ciphertext ------------------------------------------------------------------

  private async write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('write(chunk): a Uint8Array is required');
    // Written after the handshake: a failed handshake rejects the write (and errors the writable).
    await this.info.promise;
    this.throwIfFailed();
    try {
      this.conn.write(chunk);
    } catch (e) {
      throw this.conn.error ?? e;
    }
    this.throwIfFailed();
    this.lifecycle.touch();
    await this.flush();
    this.lifecycle.touch();
  }

  private async close(): Promise<void> {
    // Close after the handshake, so that the peer gets a proper close_notify (not user_canceled).
    await this.info.promise;
    this.throwIfFailed();
    // RFC 8446 §6.1: "Each party MUST send a "close_notify" alert before closing its write side".
    this.conn.close();
    await this.flush();
    await this.writer.close();
    this.writeDone = true;
    this.maybeClosed();
  }

  private abort(reason: unknown): void {
    this.fail(asError(reason), false);
  }

  private throwIfFailed(): void {
    const err = this.conn.error;
    if (err) throw err;
    if (this.failure) throw this.failure;
  }

  /** Sends what the connection queued; resolves once the ciphertext writable accepted it. */
  private flush(): Promise<void> {
    const out = this.conn.takeOutput();
    if (out.length === 0) return Promise.resolve();
    // takeOutput() hands us the buffer: passed on without copying.
    return this.writer.write(out);
  }

  /** A flush nobody awaits (handshake flights, KeyUpdate answers): a failure fails the connection. */
  private flushInBackground(): void {
    if (this.failed) return;
    this.flush().catch((e: unknown) => this.fail(asError(e)));
  }

  // ---- the end ---------------------------------------------------------------------------------

  private maybeClosed(): void {
    if (this.failed || !this.writeDone || !(this.conn.peerClosed || this.cipherEof)) return;
    // Both close_notify sent and received: the connection is already closed (clean); after a
    // truncation this records the unclean shutdown for the session cache.
    this.conn.destroy();
    this.end();
    this.closed.resolve();
  }

  /**
   * Closes on our own initiative (idle): close_notify, the ciphertext writable closed, the
   * plaintext writable errored with `err` (later writes fail with it). The readable closes when
   * the peer answers, or after {@link CLOSE_GRACE_MS}: then the ciphertext readable is let go of.
   */
  private async closeOnOurOwn(err: TlsAdapterError): Promise<void> {
    if (this.failed || this.writeDone || this.closingTimer !== undefined) return;
    this.writableController?.error(err);
    this.closingTimer = setTimeout(() => {
      if (this.failed || this.plainDone) return;
      this.cipherEof = true;
      void this.reader.cancel(err).catch(() => {});
      this.closeReadable();
    }, CLOSE_GRACE_MS);
    try {
      this.conn.close();
      await this.flush();
      await this.writer.close();
    } catch (e) {
      this.fail(asError(e));
      return;
    }
    this.writeDone = true;
    this.maybeClosed();
  }

  /** Timers stop; the connection no longer counts as open. */
  private end(): void {
    if (this.closingTimer !== undefined) clearTimeout(this.closingTimer);
    this.lifecycle.ended();
  }

  /**
   * Settles everything with `err` once: sends the queued alert (if any) and closes the ciphertext
   * writable, then lets go of the ciphertext readable.
   */
  private fail(err: Error, sendAlert = true): void {
    if (this.failed) return;
    this.failure = err;
    if (this.lifecycle.handshaking) this.lifecycle.handshakeFailed(err);
    else this.lifecycle.failed(err);
    this.end();
    this.info.reject(err);
    this.closed.reject(err);
    this.plainDone = true;
    this.plainController.error(err);
    this.writableController?.error(err);
    this.wakeReader();
    const out = sendAlert ? this.conn.takeOutput() : new Uint8Array(0);
    this.conn.destroy();
    const writer = this.writer;
    const reader = this.reader;
    void (async () => {
      try {
        if (out.length > 0) await writer.write(out);
        await writer.close();
      } catch {
        await writer.abort(err).catch(() => {});
      }
      await reader.cancel(err).catch(() => {});
    })();
  }
}

/** A thrown or abort value as an `Error` (a non-Error value becomes the `cause` of one). */
function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e), { cause: e });
}
