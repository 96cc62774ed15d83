/**
 * The Node adapter: `createServer()` shaped like `tls.createServer()`, over `node:net`. Each
 * accepted TCP socket gets a `ServerConnection` (sans-IO) and a `PureTlsSocket` (a `Duplex`);
 * the server emits `secureConnection` once the handshake completed.
 *
 * Nothing here assumes TLS 1.3: versions, suites and groups come from the connection's
 * `NegotiatedInfo`, so TLS 1.2 needs no change in this file.
 */
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type ListenOptions, type Server, type ServerOpts, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseCertificate, type Certificate } from '@puretls/crypto';
import { certificateIndexFor, clientHelloLimits, requestsOcsp, type Hello, type OcspStaple } from '@puretls/handshake-state-machine';
import { decodeSession, encodeSession, type Session, type TicketKeyRing } from '@puretls/session-cache';
import { ServerConnection } from '../core/connection';
import { ServerContext } from '../core/context';
import { TlsAdapterError } from '../lifecycle/adapter-error';
import { ConnectionStats, type ConnectionStatsSnapshot, type ServerClose } from '../lifecycle/close-stats';
import { checkTimeout } from '../lifecycle/lifecycle';
import type { PeekedHello } from './client-hello-peek';
import { parseAlpn } from './node-compat';
import { KNOWN_OPTIONS, checkKnownOptions } from './node-options';
import { DEFAULT_SNI_TIMEOUT, ServerContexts, type AlpnCallback, type NodeStyleContextOptions, type SniAnswer, type SniCallback } from './server-contexts';
import { appendTlsKeylog, tlsKeylogFile } from './tls-keylog';
import { PureTlsSocket, type PureTlsSocketHooks, type PureTlsSocketOptions } from './tls-socket';
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
  /** `net.createServer` options, passed through: `noDelay`, `keepAlive`, `keepAliveInitialDelay`. */
  readonly noDelay?: boolean;
  readonly keepAlive?: boolean;
  readonly keepAliveInitialDelay?: number;
  /** `net.createServer`'s `highWaterMark`: also the plaintext streams' high-water mark. */
  readonly highWaterMark?: number;
  /** EventEmitter's `captureRejections`: a rejected async `secureConnection` listener destroys the socket (Node's tls.Server). */
  readonly captureRejections?: boolean;
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
export type PureTlsServerOptions = (
  | NodeStyleContextOptions
  | { readonly context: ServerContext; readonly SNICallback?: SniCallback; readonly sniTimeout?: number; readonly ALPNCallback?: AlpnCallback }
) &
  PureTlsAdapterOptions;

/** Events of a {@link PureTlsServer} (Node `tls.Server` names and arguments). */
export interface PureTlsServerEvents {
  secureConnection: [socket: PureTlsSocket];
  /** A handshake failed: a `TlsError` (peer bytes, alert received), a TCP error, EOF, or the timeout. */
  tlsClientError: [err: Error, socket: PureTlsSocket];
  keylog: [line: Buffer, socket: PureTlsSocket];
  /** A TCP connection was accepted (before any TLS byte); `server.emit('connection', socket)` hands one over. */
  connection: [socket: Socket];
  /** `maxConnections` was reached: net.Server's `'drop'`. */
  drop: [data?: object];
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
   * Node's `OCSPRequest`: the client asked for a stapled OCSP response (status_request, RFC 6066
   * §8). `certificate` is the DER certificate the handshake will send, `issuer` its issuer's (the
   * next certificate of the chain, else a `ca` certificate naming it; `null` when neither has it).
   * `callback(null, response)` staples `response` (DER `OCSPResponse` bytes, sent as they are);
   * `callback(null)` (or `null`, an empty Buffer) staples nothing; `callback(err)` fails the
   * handshake (`tlsClientError` gets `err`, nothing is sent). The handshake waits for the callback
   * (bounded by `handshakeTimeout`). Without a listener nothing is ever stapled, as Node.
   */
  OCSPRequest: [certificate: Buffer, issuer: Buffer | null, callback: (err: Error | null, response?: Buffer | Uint8Array | null) => void];
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

/** The server a TCP socket came to (set by `onConnection`). */
const SERVER = Symbol('puretls.server');
type ServedTcp = Socket & { [SERVER]: PureTlsServer };
function ignoreError(): void {}

/** A TLS server over `node:net`, shaped like `tls.Server`. */
export class PureTlsServer extends EventEmitter<PureTlsServerEvents> {
  /** The TCP server underneath. */
  readonly netServer: Server;
  private readonly handshakeTimeout: number;
  private readonly idleTimeout: number;
  private readonly keyLog: boolean | undefined;
  private readonly allowHalfOpen: boolean;
  private readonly sockets = new Set<Duplex>();
  private readonly maxConcurrentHandshakes: number;
  private readonly maxBufferedBytes: number;
  private readonly handshaking = new Set<PureTlsSocket>();
  private readonly sniCallback: SniCallback | undefined;
  private readonly sniTimeout: number;
  private readonly alpnCallback: AlpnCallback | undefined;
  private readonly highWaterMark: number | undefined;
  /** The default context, `addContext()`'s and the SNI answers' (`setSecureContext()` replaces the default). */
  private readonly contexts: ServerContexts;
  /** `node --tls-keylog=FILE`, read once per server. */
  private readonly tlsKeylog: string | undefined;
  private readonly counters = new ConnectionStats();
  /** Every TLS socket not yet closed (handshaking or open). */
  private readonly tlsSockets = new Set<PureTlsSocket>();
  /** The drain deadline of `close({ drain })`, while it runs. */
  private drainTimer: NodeJS.Timeout | undefined;
  private isDraining = false;
  private sharedSocketOptions: PureTlsSocketOptions | undefined;
  private sharedSocketHooks: PureTlsSocketHooks | undefined;
  /**
   * Node's `server.timeout` (as on `http.Server`): ms of inactivity before a socket emits
   * `'timeout'` (and the server `'timeout'`); applied to each socket as its handshake completes.
   * 0 (the default) = none. Nothing is closed.
   */
  timeout = 0;

  /**
   * Like `tls.createServer(options, secureConnectionListener)`; `options` may be omitted
   * (`createServer(listener)`) or empty (certificates only from `addContext()` / `SNICallback`).
   * @throws TypeError for an unknown or refused option (named), a malformed one, or `ALPNCallback`
   *   with `ALPNProtocols` (`ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS`); RangeError; KeyError for an
   *   unusable key or certificate.
   */
  constructor(options?: PureTlsServerOptions | ((socket: PureTlsSocket) => void), secureConnectionListener?: (socket: PureTlsSocket) => void) {
    if (typeof options === 'function') {
      secureConnectionListener = options;
      options = {};
    }
    options ??= {};
    if (typeof options !== 'object') throw Object.assign(new TypeError('The "options" argument must be of type object.'), { code: 'ERR_INVALID_ARG_TYPE' });
    checkKnownOptions(options, 'server', 'options');
    const o = options as PureTlsServerOptions & NodeStyleContextOptions & { context?: unknown };
    super({ captureRejections: o.captureRejections });
    this.sniCallback = o.SNICallback;
    if (this.sniCallback !== undefined && typeof this.sniCallback !== 'function') throw Object.assign(new TypeError('options.SNICallback: a function (servername, cb)'), { code: 'ERR_INVALID_ARG_TYPE' });
    this.alpnCallback = o.ALPNCallback;
    if (this.alpnCallback !== undefined && typeof this.alpnCallback !== 'function') throw Object.assign(new TypeError('options.ALPNCallback: a function ({ servername, protocols })'), { code: 'ERR_INVALID_ARG_TYPE' });
    if (this.alpnCallback && (o.ALPNProtocols || o.alpnProtocols)) {
      throw Object.assign(new TypeError('The ALPNCallback and ALPNProtocols TLS options are mutually exclusive'), { code: 'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS' });
    }
    const sniTimeout = o.sniTimeout ?? DEFAULT_SNI_TIMEOUT;
    if (!Number.isInteger(sniTimeout) || sniTimeout < 0) throw new RangeError('options.sniTimeout: a non-negative integer of milliseconds');
    this.sniTimeout = sniTimeout;
    const alpn = o.alpnProtocols ?? (o.ALPNProtocols !== undefined ? parseAlpn(o.ALPNProtocols) : undefined);
    if (o.context !== undefined) {
      const extra = Object.keys(options).filter((k) => k !== 'context' && isContextOption(k));
      if (extra.length > 0 || alpn !== undefined) throw new TypeError(`options.context: give ${[...extra, ...(alpn !== undefined ? ['ALPNProtocols'] : [])].join(', ')} to the ServerContext instead`);
    }
    this.contexts = new ServerContexts(options, alpn, (ctx) => bridgeSessionEvents(this, ctx), o.context === undefined ? undefined : checkContext(o.context));
    const maxHs = o.maxConcurrentHandshakes ?? 0;
    if (!Number.isInteger(maxHs) || maxHs < 0) throw new RangeError('options.maxConcurrentHandshakes: a non-negative integer (0 = no limit)');
    this.maxConcurrentHandshakes = maxHs;
    const maxBuf = o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (!Number.isInteger(maxBuf) || maxBuf < 0) throw new RangeError('options.maxBufferedBytes: a non-negative integer of bytes (0 = no limit)');
    this.maxBufferedBytes = maxBuf;
    const timeout = o.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (typeof timeout !== 'number') throw Object.assign(new TypeError(`The "options.handshakeTimeout" property must be of type number. Received ${typeof timeout}`), { code: 'ERR_INVALID_ARG_TYPE' });
    if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError(`options.handshakeTimeout: a non-negative integer of milliseconds, got ${String(timeout)}`);
    this.handshakeTimeout = timeout;
    this.idleTimeout = checkTimeout('options.idleTimeout', o.idleTimeout ?? 0);
    if (o.keyLog !== undefined && typeof o.keyLog !== 'boolean') throw new TypeError('options.keyLog: a boolean');
    this.keyLog = o.keyLog;
    this.allowHalfOpen = o.allowHalfOpen ?? false;
    this.highWaterMark = o.highWaterMark;
    this.tlsKeylog = tlsKeylogFile();
    const netOptions: ServerOpts = {
      // TCP stays half-open so that our close_notify can still go out after the client's FIN.
      allowHalfOpen: true,
      pauseOnConnect: o.pauseOnConnect ?? false,
      ...(o.noDelay !== undefined ? { noDelay: o.noDelay } : {}),
      ...(o.keepAlive !== undefined ? { keepAlive: o.keepAlive } : {}),
      ...(o.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: o.keepAliveInitialDelay } : {}),
      ...(o.highWaterMark !== undefined ? { highWaterMark: o.highWaterMark } : {}),
    };
    // Node's tls.Server handles 'connection' itself (tlsConnectionListener, registered first), so
    // that `server.emit('connection', socket)` hands any socket to it, as http2 and proxies do.
    this.on('connection', (socket) => this.onConnection(socket));
    this.netServer = createNetServer(netOptions, (tcp) => {
      // The 'connection' socket belongs to this server (Node: net.Socket#server is the tls.Server).
      (tcp as unknown as { server: unknown }).server = this;
      this.emit('connection', tcp);
    });
    this.netServer.on('listening', () => this.emit('listening'));
    this.netServer.on('close', () => {
      this.stopDrain();
      this.emit('close');
    });
    this.netServer.on('error', (err) => this.emit('error', err));
    this.netServer.on('drop', (data) => this.emit('drop', data));
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
  }

  /** The default context (the one new connections use unless SNI picks another; `setSecureContext()` replaces it). */
  get context(): ServerContext {
    return this.contexts.default;
  }

  /**
   * Node's `server.setSecureContext(options)`: new connections use a context made from `options`
   * (`key`, `cert`, `ca`, `ciphers`, … — an option not given is back at its default, but
   * `sessionTimeout`, the ticket keys and puretls's own options stay); connections in flight
   * keep theirs. Sessions made under the old certificates resume no more (they are bound to them).
   * @throws like `createServer()`; the old context stays in use.
   */
  setSecureContext(options: NodeStyleContextOptions): void {
    this.contexts.setSecureContext(options);
  }

  /**
   * Node's `server.addContext(hostname, context)`: connections whose SNI name matches `hostname`
   * (`*` for one label; case-insensitive) use `context` — `createSecureContext()`'s object,
   * secure context options (`{ key, cert }`, …) or a `ServerContext` — over the server's other
   * options. The last added match wins. Not consulted when the server has an `SNICallback` (as Node).
   * @throws TypeError without a host name (`ERR_TLS_REQUIRED_SERVER_NAME`), for Node's
   *   `tls.SecureContext`, and like `createSecureContext()`.
   */
  addContext(hostname: string, context: SniAnswer): void {
    this.contexts.addContext(hostname, context);
  }

  /**
   * Node's `server.getTicketKeys()`: the current ticket key as 48 bytes (see
   * `ticketKeyRingFromNodeKeys`). Without fixed keys the ring rotates (every 12 h by default),
   * and so does this value.
   */
  getTicketKeys(): Buffer {
    return this.contexts.getTicketKeys();
  }

  /**
   * Node's `server.setTicketKeys(keys)`: 48 bytes become the only ticket key, for every context of
   * the server, in place; they never rotate (as Node's).
   * @throws TypeError unless 48 bytes.
   */
  setTicketKeys(keys: Uint8Array): void {
    this.contexts.setTicketKeys(keys);
  }

  /** puretls: the ticket key ring every context of this server shares (export it, rotate it, share it). */
  get ticketKeyRing(): TicketKeyRing {
    return this.contexts.ticketKeyRing;
  }

  /** A transport to serve TLS on: accepted by `netServer`, or handed over with `server.emit('connection', socket)`. */
  private onConnection(stream: Duplex): void {
    if (!stream || typeof (stream as Partial<Duplex>).on !== 'function' || typeof (stream as Partial<Duplex>).write !== 'function') {
      throw Object.assign(new TypeError("'connection': a net.Socket or Duplex stream"), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    const tcp = stream as Socket;
    this.sockets.add(tcp);
    (tcp as ServedTcp)[SERVER] = this;
    tcp.on('close', PureTlsServer.onTcpClose);
    // Never let a socket error crash the process: the TLS socket handles it, this is the backstop.
    tcp.on('error', ignoreError);
    if (tcp.destroyed) return;
    const keyLog = this.keyLog ?? (this.listenerCount('keylog') > 0 || this.tlsKeylog !== undefined);
    const refuse = this.maxConcurrentHandshakes > 0 && this.handshaking.size >= this.maxConcurrentHandshakes;
    // The connection is chosen from the ClientHello when SNI contexts or ALPNCallback may apply.
    const byHello = !refuse && (this.sniCallback !== undefined || this.contexts.hasEntries || this.alpnCallback !== undefined || this.listenerCount('OCSPRequest') > 0);
    const conn = byHello ? undefined : new ServerConnection(this.context, { keyLog });
    const socket = new PureTlsSocket(
      tcp,
      conn,
      this.socketHooks(),
      byHello
        ? {
            ...this.socketOptions(),
            hello: {
              limits: clientHelloLimits(this.context.handshake),
              choose: (hello: PeekedHello, answer: (r: Conn | Error) => void, parsed: Hello | undefined) => this.chooseByHello(hello, keyLog, answer, parsed),
            },
          }
        : this.socketOptions(),
    );
    if (refuse) {
      socket.refuse(new TlsAdapterError('TooManyHandshakes', `more than ${this.maxConcurrentHandshakes} concurrent TLS handshakes (maxConcurrentHandshakes)`));
      return;
    }
    this.handshaking.add(socket);
    this.tlsSockets.add(socket);
  }

  // Shared listeners (no closures per connection: idle memory).
  private static onTcpClose(this: ServedTcp): void {
    this[SERVER].sockets.delete(this);
  }

  /** The hooks every socket of this server shares (made once: no closures per connection). */
  private socketHooks(): PureTlsSocketHooks {
    return (this.sharedSocketHooks ??= {
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
      keylog: (line, s) => {
        if (this.tlsKeylog !== undefined) appendTlsKeylog(this.tlsKeylog, line);
        this.emit('keylog', line, s);
      },
      serverClose: (close, s) => this.emit('closedByServer', close, s),
      closed: (s) => {
        this.handshaking.delete(s);
        this.tlsSockets.delete(s);
      },
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
      ...(this.highWaterMark !== undefined ? { highWaterMark: this.highWaterMark } : {}),
    });
  }

  /**
   * The connection for a ClientHello: the context by SNI (`SNICallback`, else `addContext()`
   * entries, else the default), then the ALPN protocol by `ALPNCallback` when the client offers
   * ALPN. Node's `ALPNCallback` results: `undefined` refuses every protocol (no_application_protocol);
   * a protocol the client did not offer fails the handshake with `ERR_TLS_ALPN_CALLBACK_INVALID_RESULT`
   * and no alert; a throw fails it with the thrown error.
   */
  private chooseByHello(hello: PeekedHello, keyLog: boolean, answer: (r: Conn | Error) => void, parsed?: Hello): void {
    const withContext = (ctx: ServerContext | Error): void => {
      if (ctx instanceof Error) return answer(ctx);
      let alpnProtocols: string[] | undefined;
      if (this.alpnCallback && hello.alpn !== undefined) {
        let chosen: unknown;
        try {
          chosen = this.alpnCallback({ servername: hello.serverName ?? false, protocols: [...hello.alpn] });
        } catch (e) {
          return answer(asError(e));
        }
        if (chosen === undefined) alpnProtocols = [''];
        else if (typeof chosen === 'string' && hello.alpn.includes(chosen)) alpnProtocols = [chosen];
        else {
          const err = new TypeError(`ALPN callback returned a value (${String(chosen)}) that did not match any of the client's offered protocols (${hello.alpn.join(', ')})`);
          return answer(Object.assign(err, { code: 'ERR_TLS_ALPN_CALLBACK_INVALID_RESULT' }));
        }
      }
      const make = (ocspStaple?: OcspStaple): void => {
        try {
          answer(new ServerConnection(ctx, { keyLog, ...(alpnProtocols ? { alpnProtocols } : {}), ...(ocspStaple ? { ocspStaple } : {}) }));
        } catch (e) {
          answer(asError(e));
        }
      };
      if (parsed !== undefined && requestsOcsp(parsed) && this.listenerCount('OCSPRequest') > 0) return this.requestOcsp(ctx, parsed, make, answer);
      make();
    };
    const name = hello.serverName;
    if (name === undefined) return withContext(this.context);
    if (this.sniCallback) return this.callSni(name, withContext);
    withContext(this.contexts.match(name) ?? this.context);
  }

  /**
   * Node's `OCSPRequest` for the certificate the handshake will send (`certificateIndexFor`): its
   * answer becomes the connection's `ocspStaple`. At most the first callback counts; a listener
   * that throws fails the handshake with what it threw.
   */
  private requestOcsp(ctx: ServerContext, hello: Hello, make: (staple?: OcspStaple) => void, fail: (e: Error) => void): void {
    const index = certificateIndexFor(ctx.handshake, hello);
    if (index === undefined) return make(); // the handshake fails by itself
    const chain = ctx.handshake.certificates[index]!.chain;
    const issuer = chain[1] ?? issuerInCa(chain[0]!, ctx.clientAuth?.ca ?? []);
    let answered = false;
    const callback = (err: Error | null, response?: Buffer | Uint8Array | null): void => {
      if (answered) return;
      answered = true;
      if (err) return fail(asError(err));
      if (response === undefined || response === null) return make();
      if (!(response instanceof Uint8Array)) {
        return fail(Object.assign(new TypeError('OCSPRequest callback: the response must be a Buffer or Uint8Array (or null for none)'), { code: 'ERR_INVALID_ARG_TYPE' }));
      }
      if (response.length === 0) return make();
      make({ certificateIndex: index, response: new Uint8Array(response) });
    };
    try {
      this.emit('OCSPRequest', Buffer.from(chain[0]!), issuer === undefined ? null : Buffer.from(issuer), callback);
    } catch (e) {
      if (!answered) {
        answered = true;
        fail(asError(e));
      }
    }
  }

  /**
   * Calls `SNICallback` with the host name as the client sent it; its answer (synchronous, or
   * asynchronous within `sniTimeout`) picks the context. A late answer is ignored and the default
   * certificate used; `cb(err)` fails the handshake. An answer that is no context (Node's own
   * `tls.SecureContext`) fails the handshake with a TypeError, also thrown from `cb` itself.
   */
  private callSni(name: string, done: (ctx: ServerContext | Error) => void): void {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (r: ServerContext | Error) => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      done(r);
    };
    try {
      this.sniCallback!(name, (err, ctx) => {
        if (finished) return;
        if (err) return finish(asError(err));
        let context: ServerContext;
        try {
          context = this.contexts.resolve(ctx, 'SNICallback answer');
        } catch (e) {
          finish(asError(e));
          throw e;
        }
        finish(context);
      });
    } catch (e) {
      finish(asError(e));
    }
    if (!finished) timer = setTimeout(() => finish(this.context), this.sniTimeout);
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
    for (const s of this.handshaking) n += s.bufferedHandshakeBytes;
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

  /** net.Server's `maxConnections`: connections beyond it are dropped (`'drop'`). */
  get maxConnections(): number {
    return this.netServer.maxConnections;
  }
  set maxConnections(n: number) {
    this.netServer.maxConnections = n;
  }

  /** net.Server's `getConnections(cb)`: open connections (TCP, handshaking or not). */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this.sockets.size);
    return this;
  }

  /** net.Server's `[Symbol.asyncDispose]()`: `close()` as a promise. */
  [Symbol.asyncDispose](): Promise<void> {
    if (!this.netServer.listening) return Promise.resolve();
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  }

  /**
   * With `captureRejections`: a rejected async listener of `'secureConnection'` or `'connection'`
   * destroys that socket with the error; of any other event, the error becomes `'error'` (Node's
   * tls.Server and net.Server).
   */
  [Symbol.for('nodejs.rejection')](err: Error, event: string, ...args: unknown[]): void {
    if (event === 'secureConnection' || event === 'connection') (args[0] as { destroy(e?: Error): void }).destroy(err);
    else this.emit('error', err);
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

/** The DER of the certificate in `ca` whose subject is `leaf`'s issuer (OpenSSL looks the issuer up in the store), or `undefined`. */
function issuerInCa(leaf: Uint8Array, ca: readonly Certificate[]): Uint8Array | undefined {
  const issuer = parseCertificate(leaf).issuer;
  return ca.find((c) => equalBytes(c.subject, issuer))?.der;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** True for an option that makes a context (`node-options.ts` scope `'context'`). */
function isContextOption(name: string): boolean {
  return KNOWN_OPTIONS[name]?.scope === 'context';
}

function checkContext(context: unknown): ServerContext {
  if (!(context instanceof ServerContext)) throw new TypeError('options.context: a ServerContext is required');
  return context;
}

/**
 * Creates a TLS server, like `tls.createServer(options, secureConnectionListener)`.
 * @throws TypeError / RangeError for a malformed option; KeyError for an unusable key or certificate.
 */
export function createServer(options?: PureTlsServerOptions | ((socket: PureTlsSocket) => void), secureConnectionListener?: (socket: PureTlsSocket) => void): PureTlsServer {
  return new PureTlsServer(options, secureConnectionListener);
}
