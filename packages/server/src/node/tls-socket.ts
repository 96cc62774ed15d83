/**
 * `PureTlsSocket`: a Node `Duplex` over one TCP socket and one sans-IO `ServerConnection`,
 * shaped like the server side of `tls.TLSSocket`. The only place where the engine meets `node:net`
 * sockets; `node-adapter.ts` creates one per accepted connection. The pieces around it live in
 * their own files: the accessors (`socket-info.ts`), TCP output and write coalescing
 * (`tcp-output.ts`), the ClientHello gate (`hello-gate.ts`), the graceful TCP close (`tcp-close.ts`), and the
 * timers, counters and close reasons every adapter shares (`../lifecycle/`).
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
import type { Socket } from 'node:net';
import type { TlsError } from '@puretls/record-layer';
import {
  parseCertificate,
  toNodeCertificate,
  toNodeX509Certificate,
  type NodeCertificateObject,
  type NodeX509Certificate,
} from '@puretls/crypto';
import type { ClientHelloLimits } from '@puretls/handshake-state-machine';
import { ServerConnection } from '../core/connection';
import { ConnectionStateError } from '../core/connection-state-error';
import { TlsAdapterError, peerDisconnected } from '../lifecycle/adapter-error';
import type { ConnectionStats, ServerClose } from '../lifecycle/close-stats';
import { IdleTimer } from '../lifecycle/idle-timer';
import { CLOSE_GRACE_MS, ConnectionLifecycle, type LifecycleHooks } from '../lifecycle/lifecycle';
import { HELLO_CALLBACK_FAILED, HelloGate, type HelloChooser } from './hello-gate';
import { toNodeError } from './node-errors';
import { TlsSocketInfo, type Conn } from './socket-info';
import { closeTcp } from './tcp-close';
import { TcpOutput, type TcpOutputHooks } from './tcp-output';

export type { EphemeralKeyInfo } from './socket-info';

/**
 * Decrypted data of at least this many bytes is pushed as a view of the received chunk (no copy):
 * the chunk is ours and each record's plaintext is never written again. Smaller data is copied so
 * that a few bytes kept by the application do not retain a whole chunk.
 */
const ZERO_COPY_MIN_BYTES = 4096;

/** Hooks from the server that owns the socket. */
export interface PureTlsSocketHooks {
  /** The handshake completed (called outside `conn.receive`). */
  secure(socket: PureTlsSocket): void;
  /** The handshake failed (TLS error, TCP error or EOF, timeout): called once, then the socket is destroyed. */
  clientError(err: Error, socket: PureTlsSocket): void;
  /** A key log line (NSS format, with its trailing newline). */
  keylog(line: Buffer, socket: PureTlsSocket): void;
  /** The server closed the connection for a reason of its own (once per connection). */
  serverClose?(close: ServerClose, socket: PureTlsSocket): void;
  /** The socket emitted 'close' (its own first listener: before the application's). */
  closed?(socket: PureTlsSocket): void;
}

export interface PureTlsSocketOptions {
  /** Milliseconds for the whole handshake; 0 disables the limit. */
  readonly handshakeTimeout: number;
  /** Milliseconds without activity after the handshake before the socket is closed with close_notify; 0 = never. */
  readonly idleTimeout?: number;
  /**
   * Plaintext the application has not read plus ciphertext TCP has not sent, in bytes: above it
   * the socket stops reading from TCP until both drain. 0 = only the streams' own backpressure.
   */
  readonly maxBufferedBytes?: number;
  /**
   * The connection chosen from the ClientHello (SNI contexts, `ALPNCallback`; see
   * {@link HelloChooser}): the socket is then made without one, and `limits` bound the peek.
   */
  readonly hello?: { readonly limits: ClientHelloLimits; readonly choose: HelloChooser };
  /** Node's `highWaterMark` for the plaintext stream (default: the stream's). */
  readonly highWaterMark?: number;
  /** Keep the write side open after the peer's close_notify (default false, like `tls.Server`). */
  readonly allowHalfOpen?: boolean;
  /** Counters of the owning server. */
  readonly stats?: ConnectionStats;
  /** What `socket.server` is (Node: the `tls.Server` that accepted it). */
  readonly server?: object;
}

/** The application-level direction that moved last (the drain's notion of idle). */
type LastData = 'none' | 'read' | 'write';

/** The server side of one TLS connection, a `Duplex` of plaintext. */
export class PureTlsSocket extends TlsSocketInfo {
  /** The TCP socket underneath. */
  readonly tcp: Socket;
  /**
   * The server that accepted the connection (Node's `socket.server`); `node:http` and `node:http2`
   * read and replace it when the socket is handed to them.
   */
  server: object | undefined;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly localFamily: string | undefined;

  /** `undefined` while the ClientHello is read for the hello gate. */
  private conn: Conn | undefined;
  private readonly hooks: PureTlsSocketHooks;
  private readonly maxBufferedBytes: number;
  private readonly out: TcpOutput<PureTlsSocket>;
  private readonly lifecycle: ConnectionLifecycle<PureTlsSocket>;
  /** `setTimeout()`: Node's 'timeout' event, nothing closed (made on the first call). */
  private userTimer: IdleTimer | undefined;
  /** Bytes held back while the ClientHello is peeked (`undefined` once the connection is fixed). */
  private gate: HelloGate | undefined;
  /** The first bytes received (to tell a plaintext HTTP request from other garbage, as OpenSSL does). */
  private firstBytes: Uint8Array | undefined;
  /** Plaintext bytes handed to `_write` (Node's `bytesWritten` adds what is still buffered). */
  private plaintextWritten = 0;
  /** Plaintext bytes received (Node's `bytesRead`). */
  private plaintextRead = 0;
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
  /** Writes that arrived before the handshake completed: replayed from `secure`. */
  private earlyWrites: { chunk: Buffer; callback: (err?: Error | null) => void }[] = [];
  private lastData: LastData = 'none';
  /** A draining server asked us to close once idle; `true` also when we were secured before it asked. */
  private draining: { securedBefore: boolean } | undefined;
  /** We started a graceful close of our own (idle, shutdown): the bound that destroys TCP. */
  private closingTimer: NodeJS.Timeout | undefined;

  /** @throws TypeError without a connection and without `options.hello`. */
  constructor(tcp: Socket, connection: Conn | undefined, hooks: PureTlsSocketHooks, options: PureTlsSocketOptions) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}) });
    if (connection === undefined && options.hello === undefined) throw new TypeError('PureTlsSocket: a connection, or options.hello to choose one');
    this.tcp = tcp;
    this.conn = connection;
    this.hooks = hooks;
    this.server = options.server;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 0;
    // Captured now: Node clears them once the socket is destroyed.
    this.remoteAddress = tcp.remoteAddress;
    this.remotePort = tcp.remotePort;
    this.remoteFamily = tcp.remoteFamily;
    this.localAddress = tcp.localAddress;
    this.localPort = tcp.localPort;
    this.localFamily = (tcp as Partial<Socket>).localFamily;
    this.out = new TcpOutput(tcp, this, PureTlsSocket.outputHooks);
    this.lifecycle = new ConnectionLifecycle(this, options, PureTlsSocket.lifecycleHooks);
    if (options.hello) {
      this.gate = new HelloGate(options.hello.limits, tcp, options.hello.choose, (result, held) => this.endPeek(result, held), (err) => this.failHandshake(err));
    }
    if (connection) this.attach(connection);

    // Shared listeners (no closures per connection: idle memory); each finds its socket on the TCP socket.
    (tcp as OwnedTcp)[OWNER] = this;
    tcp.on('data', PureTlsSocket.onData);
    tcp.on('end', PureTlsSocket.onEnd);
    tcp.on('error', PureTlsSocket.onError);
    tcp.on('close', PureTlsSocket.onClose);
    tcp.on('drain', PureTlsSocket.onDrain);
    if (hooks.closed) this.on('close', PureTlsSocket.onOwnClose);
  }

  private static onOwnClose(this: PureTlsSocket): void {
    this.hooks.closed!(this);
  }

  // The TCP socket's listeners, one set for every socket (static, so they may touch private members).
  private static onData(this: OwnedTcp, chunk: Buffer): void {
    this[OWNER].onTcpData(chunk);
  }
  private static onEnd(this: OwnedTcp): void {
    this[OWNER].onTcpEnd();
  }
  private static onError(this: OwnedTcp, err: Error): void {
    this[OWNER].onTcpError(err);
  }
  private static onClose(this: OwnedTcp): void {
    this[OWNER].onTcpClose();
  }
  private static onDrain(this: OwnedTcp): void {
    this[OWNER].out.drained();
  }

  /**
   * The sans-IO connection (for `keyUpdate()`, `info`, …). `undefined` while the ClientHello is
   * read to choose it (SNI contexts, `ALPNCallback`); fixed from then on.
   */
  get connection(): Conn | undefined {
    return this.conn;
  }

  /** Received bytes held by the connection or, before it exists, by the ClientHello peek. */
  get bufferedHandshakeBytes(): number {
    return this.conn?.bufferedBytes ?? this.gate?.heldBytes ?? 0;
  }

  // One hooks object for every socket (static, so it may touch private members): no closures per connection.
  private static readonly lifecycleHooks: LifecycleHooks<PureTlsSocket> = {
    onHandshakeTimeout: (s, err) => s.failHandshake(err),
    onIdle: (s) => s.closeGracefully(),
    onServerClose: (s, close) => s.hooks.serverClose?.(close, s),
  };
  private static readonly outputHooks: TcpOutputHooks<PureTlsSocket> = {
    take: (s) => s.conn?.takeOutputChunks() ?? [],
    progress: (s) => s.onOutputProgress(),
  };

  private attach(connection: Conn): void {
    this.conn = connection;
    // Shared listeners, as on the TCP socket: the connection calls them with `this` = itself.
    (connection as OwnedConn)[OWNER] = this;
    connection.on('data', PureTlsSocket.onConnData);
    connection.on('earlyData', PureTlsSocket.onConnEarlyData);
    connection.on('end', PureTlsSocket.onConnEnd);
    connection.on('error', PureTlsSocket.onConnError);
    connection.on('keylog', PureTlsSocket.onConnKeylog);
    // Output produced outside receive/write/close (after an asynchronous session lookup).
    connection.on('output', PureTlsSocket.onConnOutput);
  }

  // The connection's listeners, one set for every socket.
  private static onConnData(this: OwnedConn, d: Uint8Array): void {
    this[OWNER].onTlsData(d);
  }
  private static onConnEarlyData(this: OwnedConn, d: Uint8Array): void {
    this[OWNER].onEarlyData(d);
  }
  private static onConnEnd(this: OwnedConn): void {
    this[OWNER].endReadable();
  }
  private static onConnError(this: OwnedConn, e: TlsError): void {
    this[OWNER].onTlsError(e);
  }
  private static onConnKeylog(this: OwnedConn, line: string): void {
    const s = this[OWNER];
    const b = Buffer.from(line + '\n', 'latin1');
    // Node's TLSSocket emits 'keylog' itself too (the server's event comes from it).
    s.emit('keylog', b);
    s.hooks.keylog(b, s);
  }
  private static onConnOutput(this: OwnedConn): void {
    this[OWNER].out.flush();
  }

  /**
   * Refuses the connection before reading anything (a server limit): reports `err` through the
   * server's `tlsClientError` and closes TCP at once.
   */
  refuse(err: Error): void {
    this.failHandshake(err);
    this.tcp.destroy();
  }

  // ---- the rest of Node's TLSSocket surface ---------------------------------------------------

  /**
   * Bytes of 0-RTT data received (RFC 8446 §4.2.10). They were delivered through the readable side
   * first, ahead of ordinary data. Early data can be replayed by an attacker: only act on it if
   * the request is safe to repeat.
   */
  get earlyDataLength(): number {
    return this.earlyBytes;
  }
  /** Sends a KeyUpdate (RFC 8446 §4.6.3). @throws Error when the connection is not open. */
  keyUpdate(requestPeerUpdate = false): void {
    if (!this.conn) throw new ConnectionStateError('ERR_TLS_INVALID_STATE', 'keyUpdate(): the connection is not an open TLS 1.3 connection');
    this.conn.keyUpdate(requestPeerUpdate);
    this.out.flush();
  }
  /**
   * Node's `setMaxSendFragment(size)`: records we send from now on carry at most `size` bytes of
   * plaintext. `false` (nothing changed) outside [512, 16384] or before the connection exists.
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) unless `size` is a 32-bit integer, as Node.
   */
  setMaxSendFragment(size: number): boolean {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < -(2 ** 31) || size >= 2 ** 31) {
      throw Object.assign(new TypeError(`The "size" argument must be of type number (an int32). Received ${String(size)}`), { code: typeof size === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE' });
    }
    if (!this.conn) return false;
    try {
      this.conn.setMaxSendFragment(size);
      return true;
    } catch {
      return false;
    }
  }
  /** Node's `destroySoon()`: end, then destroy once everything was written (net.Socket's). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }
  /**
   * Node's `bytesWritten`: plaintext bytes the application wrote, buffered ones included (what
   * `net.Socket` counts on a TLS socket).
   */
  get bytesWritten(): number {
    return this.plaintextWritten + this.writableLength;
  }
  /**
   * Node's `getCertificate()`: our certificate (the one the handshake sent, or the context's
   * first after a resumption) in Node's object shape; `{}` when there is none, `null` before the
   * connection exists.
   */
  getCertificate(): NodeCertificateObject | Record<string, never> | null {
    const der = this.ownCertificateDer();
    if (der === null) return null;
    if (der === undefined) return {};
    // Node's byte fields are Buffers.
    const c = toNodeCertificate(parseCertificate(der));
    return { ...c, raw: asNodeBuffer(c.raw), ...(c.pubkey ? { pubkey: asNodeBuffer(c.pubkey) } : {}) };
  }
  /** Node's `getX509Certificate()`: our certificate as a `crypto.X509Certificate`, or `undefined`. */
  getX509Certificate(): NodeX509Certificate | undefined {
    const der = this.ownCertificateDer();
    return der ? toNodeX509Certificate(der) : undefined;
  }
  /** The leaf we serve on this connection; `undefined` without one, `null` before there is a connection. */
  private ownCertificateDer(): Uint8Array | undefined | null {
    const conn = this.conn;
    if (!conn) return null;
    const certs = conn.context.handshake.certificates;
    const index = conn.info?.certificateIndex ?? 0;
    return certs[index]?.chain[0];
  }
  /**
   * Node's `socket.setTimeout()`: after `ms` without data read or written, `'timeout'` is emitted
   * (again after each further idle period); nothing is closed — the listener decides. 0 turns it off.
   * @throws RangeError for a negative or non-finite `ms`.
   */
  setTimeout(ms: number, callback?: () => void): this {
    (this.userTimer ??= new IdleTimer(() => this.emit('timeout'))).set(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }
  /** The `setTimeout()` value in ms (0 = none), like Node's `socket.timeout`. */
  get timeout(): number {
    return this.userTimer?.timeout ?? 0;
  }
  setNoDelay(noDelay?: boolean): this {
    // A Duplex handed to the server (`server.emit('connection', stream)`) may not have it.
    (this.tcp as Partial<Socket>).setNoDelay?.(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.tcp as Partial<Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }
  /** Node's `address()`: the TCP socket's local address (`{}` once it is closed, as Node's). */
  address(): ReturnType<Socket['address']> {
    return (this.tcp as Partial<Socket>).address?.() ?? {};
  }
  /** Node's `ref()`: the TCP socket keeps the event loop alive (the default). */
  ref(): this {
    (this.tcp as Partial<Socket>).ref?.();
    return this;
  }
  /** Node's `unref()`: the TCP socket alone does not keep the event loop alive. */
  unref(): this {
    (this.tcp as Partial<Socket>).unref?.();
    return this;
  }
  /** Node's `connecting`: always `false`, the server accepted the TCP connection. */
  get connecting(): boolean {
    return false;
  }
  /** Node's `pending`: `true` once the TCP socket is gone (Node: no handle), else `false`. */
  get pending(): boolean {
    return this.destroyed || this.tcp.destroyed;
  }
  /** Node's `readyState` from the two sides of the stream: `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`. */
  get readyState(): 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
  /** Node's `bufferSize` (deprecated there): plaintext written and not yet handed to the connection; `undefined` once destroyed. */
  get bufferSize(): number | undefined {
    return this.destroyed ? undefined : this.writableLength;
  }
  /**
   * Node's `resetAndDestroy()` on a TLS socket: Node 20 throws `ERR_INVALID_HANDLE_TYPE` (its
   * handle is the TLS wrap, not TCP), and so do we; `socket.tcp.resetAndDestroy()` resets the
   * TCP connection underneath.
   */
  resetAndDestroy(): never {
    throw Object.assign(new TypeError('This handle type cannot be sent'), { code: 'ERR_INVALID_HANDLE_TYPE' });
  }
  /** Node's `bytesRead` on a TLS socket: plaintext bytes received (0-RTT data included). */
  get bytesRead(): number {
    return this.plaintextRead;
  }
  /** Node's `getTLSTicket()`: `undefined` on a server socket (the ticket is the client's to keep). */
  getTLSTicket(): undefined {
    return undefined;
  }
  /** Node's `disableRenegotiation()`: a no-op, puretls never renegotiates (RFC 5746 renegotiation is refused). */
  disableRenegotiation(): void {}
  /**
   * Node's `renegotiate(options, callback)`: not possible here — TLS 1.3 has no renegotiation
   * (RFC 8446) and puretls does not renegotiate TLS 1.2 — so `false`, and `callback` gets the error
   * (as Node's on a TLS 1.3 socket).
   */
  renegotiate(options: object, callback?: (err: Error | null) => void): boolean {
    if (options === null || typeof options !== 'object') throw Object.assign(new TypeError('The "options" argument must be of type object.'), { code: 'ERR_INVALID_ARG_TYPE' });
    if (callback !== undefined && typeof callback !== 'function') throw Object.assign(new TypeError('The "callback" argument must be of type function.'), { code: 'ERR_INVALID_ARG_TYPE' });
    const err = Object.assign(new Error('renegotiation is not supported: puretls never renegotiates'), { code: 'ERR_SSL_WRONG_SSL_VERSION' });
    if (callback) process.nextTick(callback, err);
    return false;
  }
  /** Node's `enableTrace()`: refused — OpenSSL protocol traces do not exist here (use the `keylog` event). */
  enableTrace(): never {
    throw Object.assign(new TypeError('enableTrace(): OpenSSL protocol traces (SSL_trace) do not exist in puretls; use the keylog event or closedByServer'), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  /** Node's `setKeyCert(context)`: refused — a connection's certificate is chosen by its context (SNICallback, addContext). */
  setKeyCert(_context: unknown): never {
    throw Object.assign(new TypeError('setKeyCert(): not supported; choose the certificate with SNICallback or server.addContext()'), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  /** Node's `getSharedSigalgs()`: refused — puretls does not keep the client's signature_algorithms. */
  getSharedSigalgs(): never {
    throw Object.assign(new TypeError('getSharedSigalgs(): not supported (the signature scheme used is info.signatureScheme)'), { code: 'ERR_INVALID_ARG_VALUE' });
  }

  // ---- closes the server decides ----------------------------------------------------------------

  /**
   * A draining server's request: close with close_notify as soon as the connection is idle — the
   * handshake completed, nothing buffered in either direction, and the application wrote last
   * (it answered what it read), or no data moved yet on a connection secured before the drain.
   * Checked now and after each write reaches TCP.
   */
  closeWhenIdle(): void {
    if (this.draining || this.destroyed) return;
    this.draining = { securedBefore: this.secured };
    this.closeIfDrainedIdle();
  }

  /** The drain deadline passed: close now (close_notify after the handshake; user_canceled during it). */
  closeForShutdown(): void {
    if (this.destroyed) return;
    const err = new TlsAdapterError('ShutdownTimeout', 'the server shut down before the connection was done');
    if (!this.secured) {
      // RFC 8446 §6.1: a handshake abandoned by us gets user_canceled, then close_notify.
      this.conn?.close();
      this.failHandshake(err);
      return;
    }
    this.lifecycle.failed(err);
    this.closeGracefully();
  }

  /** True when a draining server may close the connection now (see {@link closeWhenIdle}). */
  private isDrainedIdle(): boolean {
    const d = this.draining;
    if (!d || !this.secured || this.destroyed || this.writableEnded) return false;
    if (this.readableLength > 0 || this.writableLength > 0 || this.earlyWrites.length > 0 || this.out.busy) return false;
    return this.lastData === 'write' || (this.lastData === 'none' && d.securedBefore);
  }

  private closeIfDrainedIdle(): void {
    if (!this.isDrainedIdle()) return;
    this.lifecycle.failed(new TlsAdapterError('Shutdown', 'the server is shutting down'));
    this.closeGracefully();
  }

  /** Output made progress (a coalesced flush, a TCP drain): TCP reads may resume, a drain may close. */
  private onOutputProgress(): void {
    this.lifecycle.touch();
    this.userTimer?.touch();
    this.maybeResume();
    if (this.draining) setImmediate(() => this.closeIfDrainedIdle());
  }

  /**
   * Closes on our own initiative: close_notify and FIN (the stream's `end()`), then TCP is
   * destroyed once the peer answered, or after {@link CLOSE_GRACE_MS} whatever happens.
   */
  private closeGracefully(): void {
    if (this.destroyed || this.closingTimer !== undefined) return;
    this.closingTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    this.closingTimer.unref();
    if (!this.writableEnded) this.end();
  }

  // ---- TCP → TLS -------------------------------------------------------------------------------

  private onTcpData(chunk: Buffer): void {
    if (this.failed || this.destroyed) return;
    // Copied: the record layer decrypts in place in the chunk.
    if (!this.secured && (this.firstBytes === undefined || this.firstBytes.length < 4)) this.firstBytes = concatStart(this.firstBytes, chunk);
    if (this.gate) this.gate.push(chunk);
    else this.feed(chunk);
  }

  private endPeek(result: Conn | Error, held: Buffer): void {
    if (this.failed || this.destroyed) {
      if (result instanceof ServerConnection) result.destroy();
      return;
    }
    this.gate = undefined;
    if (result instanceof Error) {
      // Node hands the callback's error itself to tlsClientError; counted as the server's close.
      this.failHandshake(result, HELLO_CALLBACK_FAILED);
      return;
    }
    this.attach(result);
    if (held.length > 0) this.feed(held);
  }

  private feed(chunk: Buffer): void {
    const conn = this.conn!;
    const wasOpen = conn.phase === 'open';
    // The chunk is ours (a fresh Buffer per read): the record layer may decrypt in place in it.
    conn.receive(plainView(chunk));
    this.out.flush();
    if (!wasOpen && !this.secured && conn.phase !== 'handshaking' && conn.info && !this.failed) {
      this.secured = true;
      this.firstBytes = undefined; // only a failed handshake reports them
      this.lifecycle.secured();
      this.hooks.secure(this);
      this.replayEarlyWrites();
      const late = this.errorAfterHandshake;
      if (late) {
        this.lifecycle.failed(late);
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
    this.plaintextRead += d.length;
    this.lastData = 'read';
    this.lifecycle.touch();
    this.userTimer?.touch();
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
    this.plaintextRead += d.length;
    this.lastData = 'read';
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
    if (this.destroyed) return;
    this.push(null);
    // As Node's streams do on EOF (stream_base_commons onStreamRead): with nothing buffered,
    // 'end' comes now even if the application never reads, so the socket can close.
    this.read(0);
  }

  private onTcpEnd(): void {
    if (!this.secured) {
      this.failHandshake(peerDisconnected());
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
    if (!this.secured && !this.failed) {
      this.failHandshake(peerDisconnected());
      return;
    }
    this.out.closed();
    if (!this.destroyed) this.destroy();
  }

  private onTlsError(err: TlsError): void {
    // The alert (if any) is queued in the connection: send it, then close TCP.
    this.out.flush();
    if (!this.secured && this.conn?.info !== undefined && !this.failed) {
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
    this.lifecycle.failed(err);
    this.tcp.end();
    this.destroyQuietly(err);
  }

  /**
   * Reports a handshake failure once, sends what is queued (the alert), closes TCP. `reason`
   * counts an error that is not puretls's own as a close of the server's.
   */
  private failHandshake(err: Error, reason?: string): void {
    if (this.failed || this.secured) return;
    this.failed = true;
    this.lifecycle.handshakeFailed(err, reason);
    this.out.flush();
    try {
      this.hooks.clientError(toNodeError(err, this.firstBytes), this);
    } finally {
      this.destroy();
    }
  }

  /** Destroys the socket; the error is emitted only if the application listens for it. */
  private destroyQuietly(err: Error): void {
    if (this.destroyed) return;
    this.destroy(this.listenerCount('error') > 0 ? toNodeError(err) : undefined);
  }

  // ---- TLS → TCP -------------------------------------------------------------------------------

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (!this.secured) {
      this.earlyWrites.push({ chunk, callback });
      return;
    }
    this.writeNow(chunk, callback);
  }

  private writeNow(chunk: Buffer, callback: (err?: Error | null) => void): void {
    const conn = this.conn!;
    try {
      conn.write(plainView(chunk));
    } catch (e) {
      callback(conn.error ?? (e as Error));
      return;
    }
    if (conn.error) {
      callback(conn.error);
      return;
    }
    this.plaintextWritten += chunk.length;
    this.lastData = 'write';
    this.lifecycle.touch();
    this.userTimer?.touch();
    this.out.written(chunk.length, callback);
  }

  private replayEarlyWrites(): void {
    const writes = this.earlyWrites;
    this.earlyWrites = [];
    // Writable calls _write one at a time, so there is at most one.
    for (const w of writes) this.writeNow(w.chunk, w.callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    // RFC 8446 §6.1: "Each party MUST send a "close_notify" alert before closing its write side".
    this.conn?.close();
    this.out.flush();
    this.tcp.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.lifecycle.ended();
    this.userTimer?.stop();
    if (this.closingTimer !== undefined) clearTimeout(this.closingTimer);
    // Records of accepted writes still waiting for the coalesced flush go out before TCP closes.
    this.out.flushDeferred();
    // Without a close_notify from us this is an unclean shutdown for the session cache (spec §5).
    this.conn?.destroy();
    for (const w of this.earlyWrites) w.callback(err ?? new Error('socket destroyed'));
    this.earlyWrites = [];
    closeTcp(this.tcp);
    callback(err);
  }
}

/** The `PureTlsSocket` a TCP socket belongs to (set once, by the constructor). */
const OWNER = Symbol('puretls.owner');
type OwnedTcp = Socket & { [OWNER]: PureTlsSocket };
type OwnedConn = Conn & { [OWNER]: PureTlsSocket };

/** The `PureTlsSocket` a connection belongs to (set when the socket takes it), if any. */
export function socketOfConnection(connection: object): PureTlsSocket | undefined {
  return (connection as Partial<OwnedConn>)[OWNER];
}
function asNodeBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** `prev` and the start of `chunk`, at most 4 bytes in all (a copy). */
function concatStart(prev: Uint8Array | undefined, chunk: Buffer): Uint8Array {
  const out = new Uint8Array(Math.min(4, (prev?.length ?? 0) + chunk.length));
  if (prev) out.set(prev);
  out.set(chunk.subarray(0, out.length - (prev?.length ?? 0)), prev?.length ?? 0);
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
