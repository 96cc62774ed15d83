/**
 * Ciphertext to TCP for one `PureTlsSocket`: what the connection queued goes out in one syscall
 * (small outputs joined, large ones vectored), and application writes are coalesced until the end
 * of the event-loop turn. Knows nothing of TLS beyond `takeOutputChunks()`.
 */
import type { Socket } from 'node:net';

/**
 * Application writes are sealed at once but their records are handed to TCP together, at the end
 * of the current turn of the event loop (`setImmediate`), or as soon as this many plaintext bytes
 * wait: one `write` syscall per four full records instead of one per `write()` call, and the
 * last write of a response goes out with the close_notify that `end()` adds. Only while TCP has
 * nothing buffered: otherwise each write goes to TCP at once and waits for its `drain`.
 */
export const COALESCE_BYTES = 64 * 1024;

/** Output of several record-layer writes up to this size is joined (copied) into one buffer; above, written vectored. */
const JOIN_MAX_BYTES = 16 * 1024;

/** What a {@link TcpOutput} asks of its owner (one object for every socket: no closures per connection). */
export interface TcpOutputHooks<O> {
  /** The connection's queued output, one buffer per record-layer write (ours to keep). */
  take(owner: O): Uint8Array[];
  /** Called after a coalesced flush, and when TCP drained (output made progress). */
  progress(owner: O): void;
}

export class TcpOutput<O> {
  /** Plaintext bytes written whose records wait in the connection for the coalesced flush. */
  private deferredBytes = 0;
  /** A coalesced flush is scheduled (`setImmediate`). */
  private flushScheduled = false;
  /** A write waiting for TCP `drain` (at most one: `Writable` calls `_write` one at a time). */
  private pendingCallback: ((err?: Error | null) => void) | undefined;

  constructor(
    private readonly tcp: Socket,
    private readonly owner: O,
    private readonly hooks: TcpOutputHooks<O>,
  ) {}

  /** True while records of accepted writes wait for the coalesced flush, or a write waits for `drain`. */
  get busy(): boolean {
    return this.deferredBytes > 0 || this.pendingCallback !== undefined || this.tcp.writableLength > 0;
  }

  /**
   * Sends what the connection queued in one syscall: small outputs (a flight, a response and its
   * close_notify) joined into one buffer, large ones as one vectored write (cork: no copy). Returns
   * true when nothing was queued or TCP already handed everything to the kernel (a write above
   * TCP's highWaterMark answers false even then), else false: wait for TCP's `drain`.
   */
  flush(): boolean {
    this.deferredBytes = 0;
    const chunks = this.hooks.take(this.owner);
    const tcp = this.tcp;
    if (chunks.length === 0 || tcp.destroyed || !tcp.writable) return true;
    let ok: boolean;
    if (chunks.length === 1) {
      ok = tcp.write(asBuffer(chunks[0]!));
    } else {
      let total = 0;
      for (const c of chunks) total += c.length;
      if (total <= JOIN_MAX_BYTES) {
        ok = tcp.write(joinChunks(chunks, total));
      } else {
        tcp.cork();
        ok = true;
        for (const c of chunks) ok = tcp.write(asBuffer(c));
        tcp.uncork();
      }
    }
    return ok || tcp.writableLength === 0;
  }

  /** Sends now only what is deferred (before TCP closes). */
  flushDeferred(): void {
    if (this.deferredBytes > 0) this.flush();
  }

  /**
   * `bytes` of plaintext were just written to the connection: `callback` runs once TCP accepted
   * their records — at once when they join the coalesced flush, after `drain` otherwise.
   */
  written(bytes: number, callback: (err?: Error | null) => void): void {
    this.deferredBytes += bytes;
    if (this.deferredBytes < COALESCE_BYTES && this.tcp.writableLength === 0) {
      // Accepted: sent with whatever else is written in this turn (see COALESCE_BYTES).
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(deferredFlush, this);
      }
      callback();
      return;
    }
    if (this.flush()) callback();
    else this.pendingCallback = callback;
  }

  /** TCP drained: the waiting write completes. */
  drained(): void {
    const cb = this.pendingCallback;
    this.pendingCallback = undefined;
    cb?.();
    this.hooks.progress(this.owner);
  }

  /** TCP closed: a waiting write fails. */
  closed(): void {
    const cb = this.pendingCallback;
    this.pendingCallback = undefined;
    cb?.(new Error('the TCP socket closed before the data was written'));
  }

  /** The end of the turn after a write (called by {@link deferredFlush}). */
  turnEnded(): void {
    this.flushScheduled = false;
    if (this.deferredBytes > 0) this.flush();
    this.hooks.progress(this.owner);
  }
}

function deferredFlush(out: TcpOutput<unknown>): void {
  out.turnEnded();
}

/** A record-layer output buffer (ours: `takeOutputChunks` hands it over) as a `Buffer`, without copying. */
function asBuffer(c: Uint8Array): Buffer {
  return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/** `chunks` (of `total` bytes) copied into one `Buffer`. */
function joinChunks(chunks: readonly Uint8Array[], total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
