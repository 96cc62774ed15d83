/**
 * The Node adapter: `createServer()` shaped like `tls.createServer()`, over `node:net`. Each
 * accepted TCP socket gets a `ServerConnection` (sans-IO) and a `PureTlsSocket` (a `Duplex`);
 * the server emits `secureConnection` once the handshake completed.
 *
 * Nothing here assumes TLS 1.3: versions, suites and groups come from the connection's
 * `NegotiatedInfo`, so TLS 1.2 needs no change in this file.
 */
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type ListenOptions, type Server, type Socket } from 'node:net';
import { decodeSession, encodeSession, type Session } from '@puretls/session-cache';
import { ServerConnection } from '../core/connection';
import { ServerContext } from '../core/context';
import { TlsAdapterError } from '../lifecycle/adapter-error';
import { ConnectionStats, type ConnectionStatsSnapshot, type ServerClose } from '../lifecycle/close-stats';
import { checkTimeout } from '../lifecycle/lifecycle';
import { mapNodeOptions, SniContexts, type NodeStyleContextOptions, type SniCallback } from './node-compat';
import { PureTlsSocket, type PureTlsSocketOptions } from './tls-socket';
import type { Conn } from './socket-info';

/** Node's default `handshakeTimeout` for `tls.Server`, in milliseconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/** Options of the adapter itself, on top of the context's. */
export interface PureTlsAdapterOptions {
  /**
   * Milliseconds the whole handshake may take before the socket is destroyed and
   * `tlsClientError` emitted (`ERR_TLS_HANDSHAKE_TIMEOUT`). Default 120000 (Node's); 0 = no limit.
   */
  readonly handshakeTimeout?: number;
  /**
   * puretls: milliseconds without data read or written after the handshake before the server
   * closes the connection with close_notify (counted as `IdleTimeout` in `stats.closedByServer`,
   * a `closedByServer` event). Default 0: never (Node's `tls.Server` has no such limit; see also
   * `server.timeout` / `socket.setTimeout()`, which only emit `'timeout'`).
   */
  readonly idleTimeout?: number;
  /**
   * Emit `keylog` events `(line: Buffer, socket)`, NSS `SSLKEYLOGFILE` lines. `true`: always;
   * `false`: never; unset: when the server has a `keylog` listener as a connection starts (Node's rule).
   */
  readonly keyLog?: boolean;
  /** Keep the write side open after the client's close_notify. Default `false`, like `tls.Server`. */
  readonly allowHalfOpen?: boolean;
  /** Passed to `net.createServer` (default `false`). */
  readonly pauseOnConnect?: boolean;
  /**
   * Most connections handshaking at once. A connection beyond it is closed at once, before any
   * byte is read, counted in `refusedHandshakes`, and reported as `tlsClientError` with code
   * `ERR_TLS_TOO_MANY_HANDSHAKES`. Default 0: no limit.
   */
  readonly maxConcurrentHandshakes?: number;
  /**
   * Per connection: plaintext the application has not read plus ciphertext not yet handed to the
   * kernel, in bytes. Above it the connection stops reading from TCP until both drain. Default
   * {@link DEFAULT_MAX_BUFFERED_BYTES}; 0 = the streams' own backpressure only.
   */
  readonly maxBufferedBytes?: number;
}

/** Default `maxBufferedBytes`: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1 << 20;

/**
 * `createServer()` options: a context's options (puretls or Node names, see `node-compat.ts`), or an
 * existing context, plus the adapter's.
 */
export type PureTlsServerOptions = (NodeStyleContextOptions | { readonly context: ServerContext; readonly SNICallback?: SniCallback; readonly sniTimeout?: number }) &
  PureTlsAdapterOptions;

/** Events of a {@link PureTlsServer} (Node `tls.Server` names and arguments). */
export interface PureTlsServerEvents {
  secureConnection: [socket: PureTlsSocket];
  /** A handshake failed: a `TlsError` (peer bytes, alert received), a TCP error, EOF, or the timeout. */
  tlsClientError: [err: Error, socket: PureTlsSocket];
  keylog: [line: Buffer, socket: PureTlsSocket];
  /** A TCP connection was accepted (before any TLS byte). */
  connection: [socket: Socket];
  /**
   * Node's `newSession`: a session entered the cache (TLS 1.2 session id, or a TLS 1.3 stateful
   * ticket). `sessionId` is the cache key, `sessionData` its `encodeSession` bytes. The handshake
   * does not wait for `callback` (the session is already in the internal cache).
   */
  newSession: [sessionId: Buffer, sessionData: Buffer, callback: () => void];
  /**
   * Node's `resumeSession`: the internal cache missed `sessionId`; answer `callback(null, data)`
   * with bytes a `newSession` event gave (or `null` for a miss) within the context's
   * `lookupTimeoutMs` (default 50 ms; later is a miss).
   */
  resumeSession: [sessionId: Buffer, callback: (err: Error | null, sessionData?: Buffer | Uint8Array | null) => void];
  /**
   * A socket was idle for `server.timeout` ms (or what `socket.setTimeout()` set): nothing is
   * closed, as with Node's sockets — end or destroy it here if that is what you want.
   */
  timeout: [socket: PureTlsSocket];
  /**
   * puretls: the server closed a connection on its own initiative (an alert it sent, a timeout,
   * a limit, a shutdown), once per connection; also counted in `stats.closedByServer`.
   * Closes the peer or the application asked for are not reported.
   */
  closedByServer: [close: ServerClose, socket: PureTlsSocket];
  listening: [];
  close: [];
  error: [err: Error];
}

/** `server.stats`: the counters of {@link ConnectionStatsSnapshot} plus the refusals. */
export interface PureTlsServerStats extends ConnectionStatsSnapshot {
  /** Connections refused by `maxConcurrentHandshakes` (also `closedByServer.TooManyHandshakes`). */
  readonly refusedHandshakes: number;
}

/** The options of `server.close(options, callback)`. */
export interface PureTlsCloseOptions {
  /**
   * Drain for up to this many ms: stop accepting, let handshakes finish, close each connection
   * with close_notify as soon as it is idle (it answered what it read and sent everything), and
   * at the deadline close the rest (close_notify after the handshake, user_canceled during it).
   * 0: close every connection that way now.
   */
  readonly drain: number;
}

/** A TLS server over `node:net`, shaped like `tls.Server`. */
export class PureTlsServer extends EventEmitter<PureTlsServerEvents> {
  /** The configuration every connection shares. */
  readonly context: ServerContext;
  /** The TCP server underneath. */
  readonly netServer: Server;
  private readonly handshakeTimeout: number;
  private readonly idleTimeout: number;
  private readonly keyLog: boolean | undefined;
  private readonly allowHalfOpen: boolean;
  private readonly sockets = new Set<Socket>();
  private readonly maxConcurrentHandshakes: number;
  private readonly maxBufferedBytes: number;
  private readonly handshaking = new Set<PureTlsSocket>();
  private readonly sniCallback: SniCallback | undefined;
  private readonly sniTimeout: number;
  private readonly sniContexts: SniContexts | undefined;
  private readonly counters = new ConnectionStats();
  /** Every TLS socket not yet closed (handshaking or open). */
  private readonly tlsSockets = new Set<PureTlsSocket>();
  /** The drain deadline of `close({ drain })`, while it runs. */
  private drainTimer: NodeJS.Timeout | undefined;
  private isDraining = false;
  private sharedSocketOptions: PureTlsSocketOptions | undefined;
  /**
   * Node's `server.timeout` (as on `http.Server`): ms of inactivity before a socket emits
   * `'timeout'` (and the server `'timeout'`); applied to each socket as its handshake completes.
   * 0 (the default) = none. Nothing is closed.
   */
  timeout = 0;

  /**
   * @throws TypeError / RangeError for a malformed option (see {@link ServerContext});
   *   KeyError for an unusable key or certificate.
   */
  constructor(options: PureTlsServerOptions, secureConnectionListener?: (socket: PureTlsSocket) => void) {
    super();
    if (!options || typeof options !== 'object') throw new TypeError('options: an object is required');
    const mapped = 'context' in options ? undefined : mapNodeOptions(options);
    this.context = 'context' in options ? checkContext(options.context) : new ServerContext(mapped!.context);
    this.sniCallback = mapped ? mapped.sniCallback : options.SNICallback;
    this.sniTimeout = mapped ? mapped.sniTimeout : mapNodeOptions({ certificates: [], ...(options.sniTimeout !== undefined ? { sniTimeout: options.sniTimeout } : {}) }).sniTimeout;
    if (this.sniCallback !== undefined && typeof this.sniCallback !== 'function') throw new TypeError('options.SNICallback: a function (servername, cb)');
    this.sniContexts = this.sniCallback ? new SniContexts(mapped?.context ?? { certificates: [] }, this.context) : undefined;
    const maxHs = options.maxConcurrentHandshakes ?? 0;
    if (!Number.isInteger(maxHs) || maxHs < 0) throw new RangeError('options.maxConcurrentHandshakes: a non-negative integer (0 = no limit)');
    this.maxConcurrentHandshakes = maxHs;
    const maxBuf = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (!Number.isInteger(maxBuf) || maxBuf < 0) throw new RangeError('options.maxBufferedBytes: a non-negative integer of bytes (0 = no limit)');
    this.maxBufferedBytes = maxBuf;
    bridgeSessionEvents(this, this.context);
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError(`options.handshakeTimeout: a non-negative integer of milliseconds, got ${String(timeout)}`);
    this.handshakeTimeout = timeout;
    this.idleTimeout = checkTimeout('options.idleTimeout', options.idleTimeout ?? 0);
    if (options.keyLog !== undefined && typeof options.keyLog !== 'boolean') throw new TypeError('options.keyLog: a boolean');
    this.keyLog = options.keyLog;
    this.allowHalfOpen = options.allowHalfOpen ?? false;
    // TCP stays half-open so that our close_notify can still go out after the client's FIN.
    this.netServer = createNetServer({ allowHalfOpen: true, pauseOnConnect: options.pauseOnConnect ?? false }, (tcp) => this.onConnection(tcp));
    this.netServer.on('listening', () => this.emit('listening'));
    this.netServer.on('close', () => {
      this.stopDrain();
      this.emit('close');
    });
    this.netServer.on('error', (err) => this.emit('error', err));
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
  }

  private onConnection(tcp: Socket): void {
    this.sockets.add(tcp);
    tcp.on('close', () => this.sockets.delete(tcp));
    // Never let a socket error crash the process: the TLS socket handles it, this is the backstop.
    tcp.on('error', () => {});
    this.emit('connection', tcp);
    if (tcp.destroyed) return;
    const keyLog = this.keyLog ?? this.listenerCount('keylog') > 0;
    const conn = new ServerConnection(this.context, { keyLog });
    const refuse = this.maxConcurrentHandshakes > 0 && this.handshaking.size >= this.maxConcurrentHandshakes;
    const socket = new PureTlsSocket(
      tcp,
      conn,
      {
        secure: (s) => {
          this.handshaking.delete(s);
          s.on('timeout', () => this.emit('timeout', s));
          if (this.timeout > 0) s.setTimeout(this.timeout);
          this.emit('secureConnection', s);
          if (this.isDraining) s.closeWhenIdle();
        },
        clientError: (err, s) => {
          this.handshaking.delete(s);
          this.emit('tlsClientError', err, s);
        },
        keylog: (line, s) => this.emit('keylog', line, s),
        serverClose: (close, s) => this.emit('closedByServer', close, s),
      },
      this.sniCallback && !refuse ? { ...this.socketOptions(), sni: (name: string, answer: (r: Conn | Error | undefined) => void) => this.chooseBySni(name, keyLog, answer) } : this.socketOptions(),
    );
    if (refuse) {
      socket.refuse(new TlsAdapterError('TooManyHandshakes', `more than ${this.maxConcurrentHandshakes} concurrent TLS handshakes (maxConcurrentHandshakes)`));
      return;
    }
    this.handshaking.add(socket);
    this.tlsSockets.add(socket);
    socket.once('close', () => {
      this.handshaking.delete(socket);
      this.tlsSockets.delete(socket);
    });
  }

  /** The options every socket shares (one object: sockets keep a reference). */
  private socketOptions(): PureTlsSocketOptions {
    return (this.sharedSocketOptions ??= {
      handshakeTimeout: this.handshakeTimeout,
      idleTimeout: this.idleTimeout,
      allowHalfOpen: this.allowHalfOpen,
      maxBufferedBytes: this.maxBufferedBytes,
      stats: this.counters,
      server: this,
    });
  }

  /**
   * Calls `SNICallback`; its answer (synchronous, or asynchronous within `sniTimeout`) picks the
   * context. A late answer is ignored and the default certificate used; `cb(err)` fails the handshake.
   */
  private chooseBySni(name: string, keyLog: boolean, answer: (r: Conn | Error | undefined) => void): void {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (r: Conn | Error | undefined) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      answer(r);
    };
    try {
      this.sniCallback!(name, (err, ctx) => {
        if (done) return;
        if (err) return finish(err instanceof Error ? err : new Error(String(err)));
        let context: ServerContext;
        try {
          context = this.sniContexts!.resolve(ctx);
        } catch (e) {
          return finish(e instanceof Error ? e : new Error(String(e)));
        }
        finish(context === this.context ? undefined : new ServerConnection(context, { keyLog }));
      });
    } catch (e) {
      finish(e instanceof Error ? e : new Error(String(e)));
    }
    if (!done) timer = setTimeout(() => finish(undefined), this.sniTimeout);
  }

  /**
   * Handshakes that failed since the server started (each one `tlsClientError`: a TLS error, EOF,
   * reset, the timeout, a refusal). With the context's `sessionStats`: `accept = acceptGood +
   * handshakeFailures + handshakingCount` when the context serves only this server.
   */
  get handshakeFailures(): number {
    return this.counters.handshakeFailures;
  }

  /** Connections refused by `maxConcurrentHandshakes` since the server started. */
  get refusedHandshakes(): number {
    return this.counters.closes('TooManyHandshakes');
  }

  /**
   * puretls: the server's counters — connections, handshakes, failures, open and handshaking
   * connections, and `closedByServer`: every close the server decided, by reason (a `TlsError`
   * reason such as `TooManyEmptyRecords` or `UnexpectedMessage` when it sent that alert; an
   * adapter reason: `HandshakeTimeout`, `IdleTimeout`, `TooManyHandshakes`,
   * `ClientHelloTooLarge`, `SniCallbackFailed`, `Shutdown`, `ShutdownTimeout`). A fresh object per read.
   */
  get stats(): PureTlsServerStats {
    return { ...this.counters.snapshot(), refusedHandshakes: this.refusedHandshakes };
  }

  /** Connections whose handshake is in progress. */
  get handshakingCount(): number {
    return this.handshaking.size;
  }

  /**
   * Received bytes held by connections still handshaking (partial records and handshake messages):
   * what slow clients cost in memory. Each holds at most `maxHandshakeMessageLength` + one record;
   * `handshakeTimeout` frees them.
   */
  get handshakeBufferedBytes(): number {
    let n = 0;
    for (const s of this.handshaking) n += s.connection.bufferedBytes;
    return n;
  }

  /** Same arguments as `net.Server.listen()`. */
  listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, hostname?: string, listeningListener?: () => void): this;
  listen(port?: number, listeningListener?: () => void): this;
  listen(options: ListenOptions, listeningListener?: () => void): this;
  listen(path: string, listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    (this.netServer.listen as (...a: unknown[]) => unknown)(...args);
    return this;
  }

  /**
   * Node's `server.close()`: stops accepting connections; `callback` runs once every open
   * connection has closed (with `ERR_SERVER_NOT_RUNNING` when the server was not listening).
   * With `{ drain: ms }` (puretls) the server also closes its connections gracefully — see
   * {@link PureTlsCloseOptions} — so that the callback comes by the deadline plus at most one
   * second of flushing.
   * @throws TypeError / RangeError for malformed options.
   */
  close(callback?: (err?: Error) => void): this;
  close(options: PureTlsCloseOptions, callback?: (err?: Error) => void): this;
  close(a?: PureTlsCloseOptions | ((err?: Error) => void), b?: (err?: Error) => void): this {
    const options = typeof a === 'function' || a === undefined ? undefined : a;
    const callback = typeof a === 'function' ? a : b;
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('close(options): an object { drain }');
    const drain = options === undefined ? undefined : checkTimeout('close(options.drain)', options.drain);
    if (callback !== undefined && typeof callback !== 'function') throw new TypeError('close(callback): a function');
    this.netServer.close(callback);
    if (drain !== undefined) this.startDrain(drain);
    return this;
  }

  /** True once `close({ drain })` was called, until the server closed. */
  get draining(): boolean {
    return this.isDraining;
  }

  private startDrain(deadlineMs: number): void {
    if (this.isDraining) return;
    this.isDraining = true;
    if (deadlineMs === 0) {
      for (const s of [...this.tlsSockets]) s.closeForShutdown();
      return;
    }
    // Handshaking sockets drain once secured (the `secure` hook).
    for (const s of [...this.tlsSockets]) if (!this.handshaking.has(s)) s.closeWhenIdle();
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      for (const s of [...this.tlsSockets]) s.closeForShutdown();
    }, deadlineMs);
  }

  private stopDrain(): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  /**
   * Like `http.Server`: sets {@link timeout} (and adds `callback` as a `'timeout'` listener).
   * Sockets already secured keep their timeout.
   * @throws RangeError unless `ms` is a non-negative integer.
   */
  setTimeout(ms: number, callback?: (socket: PureTlsSocket) => void): this {
    this.timeout = checkTimeout('setTimeout(ms)', ms);
    if (callback) this.on('timeout', callback);
    return this;
  }

  /** Destroys every open TCP connection (e.g. after `close()` at shutdown). */
  closeAllConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  address(): AddressInfo | string | null {
    return this.netServer.address();
  }

  get listening(): boolean {
    return this.netServer.listening;
  }

  /** Open TCP connections (handshaking or not). */
  get connectionCount(): number {
    return this.sockets.size;
  }

  ref(): this {
    this.netServer.ref();
    return this;
  }
  unref(): this {
    this.netServer.unref();
    return this;
  }
}

/**
 * Node's `newSession`/`resumeSession` events from the context's new/get session callbacks, unless
 * the context already has callbacks of its own. Without listeners they do nothing (a miss).
 */
function bridgeSessionEvents(server: PureTlsServer, context: ServerContext): void {
  if (context.getNewSessionCallback() === undefined) {
    context.setNewSessionCallback((_conn, session: Session) => {
      if (server.listenerCount('newSession') === 0) return;
      const data = encodeSession(session);
      server.emit('newSession', Buffer.from(session.id), Buffer.from(data.buffer, data.byteOffset, data.byteLength), () => {});
    });
  }
  if (context.getGetSessionCallback() === undefined) {
    context.setGetSessionCallback((_conn, id) => {
      if (server.listenerCount('resumeSession') === 0) return undefined;
      return new Promise<Session | undefined>((resolve) => {
        server.emit('resumeSession', Buffer.from(id), (err, data) => {
          if (err || !data || data.length === 0) return resolve(undefined);
          try {
            resolve(decodeSession(data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data));
          } catch {
            // A blob that does not decode is a miss (STYLE §5), never an alert.
            resolve(undefined);
          }
        });
      });
    });
  }
}

function checkContext(context: unknown): ServerContext {
  if (!(context instanceof ServerContext)) throw new TypeError('options.context: a ServerContext is required');
  return context;
}

/**
 * Creates a TLS server, like `tls.createServer(options, secureConnectionListener)`.
 * @throws TypeError / RangeError for a malformed option; KeyError for an unusable key or certificate.
 */
export function createServer(options: PureTlsServerOptions, secureConnectionListener?: (socket: PureTlsSocket) => void): PureTlsServer {
  return new PureTlsServer(options, secureConnectionListener);
}
