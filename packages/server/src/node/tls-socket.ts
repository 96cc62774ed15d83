/**
 * `PureTlsSocket`: a Node `Duplex` over one TCP socket and one sans-IO `ServerConnection`,
 * shaped like the server side of `tls.TLSSocket`. The only place where the engine meets `node:net`
 * sockets; `node-adapter.ts` creates one per accepted connection.
 *
 * Data flow (every arrow flushes `conn.takeOutputChunks()` to TCP, in one syscall):
 *   TCP 'data' → conn.receive → 'data' events → push()      (push false → tcp.pause(); _read → resume)
 *                            → 'earlyData' events → push()  (0-RTT: same stream, never pauses TCP)
 *   write()    → _write → conn.write → tcp.write            (coalesced until the end of the event-loop turn or 64 KiB;
 *                                                          callback once TCP accepted: write() true / 'drain')
 *   end()      → _final → conn.close (close_notify) → tcp.end()
 *   close_notify received → push(null); with allowHalfOpen false (the default) the stream then
 *   ends its writable side, which answers with our close_notify (like Node's TLSSocket).
 *
 * Nothing a peer does can throw out of here: every TCP socket has an `error` listener, failures
 * during the handshake become the server's `tlsClientError`, and after it an `error` event on this
 * socket only when the application listens for one (otherwise it is destroyed quietly).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { NegotiatedInfo } from '@puretls/handshake-state-machine';
import type { TlsError } from '@puretls/record-layer';
import { encodeSession } from '@puretls/session-cache';
import { sessionOfHandle } from '../core/sessions';
import { ServerConnection, cipherName } from '../core/connection';
import type { ServerContext } from '../core/context';

/** A connection of a `ServerContext` (what the Node adapter makes). */
type Conn = ServerConnection<ServerContext>;
import { MAX_CLIENT_HELLO_PEEK, peekServerName } from './node-compat';

/** How long a closing socket may take to flush its last bytes (alert, close_notify) before TCP is destroyed. */
const FLUSH_BEFORE_DESTROY_MS = 1000;

/**
 * Application writes are sealed at once but their records are handed to TCP together, at the end
 * of the current turn of the event loop (`setImmediate`), or as soon as this many plaintext bytes
 * wait: one `write` syscall per four full records instead of one per `write()` call, and the
 * last write of a response goes out with the close_notify that `end()` adds. Only while TCP has
 * nothing buffered: otherwise each write goes to TCP at once and waits for its `drain`.
 */
const COALESCE_BYTES = 64 * 1024;

/**
 * Decrypted data of at least this many bytes is pushed as a view of the received chunk (no copy):
 * the chunk is ours and each record's plaintext is never written again. Smaller data is copied so
 * that a few bytes kept by the application do not retain a whole chunk.
 */
const ZERO_COPY_MIN_BYTES = 4096;

/** Output of several record-layer writes up to this size is joined (copied) into one buffer; above, written vectored. */
const JOIN_MAX_BYTES = 16 * 1024;

/** What `getEphemeralKeyInfo()` returns (Node's shape). */
export interface EphemeralKeyInfo {
  readonly type: 'ECDH';
  readonly name: string;
  readonly size: number;
}

/** Node's names and sizes (OpenSSL's `EVP_PKEY_bits`) for our groups. */
const GROUP_KEY_INFO: Readonly<Record<string, EphemeralKeyInfo>> = {
  x25519: { type: 'ECDH', name: 'X25519', size: 253 },
  secp256r1: { type: 'ECDH', name: 'prime256v1', size: 256 },
  secp384r1: { type: 'ECDH', name: 'secp384r1', size: 384 },
  // Hybrid: reported by its IANA name, sized by its ECDH half.
  X25519MLKEM768: { type: 'ECDH', name: 'X25519MLKEM768', size: 253 },
};

/** Hooks from the server that owns the socket. */
export interface PureTlsSocketHooks {
  /** The handshake completed (called outside `conn.receive`). */
  secure(socket: PureTlsSocket): void;
  /** The handshake failed (TLS error, TCP error or EOF, timeout): called once, then the socket is destroyed. */
  clientError(err: Error, socket: PureTlsSocket): void;
  /** A key log line (NSS format, with its trailing newline). */
  keylog(line: Buffer, socket: PureTlsSocket): void;
}

export interface PureTlsSocketOptions {
  /** Milliseconds for the whole handshake; 0 disables the limit. */
  readonly handshakeTimeout: number;
  /**
   * Plaintext the application has not read plus ciphertext TCP has not sent, in bytes: above it
   * the socket stops reading from TCP until both drain. 0 = only the streams' own backpressure.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Certificate choice by SNI before the handshake starts: called with the ClientHello's host name
   * (only when there is one); `answer` takes the connection to use instead (or `undefined` for the
   * current one, an `Error` to fail the handshake). At most the first call of `answer` counts.
   */
  readonly sni?: (serverName: string, answer: (result: Conn | Error | undefined) => void) => void;
  /** Keep the write side open after the peer's close_notify (default false, like `tls.Server`). */
  readonly allowHalfOpen?: boolean;
}

/** An error of the adapter itself (timeout, TCP EOF during the handshake), with Node-style `code`. */
export class TlsSocketError extends Error {
  constructor(
    message: string,
    readonly code: 'ERR_TLS_HANDSHAKE_TIMEOUT' | 'ECONNRESET' | 'ERR_TLS_TOO_MANY_HANDSHAKES' | 'ERR_TLS_CLIENT_HELLO_TOO_LARGE',
  ) {
    super(message);
    this.name = 'TlsSocketError';
  }
}

/** The server side of one TLS connection, a `Duplex` of plaintext. */
export class PureTlsSocket extends Duplex {
  /** Always `true` (Node's `TLSSocket.encrypted`). */
  readonly encrypted = true;
  /** Always `false`: puretls does not request client certificates. */
  readonly authorized = false;
  /** The TCP socket underneath. */
  readonly tcp: Socket;
  private conn: Conn;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;

  private readonly hooks: PureTlsSocketHooks;
  private readonly maxBufferedBytes: number;
  private readonly sni: PureTlsSocketOptions['sni'];
  /** Bytes held back while the ClientHello is peeked for SNI (`undefined` once the connection is fixed). */
  private peeked: { chunks: Buffer[]; bytes: number; waiting: boolean } | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private secured = false;
  private failed = false;
  /** The connection failed in the same read that completed its handshake (see `onTlsError`). */
  private errorAfterHandshake: TlsError | undefined;
  /** We paused the TCP socket because `push()` returned false; `_read` resumes it. */
  private tcpPausedByUs = false;
  /** The reader asked for more since `push()` last returned false. */
  private readWanted = true;
  private tlsReadableEnded = false;
  private earlyBytes = 0;
  /** A `_write` waiting for TCP `drain` (at most one: `Writable` calls `_write` one at a time). */
  private pendingWriteCallback: ((err?: Error | null) => void) | undefined;
  /** Writes that arrived before the handshake completed: replayed from `secure`. */
  private earlyWrites: { chunk: Buffer; callback: (err?: Error | null) => void }[] = [];
  /** Plaintext bytes written whose records wait in the connection for the coalesced flush. */
  private deferredBytes = 0;
  /** A coalesced flush is scheduled (`setImmediate`). */
  private flushScheduled = false;
  private readonly deferredFlush = (): void => {
    this.flushScheduled = false;
    if (this.deferredBytes > 0) this.flush();
  };

  constructor(tcp: Socket, connection: Conn, hooks: PureTlsSocketHooks, options: PureTlsSocketOptions) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    this.tcp = tcp;
    this.conn = connection;
    this.hooks = hooks;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 0;
    this.sni = options.sni;
    if (this.sni) this.peeked = { chunks: [], bytes: 0, waiting: false };
    // Captured now: Node clears them once the socket is destroyed.
    this.remoteAddress = tcp.remoteAddress;
    this.remotePort = tcp.remotePort;
    this.remoteFamily = tcp.remoteFamily;
    this.localAddress = tcp.localAddress;
    this.localPort = tcp.localPort;

    this.attach(connection);

    tcp.on('data', (chunk: Buffer) => this.onTcpData(chunk));
    tcp.on('end', () => this.onTcpEnd());
    tcp.on('error', (e) => this.onTcpError(e));
    tcp.on('close', () => this.onTcpClose());
    tcp.on('drain', () => this.onTcpDrain());
    tcp.on('timeout', () => this.emit('timeout'));

    if (options.handshakeTimeout > 0) {
      this.handshakeTimer = setTimeout(() => {
        this.handshakeTimer = undefined;
        this.failHandshake(new TlsSocketError(`TLS handshake timeout (${options.handshakeTimeout} ms)`, 'ERR_TLS_HANDSHAKE_TIMEOUT'));
      }, options.handshakeTimeout);
    }
  }

  /** The sans-IO connection (for `keyUpdate()`, `info`, …). Fixed once the ClientHello was read. */
  get connection(): Conn {
    return this.conn;
  }

  private attach(connection: Conn): void {
    this.conn = connection;
    connection.on('data', (d) => this.onTlsData(d));
    connection.on('earlyData', (d) => this.onEarlyData(d));
    connection.on('end', () => this.endReadable());
    connection.on('error', (e) => this.onTlsError(e));
    connection.on('keylog', (line) => this.hooks.keylog(Buffer.from(line + '\n', 'latin1'), this));
    // Output produced outside receive/write/close (after an asynchronous session lookup).
    connection.on('output', () => this.flush());
  }

  /**
   * Refuses the connection before reading anything (a server limit): reports `err` through the
   * server's `tlsClientError` and closes TCP at once.
   */
  refuse(err: Error): void {
    this.failHandshake(err);
    this.tcp.destroy();
  }

  // ---- Node TLSSocket-like accessors ---------------------------------------------------------

  /** What the handshake negotiated (`undefined` before it completed). */
  get info(): NegotiatedInfo | undefined {
    return this.connection.info;
  }
  /** The negotiated ALPN protocol, or `false`. */
  get alpnProtocol(): string | false {
    return this.connection.info?.alpnProtocol ?? false;
  }
  /** The client's SNI host name, or `false`. */
  get servername(): string | false {
    return this.connection.info?.serverName ?? false;
  }
  /** `'TLSv1.3'` / `'TLSv1.2'`, or `null` before the handshake completed. */
  getProtocol(): string | null {
    const v = this.connection.info?.version;
    return v === 0x0304 ? 'TLSv1.3' : v === 0x0303 ? 'TLSv1.2' : null;
  }
  /** `{ name, standardName, version }` of the negotiated suite, or `undefined` before the handshake. */
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const info = this.connection.info;
    return info ? cipherName(info.cipherSuite) : undefined;
  }
  /** The key exchange (`{ type: 'ECDH', name, size }`), or `{}` before the handshake or without one (psk_ke). */
  getEphemeralKeyInfo(): EphemeralKeyInfo | Record<string, never> {
    const g = this.connection.info?.group;
    return (g !== undefined && GROUP_KEY_INFO[g]) || {};
  }
  /** True when the handshake resumed a session (TLS 1.3 PSK; TLS 1.2 abbreviated handshake). */
  isSessionReused(): boolean {
    return this.connection.info?.resumed ?? false;
  }
  /**
   * The resumed session in the session cache's serialized form (`encodeSession`, which
   * `decodeSession` reads back), like Node's `getSession()` (OpenSSL `i2d_SSL_SESSION`). It holds
   * the session's secret: protect it like a private key. `undefined` when the connection did not
   * resume a session (a full handshake: its tickets are separate sessions, see the context's
   * `newSession` callback), before the handshake, and with a custom `sessions` glue whose sessions
   * are not cache `Session`s.
   */
  getSession(): Buffer | undefined {
    const info = this.connection.info;
    const session = sessionOfHandle(info?.resumedSession?.handle);
    if (session === undefined) return undefined;
    const der = encodeSession(session);
    return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  }
  /**
   * Bytes of 0-RTT data received (RFC 8446 §4.2.10). They were delivered through the readable side
   * first, ahead of ordinary data. Early data can be replayed by an attacker: only act on it if
   * the request is safe to repeat.
   */
  get earlyDataLength(): number {
    return this.earlyBytes;
  }
  /** No client certificates: always `{}` (Node's value without a peer certificate). */
  getPeerCertificate(): Record<string, never> {
    return {};
  }
  /** Sends a KeyUpdate (RFC 8446 §4.6.3). @throws Error when the connection is not open. */
  keyUpdate(requestPeerUpdate = false): void {
    this.connection.keyUpdate(requestPeerUpdate);
    this.flush();
  }
  setTimeout(ms: number, callback?: () => void): this {
    this.tcp.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.tcp.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.tcp.setKeepAlive(enable, initialDelay);
    return this;
  }

  // ---- TCP → TLS -------------------------------------------------------------------------------

  private onTcpData(chunk: Buffer): void {
    if (this.failed || this.destroyed) return;
    if (this.peeked) {
      this.peekClientHello(chunk);
      return;
    }
    this.feed(chunk);
  }

  /** Holds bytes until the ClientHello's server_name is known, then asks the `sni` hook. */
  private peekClientHello(chunk: Buffer): void {
    const p = this.peeked!;
    p.chunks.push(chunk);
    p.bytes += chunk.length;
    if (p.waiting) {
      // TCP is paused while the answer is pending; a few chunks may already be on their way.
      if (p.bytes > 2 * MAX_CLIENT_HELLO_PEEK) this.failHandshake(new TlsSocketError('too much data while SNICallback was pending', 'ERR_TLS_CLIENT_HELLO_TOO_LARGE'));
      return;
    }
    if (p.chunks.length > 1) p.chunks = [Buffer.concat(p.chunks)];
    const r = peekServerName(plainView(p.chunks[0]!));
    if (!r.complete) return;
    if (r.serverName === undefined) {
      this.endPeek(undefined);
      return;
    }
    p.waiting = true;
    this.tcp.pause();
    let answered = false;
    this.sni!(r.serverName, (result) => {
      if (answered) return;
      answered = true;
      this.endPeek(result);
    });
  }

  private endPeek(result: Conn | Error | undefined): void {
    const p = this.peeked;
    if (!p || this.failed || this.destroyed) {
      if (result instanceof ServerConnection && result !== this.conn) result.destroy();
      return;
    }
    this.peeked = undefined;
    if (result instanceof Error) {
      this.failHandshake(result);
      return;
    }
    if (result && result !== this.conn) {
      const unused = this.conn;
      this.attach(result);
      unused.destroy();
    }
    if (p.waiting) this.tcp.resume();
    const held = p.chunks.length === 1 ? p.chunks[0]! : Buffer.concat(p.chunks);
    if (held.length > 0) this.feed(held);
  }

  private feed(chunk: Buffer): void {
    const wasOpen = this.connection.phase === 'open';
    // The chunk is ours (a fresh Buffer per read): the record layer may decrypt in place in it.
    this.connection.receive(plainView(chunk));
    this.flush();
    if (!wasOpen && !this.secured && this.connection.phase !== 'handshaking' && this.connection.info && !this.failed) {
      this.secured = true;
      this.clearHandshakeTimer();
      this.hooks.secure(this);
      this.replayEarlyWrites();
      const late = this.errorAfterHandshake;
      if (late) {
        this.tcp.end();
        this.destroyQuietly(late);
      }
    }
    if (this.overLimit() && !this.tcpPausedByUs && !this.destroyed) {
      this.tcpPausedByUs = true;
      this.tcp.pause();
    }
  }

  /** Unread plaintext + unsent ciphertext above `maxBufferedBytes`. */
  private overLimit(): boolean {
    return this.maxBufferedBytes > 0 && this.readableLength + this.tcp.writableLength > this.maxBufferedBytes;
  }

  /** Resumes TCP reads we paused, once the reader wants data and the buffers are under the limit. */
  private maybeResume(): void {
    if (this.tcpPausedByUs && this.readWanted && !this.overLimit() && !this.destroyed) {
      this.tcpPausedByUs = false;
      this.tcp.resume();
    }
  }

  private onTlsData(d: Uint8Array): void {
    if (this.tlsReadableEnded || this.destroyed) return;
    if (!this.push(toBuffer(d))) {
      this.readWanted = false;
      if (!this.tcpPausedByUs) {
        this.tcpPausedByUs = true;
        this.tcp.pause();
      }
    }
  }

  /**
   * 0-RTT data arrives before the handshake completed, i.e. before `secureConnection`: it waits in
   * the readable buffer until the application reads. TCP is never paused for it — that would stall
   * the handshake (the client's Finished comes after the early data) — and it needs no bound of
   * its own: the connection rejects more than max_early_data_size bytes.
   */
  private onEarlyData(d: Uint8Array): void {
    if (this.tlsReadableEnded || this.destroyed) return;
    this.earlyBytes += d.length;
    this.push(toBuffer(d));
  }

  override _read(): void {
    this.readWanted = true;
    // Readable calls _read before it removes what is being read: judge the buffers a tick later.
    process.nextTick(() => this.maybeResume());
  }

  private endReadable(): void {
    if (this.tlsReadableEnded) return;
    this.tlsReadableEnded = true;
    if (!this.destroyed) this.push(null);
  }

  private onTcpEnd(): void {
    if (!this.secured) {
      this.failHandshake(new TlsSocketError('Client network socket disconnected before secure TLS connection was established', 'ECONNRESET'));
      return;
    }
    // EOF without close_notify (a truncation): the readable side ends all the same, like Node.
    this.endReadable();
    // Nothing more can be read: finish our side once the application ends it (or now, if it did).
    if (this.writableFinished) this.tcp.end();
  }

  private onTcpError(err: Error): void {
    if (!this.secured) {
      this.failHandshake(err);
      return;
    }
    this.destroyQuietly(err);
  }

  private onTcpClose(): void {
    this.clearHandshakeTimer();
    if (!this.secured && !this.failed) {
      this.failHandshake(new TlsSocketError('Client network socket disconnected before secure TLS connection was established', 'ECONNRESET'));
      return;
    }
    const cb = this.pendingWriteCallback;
    this.pendingWriteCallback = undefined;
    if (cb) cb(new Error('the TCP socket closed before the data was written'));
    if (!this.destroyed) this.destroy();
  }

  private onTlsError(err: TlsError): void {
    // The alert (if any) is queued in the connection: send it, then close TCP.
    this.flush();
    if (!this.secured && this.connection.info !== undefined && !this.failed) {
      // The client's Finished and bad bytes in one read: the handshake completed (the session
      // cache counted it in acceptGood), then the connection failed. `feed` reports it as such —
      // `secureConnection`, then this error — not as a handshake failure, so that
      // accept = acceptGood + handshakeFailures holds.
      this.errorAfterHandshake = err;
      return;
    }
    if (!this.secured) {
      this.failHandshake(err);
      return;
    }
    this.tcp.end();
    this.destroyQuietly(err);
  }

  /** Reports a handshake failure once, sends what is queued (the alert), closes TCP. */
  private failHandshake(err: Error): void {
    if (this.failed || this.secured) return;
    this.failed = true;
    this.clearHandshakeTimer();
    this.flush();
    try {
      this.hooks.clientError(err, this);
    } finally {
      this.destroy();
    }
  }

  /** Destroys the socket; the error is emitted only if the application listens for it. */
  private destroyQuietly(err: Error): void {
    if (this.destroyed) return;
    this.destroy(this.listenerCount('error') > 0 ? err : undefined);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }

  // ---- TLS → TCP -------------------------------------------------------------------------------

  /**
   * Sends what the connection queued in one syscall: small outputs (a flight, a response and its
   * close_notify) joined into one buffer, large ones as one vectored write (cork: no copy). Returns
   * true when nothing was queued or TCP already handed everything to the kernel (a write above
   * TCP's highWaterMark answers false even then), else false: wait for TCP's `drain`.
   */
  private flush(): boolean {
    this.deferredBytes = 0;
    const chunks = this.connection.takeOutputChunks();
    if (chunks.length === 0 || this.tcp.destroyed || !this.tcp.writable) return true;
    let ok: boolean;
    if (chunks.length === 1) {
      ok = this.tcp.write(asBuffer(chunks[0]!));
    } else {
      let total = 0;
      for (const c of chunks) total += c.length;
      if (total <= JOIN_MAX_BYTES) {
        ok = this.tcp.write(joinChunks(chunks, total));
      } else {
        this.tcp.cork();
        ok = true;
        for (const c of chunks) ok = this.tcp.write(asBuffer(c));
        this.tcp.uncork();
      }
    }
    return ok || this.tcp.writableLength === 0;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (!this.secured) {
      this.earlyWrites.push({ chunk, callback });
      return;
    }
    this.writeNow(chunk, callback);
  }

  private writeNow(chunk: Buffer, callback: (err?: Error | null) => void): void {
    try {
      this.connection.write(plainView(chunk));
    } catch (e) {
      callback(this.connection.error ?? (e as Error));
      return;
    }
    if (this.connection.error) {
      callback(this.connection.error);
      return;
    }
    this.deferredBytes += chunk.length;
    if (this.deferredBytes < COALESCE_BYTES && this.tcp.writableLength === 0) {
      // Accepted: sent with whatever else is written in this turn (see COALESCE_BYTES).
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.deferredFlush);
      }
      callback();
      return;
    }
    if (this.flush()) callback();
    else this.pendingWriteCallback = callback;
  }

  private onTcpDrain(): void {
    const cb = this.pendingWriteCallback;
    this.pendingWriteCallback = undefined;
    if (cb) cb();
    this.maybeResume();
  }

  private replayEarlyWrites(): void {
    const writes = this.earlyWrites;
    this.earlyWrites = [];
    // Writable calls _write one at a time, so there is at most one.
    for (const w of writes) this.writeNow(w.chunk, w.callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    // RFC 8446 §6.1: "Each party MUST send a "close_notify" alert before closing its write side".
    this.connection.close();
    this.flush();
    this.tcp.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.clearHandshakeTimer();
    // Records of accepted writes still waiting for the coalesced flush go out before TCP closes.
    if (this.deferredBytes > 0) this.flush();
    // Without a close_notify from us this is an unclean shutdown for the session cache (spec §5).
    this.connection.destroy();
    for (const w of this.earlyWrites) w.callback(err ?? new Error('socket destroyed'));
    this.earlyWrites = [];
    closeTcp(this.tcp);
    callback(err);
  }
}

/**
 * Closes TCP gracefully: sends FIN after what is queued (close_notify, alert), keeps reading (and
 * discarding) until the peer's FIN so that unread bytes do not turn the close into a reset, then
 * lets TCP close. Bounded: destroyed after {@link FLUSH_BEFORE_DESTROY_MS} whatever happens.
 */
function closeTcp(tcp: Socket): void {
  if (tcp.destroyed) return;
  if (tcp.readableEnded && tcp.writableFinished) {
    tcp.destroy();
    return;
  }
  if (!tcp.writableEnded) tcp.end();
  tcp.resume();
  setTimeout(() => tcp.destroy(), FLUSH_BEFORE_DESTROY_MS).unref();
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

/**
 * Decrypted data as a `Buffer` the application may keep: a view when large (see
 * {@link ZERO_COPY_MIN_BYTES}), else a copy.
 */
function toBuffer(d: Uint8Array): Buffer {
  return d.byteLength >= ZERO_COPY_MIN_BYTES ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
}

/**
 * The same bytes as a plain `Uint8Array` view (no copy). The core takes `Uint8Array` only: a
 * `Buffer` would leak Buffer semantics into it (`Buffer#slice` is a view, not a copy).
 */
function plainView(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
