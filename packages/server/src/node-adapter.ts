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
import { ServerConnection } from './connection';
import { ServerContext, type ServerContextOptions } from './context';
import { PureTlsSocket } from './tls-socket';

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
   * Emit `keylog` events `(line: Buffer, socket)`, NSS `SSLKEYLOGFILE` lines. `true`: always;
   * `false`: never; unset: when the server has a `keylog` listener as a connection starts (Node's rule).
   */
  readonly keyLog?: boolean;
  /** Keep the write side open after the client's close_notify. Default `false`, like `tls.Server`. */
  readonly allowHalfOpen?: boolean;
  /** Passed to `net.createServer` (default `false`). */
  readonly pauseOnConnect?: boolean;
}

/** `createServer()` options: a context's options, or an existing context, plus the adapter's. */
export type PureTlsServerOptions = (ServerContextOptions | { readonly context: ServerContext }) & PureTlsAdapterOptions;

/** Events of a {@link PureTlsServer} (Node `tls.Server` names and arguments). */
export interface PureTlsServerEvents {
  secureConnection: [socket: PureTlsSocket];
  /** A handshake failed: a `TlsError` (peer bytes, alert received), a TCP error, EOF, or the timeout. */
  tlsClientError: [err: Error, socket: PureTlsSocket];
  keylog: [line: Buffer, socket: PureTlsSocket];
  /** A TCP connection was accepted (before any TLS byte). */
  connection: [socket: Socket];
  listening: [];
  close: [];
  error: [err: Error];
}

/** A TLS server over `node:net`, shaped like `tls.Server`. */
export class PureTlsServer extends EventEmitter<PureTlsServerEvents> {
  /** The configuration every connection shares. */
  readonly context: ServerContext;
  /** The TCP server underneath. */
  readonly netServer: Server;
  private readonly handshakeTimeout: number;
  private readonly keyLog: boolean | undefined;
  private readonly allowHalfOpen: boolean;
  private readonly sockets = new Set<Socket>();

  /**
   * @throws TypeError / RangeError for a malformed option (see {@link ServerContext});
   *   KeyError for an unusable key or certificate.
   */
  constructor(options: PureTlsServerOptions, secureConnectionListener?: (socket: PureTlsSocket) => void) {
    super();
    if (!options || typeof options !== 'object') throw new TypeError('options: an object is required');
    this.context = 'context' in options ? checkContext(options.context) : new ServerContext(options);
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError(`options.handshakeTimeout: a non-negative integer of milliseconds, got ${String(timeout)}`);
    this.handshakeTimeout = timeout;
    if (options.keyLog !== undefined && typeof options.keyLog !== 'boolean') throw new TypeError('options.keyLog: a boolean');
    this.keyLog = options.keyLog;
    this.allowHalfOpen = options.allowHalfOpen ?? false;
    // TCP stays half-open so that our close_notify can still go out after the client's FIN.
    this.netServer = createNetServer({ allowHalfOpen: true, pauseOnConnect: options.pauseOnConnect ?? false }, (tcp) => this.onConnection(tcp));
    this.netServer.on('listening', () => this.emit('listening'));
    this.netServer.on('close', () => this.emit('close'));
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
    const conn = new ServerConnection(this.context, { keyLog: this.keyLog ?? this.listenerCount('keylog') > 0 });
    new PureTlsSocket(
      tcp,
      conn,
      {
        secure: (s) => this.emit('secureConnection', s),
        clientError: (err, s) => {
          this.emit('tlsClientError', err, s);
        },
        keylog: (line, s) => this.emit('keylog', line, s),
      },
      { handshakeTimeout: this.handshakeTimeout, allowHalfOpen: this.allowHalfOpen },
    );
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

  /** Stops accepting connections; `callback` runs once every open connection has closed. */
  close(callback?: (err?: Error) => void): this {
    this.netServer.close(callback);
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
