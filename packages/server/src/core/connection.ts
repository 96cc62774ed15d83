/**
 * `ServerConnection`: one TLS server connection, sans-IO. Bytes in through `receive`, bytes out
 * through `takeOutput`, plaintext in through `write`, plaintext out through the `data` event. It
 * owns the record layer and the current handshake state; it has no socket and no timer.
 *
 * Fatal errors stick (rustls): the alert is queued once, the connection is closed, and every
 * later `receive`/`write` is ignored (`write` throws) — the error stays in `error`.
 */
import { AlertDescription, AlertLevel, RecordLayer, TlsError, alertName, isTlsError, type RecordEvent } from '@puretls/record-layer';
import {
  ExpectClientHello,
  HandshakeType,
  assertNever,
  clientHelloLimits,
  clientMessageLimit,
  suiteByCode,
  type HandshakeEvent,
  type FinishedPair,
  type HandshakeIo,
  type NegotiatedInfo,
  type OcspStaple,
  type ServerState,
  type ExternalPskQuery,
  type SessionRefusal,
  type StoredSession,
  type TrafficKeys,
} from '@puretls/handshake-state-machine';
import type { ConnectionContext } from './connection-context';
import { ConnectionStateError } from './connection-state-error';

/** Events a `ServerConnection` emits. */
export interface ServerConnectionEvents {
  /** The handshake completed: `info` says what was negotiated. */
  handshakeComplete: (info: NegotiatedInfo) => void;
  /** Decrypted application data (a view: copy it if you keep it beyond the listener). */
  data: (data: Uint8Array) => void;
  /** 0-RTT data accepted before the handshake completed (RFC 8446 §4.2.10); replayable: handle with care. */
  earlyData: (data: Uint8Array) => void;
  /**
   * Output became available outside a `receive`/`write`/`close` call (after an asynchronous
   * session lookup finished): call `takeOutput()` and send it.
   */
  output: () => void;
  /** The peer sent close_notify: no more data will come (the write side may stay open). */
  end: () => void;
  /** An alert from the peer (close_notify included). */
  alert: (alert: { level: number; description: number; name: string }) => void;
  /** The connection failed: `error.alert` is what we sent (null when the peer's alert ended it). */
  error: (error: TlsError) => void;
  /** Both directions are closed (clean = we sent close_notify and no error occurred). */
  close: (clean: boolean) => void;
  /** A key log line in NSS `SSLKEYLOGFILE` format, only when `keyLog` is enabled. */
  keylog: (line: string) => void;
}

/** Per-connection options of a {@link ServerConnection} (beside its context's). */
export interface ServerConnectionOptions {
  /** Emit `keylog` events (NSS key log format). Default `false`: secrets never leave the engine. */
  readonly keyLog?: boolean;
  /**
   * This connection's ALPN protocols instead of the context's (an adapter's per-connection choice,
   * e.g. Node's `ALPNCallback`): `[protocol]` selects it when the client offers it; `['']` — never
   * a protocol name (RFC 7301 §3.1: names are non-empty) — refuses every offer with
   * no_application_protocol (RFC 7301 §3.2).
   */
  readonly alpnProtocols?: readonly string[];
  /**
   * An OCSP response to staple on this connection (an adapter's per-connection answer, e.g. Node's
   * `OCSPRequest` event) and the index (into the context's certificates) of the certificate it is
   * for. Sent only when the client asks (status_request, RFC 6066 §8) and that certificate is the
   * one the full handshake sends: a CertificateStatus message in TLS 1.2, the leaf's
   * CertificateEntry extension in TLS 1.3 (RFC 8446 §4.4.2.1). The bytes are sent as they are.
   */
  readonly ocspStaple?: OcspStaple;
}

/** RFC 6066 §8 `opaque OCSPResponse<1..2^24-1>`. */
const MAX_OCSP_RESPONSE = 2 ** 24 - 1;

/** `setMaxSendFragment()` bounds (Node's and OpenSSL's `SSL_set_max_send_fragment`). */
export const MIN_SEND_FRAGMENT = 512;
/** The largest `setMaxSendFragment()` value: a full record, 2^14 bytes (RFC 8446 §5.1). */
export const MAX_SEND_FRAGMENT = 2 ** 14;

type Listener<K extends keyof ServerConnectionEvents> = ServerConnectionEvents[K];

/** The waiting states (an asynchronous session lookup or take). */
type Waiting = Extract<ServerState, { kind: 'AwaitSession' }>;

/** The state of a connection, for the adapters. */
export type ConnectionPhase = 'handshaking' | 'open' | 'closed';

/**
 * Bytes a client may have buffered while the handshake waits for the session store (beyond its
 * early data allowance): a ClientHello, a compatibility CCS and a few records. More is abuse.
 */
export const MAX_BUFFERED_WHILE_WAITING = 64 * 1024;

/** Application data queued by `write()` before the handshake completed, at most this many bytes. */
export const MAX_EARLY_WRITE_BUFFER = 1 << 20;

/**
 * One TLS server connection, sans-IO: `receive(bytes)` in, `takeOutput()` out, `write(data)`,
 * `close()`, and events (`handshakeComplete`, `data`, `earlyData`, `alert`, `error`, `close`, …).
 * It never touches sockets or timers; an adapter (Node, Web Streams) or the application moves the
 * bytes. Fatal errors stick: the alert is queued once and `error` stays set.
 */
export class ServerConnection<Context extends ConnectionContext = ConnectionContext> {
  private readonly rl: RecordLayer;
  private state: ServerState;
  /**
   * Listeners by event: one function as itself, several as an array (copy-on-write). A plain
   * object made on the first `on`: an idle connection holds no Map and no one-element arrays.
   */
  private listeners: Partial<Record<keyof ServerConnectionEvents, Function | readonly Function[]>> | undefined;
  private pendingWrites: Uint8Array[] = [];
  private pendingWriteBytes = 0;
  private _info: NegotiatedInfo | undefined;
  private _error: TlsError | null = null;
  private _phase: ConnectionPhase = 'handshaking';
  private sentCloseNotify = false;
  private receivedCloseNotify = false;
  private readonly keyLog: boolean;
  /** `handshakeComplete` was emitted. */
  private announced = false;
  /** The waiting state whose answer we listen for (registered once). */
  private waitingOn: Waiting | undefined;
  private fatalAlert = false;
  /** KeyUpdates received since the last application data (bounded by `context.maxKeyUpdates`). */
  private keyUpdatesInARow = 0;
  /** The peer's record_size_limit (RFC 8449), `null` when it sent none. */
  private peerRecordLimit: number | null = null;
  /** `setMaxSendFragment()`: the most plaintext per record we send, `null` for the protocol's. */
  private sendFragmentCap: number | null = null;

  constructor(
    /** The context this connection was made from (a `ServerContext`). */
    readonly context: Context,
    options: ServerConnectionOptions = {},
  ) {
    this.keyLog = options.keyLog ?? false;
    this.rl = new RecordLayer({
      provider: context.provider,
      ...(context.maxHandshakeMessageLength !== undefined ? { maxHandshakeMessageLength: context.maxHandshakeMessageLength } : {}),
      // Each handshake message bounded by its syntax from its header (a ClientHello by maxClientHelloLength).
      // Certificate and CertificateVerify only when client certificates are requested.
      handshakeMessageLimit: clientMessageLimit(clientHelloLimits(context.handshake).maxLength, context.handshake.clientAuth !== undefined),
      maxEmptyRecords: context.maxEmptyRecords,
      maxWarningAlerts: context.maxWarningAlerts,
    });
    const alpn = options.alpnProtocols;
    if (alpn !== undefined && (!Array.isArray(alpn) || alpn.some((p) => typeof p !== 'string'))) throw new TypeError('options.alpnProtocols: an array of protocol names');
    const ocsp = options.ocspStaple;
    if (ocsp !== undefined) checkOcspStaple(ocsp, context.handshake.certificates.length);
    let config =
      alpn === undefined && ocsp === undefined
        ? context.handshake
        : Object.freeze({
            ...context.handshake,
            ...(alpn !== undefined ? { alpnProtocols: [...alpn] } : {}),
            // A copy: the caller's buffer may change before the handshake sends it.
            ...(ocsp !== undefined ? { ocspStaple: { certificateIndex: ocsp.certificateIndex, response: new Uint8Array(ocsp.response) } } : {}),
          });
    // External PSKs are asked with this connection (a closure only when the context has them).
    const psk = context.externalPsk;
    if (psk !== undefined) {
      config = Object.freeze({
        ...config,
        externalPsk: (identity: Uint8Array, q: ExternalPskQuery) => psk.call(context, identity, { version: q.version === 0x0304 ? 'TLSv1.3' : 'TLSv1.2', serverName: q.serverName, connection: this }),
      });
    }
    this.state = new ExpectClientHello({ config, io: this.io });
    context.sessions.handshakeStarted(this);
  }

  /** What the handshake negotiated, once it completed. */
  get info(): NegotiatedInfo | undefined {
    return this._info;
  }
  /** The fatal error that closed the connection, if any. */
  get error(): TlsError | null {
    return this._error;
  }
  get phase(): ConnectionPhase {
    return this._phase;
  }
  /**
   * Received bytes held: queued input, the partial record, and a handshake message spanning
   * records (at most `maxHandshakeMessageLength` + one record once caught up).
   */
  get bufferedBytes(): number {
    return this.rl.bufferedBytes + this.rl.bufferedHandshakeBytes;
  }
  /** True when there are bytes to send. */
  get hasOutput(): boolean {
    return this.rl.hasOutput;
  }
  /** True when the peer's close_notify was received. */
  get peerClosed(): boolean {
    return this.receivedCloseNotify;
  }
  /** True when we sent close_notify. */
  get closeNotifySent(): boolean {
    return this.sentCloseNotify;
  }

  // Listener arrays are copy-on-write (on/off make a new one), so `emit` walks the current array
  // without copying it per event, and a listener added or removed during an event does not change
  // who hears that event. Listeners are called with `this` set to the connection, as Node's
  // EventEmitter does (so an adapter may share one function among all its connections).
  /** Adds a listener for `event`; it is called with `this` set to this connection. */
  on<K extends keyof ServerConnectionEvents>(event: K, listener: Listener<K>): this {
    const all = (this.listeners ??= {});
    const had: Function | readonly Function[] | undefined = all[event];
    all[event] = had === undefined ? listener : typeof had === 'function' ? [had, listener] : [...had, listener];
    return this;
  }
  /** Removes `listener` from `event` (every time it was added). */
  off<K extends keyof ServerConnectionEvents>(event: K, listener: Listener<K>): this {
    const all = this.listeners;
    const had: Function | readonly Function[] | undefined = all?.[event];
    if (all === undefined || had === undefined) return this;
    const left = typeof had === 'function' ? (had === listener ? [] : [had]) : had.filter((l) => l !== listener);
    all[event] = left.length === 0 ? undefined : left.length === 1 ? left[0]! : left;
    return this;
  }
  private emit<K extends keyof ServerConnectionEvents>(event: K, ...args: Parameters<Listener<K>>): void {
    const l: Function | readonly Function[] | undefined = this.listeners?.[event];
    if (l === undefined) return;
    if (typeof l === 'function') Reflect.apply(l, this, args);
    else for (const f of l) Reflect.apply(f, this, args);
  }

  /**
   * Feeds received bytes. Events fire synchronously from inside this call. Bytes after the
   * connection closed are ignored. The chunk is borrowed: records are decrypted in place in it.
   * Never throws for anything the peer sends: failures become an `error` event and a queued alert.
   */
  receive(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('receive(bytes): a Uint8Array is required');
    if (this.inputEnded()) return;
    try {
      this.rl.receive(bytes);
      // While the session store answers, nothing is read: bound what a peer can pile up meanwhile.
      if (this.state.kind === 'AwaitSession' && this.rl.bufferedBytes > MAX_BUFFERED_WHILE_WAITING + this.context.handshake.maxEarlyData) {
        throw new TlsError('TooMuchDataWhileWaiting', `${this.rl.bufferedBytes} bytes received while the session lookup was pending`);
      }
      this.pump();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Processes buffered records until more input is needed, or while a session lookup is pending. */
  private pump(): void {
    while (!this.inputEnded() && this.state.kind !== 'AwaitSession') {
      const ev = this.rl.next();
      if (ev === null) break;
      this.dispatch(ev);
    }
    if (this.state.kind === 'AwaitSession') this.waitForSession(this.state);
  }

  /**
   * The handshake waits for the session store: resume it when the answer comes. `pending` never
   * rejects; `resume()` throws the session rules' aborts, which fail the handshake like any error.
   */
  private waitForSession(waiting: Waiting): void {
    if (this.waitingOn === waiting) return;
    this.waitingOn = waiting;
    void waiting.pending.then(() => {
      if (this.state !== waiting || this._phase === 'closed') return;
      try {
        this.enter(waiting.resume());
        this.pump();
      } catch (e) {
        this.fail(e);
      }
      this.emit('output');
    });
  }

  /**
   * Moves to the next handshake state. On first entering the traffic state: session tickets
   * (before any application data, as RFC 8448 §3 shows), the `handshakeComplete` event, then the
   * data the application wrote early.
   */
  private enter(next: ServerState): void {
    this.state = next;
    if (this._phase !== 'open' || this.announced) return;
    this.announced = true;
    this.context.sessions.handshakeCompleted(this, this._info!);
    if (next.kind === 'Traffic13') this.sendSessionTicket(this.context.sessions.ticketsAfterHandshake(this, this._info!.resumed));
    this.emit('handshakeComplete', this._info!);
    this.flushPendingWrites();
  }

  /** True while the handshake waits for an asynchronous session lookup. */
  get waitingForSession(): boolean {
    return this.state.kind === 'AwaitSession';
  }

  /** No more input is processed once closed or after the peer's close_notify. */
  private inputEnded(): boolean {
    return this._phase === 'closed' || this.receivedCloseNotify;
  }

  private dispatch(ev: RecordEvent): void {
    switch (ev.kind) {
      case 'handshake':
        // Each KeyUpdate costs a key derivation (and, when requested, a record of ours): a peer
        // sending nothing else is spinning us. unexpected_message, as OpenSSL's
        // SSL_R_TOO_MANY_KEY_UPDATES (the message is valid; only the count is not).
        if (ev.type === HandshakeType.key_update && this._phase === 'open' && ++this.keyUpdatesInARow > this.context.maxKeyUpdates) {
          throw new TlsError('TooManyKeyUpdates', `${this.keyUpdatesInARow} KeyUpdates without application data`);
        }
        this.enter(this.state.handle(ev));
        return;
      case 'applicationData':
        this.keyUpdatesInARow = 0;
        if (this._phase === 'open') {
          this.emit('data', ev.data);
          return;
        }
        if (this.state.kind === 'ExpectEndOfEarlyData') {
          this.state.receiveEarlyData(ev.data.length);
          if (ev.data.length > 0) this.emit('earlyData', ev.data);
          return;
        }
        throw new TlsError('UnexpectedApplicationData', 'application data before the handshake completed');
      case 'changeCipherSpec':
        // TLS 1.3 compatibility CCS records never reach here (the record layer drops them).
        this.enter(changeCipherSpec(this.state));
        return;
      case 'alert': {
        this.emit('alert', { level: ev.level, description: ev.description, name: alertName(ev.description) });
        if (ev.description === AlertDescription.close_notify) {
          // RFC 8446 §6.1: "Any data received after a closure alert has been received MUST be ignored."
          this.receivedCloseNotify = true;
          this.emit('end');
          if (this._phase === 'handshaking') {
            // RFC 8446 §6.1: "Each party MUST send a "close_notify" alert before closing its write
            // side of the connection, unless it has already sent some error alert." The handshake
            // ends unfinished (PeerClosed, no error alert): answer in kind, then close.
            this.rl.writeAlert('close_notify', AlertLevel.warning);
            this.sentCloseNotify = true;
            this.fail(new TlsError('PeerClosed', 'close_notify during the handshake'));
          } else this.maybeClosed();
          return;
        }
        if (ev.description === AlertDescription.user_canceled && ev.level === AlertLevel.warning) return;
        // RFC 5246 §7.2: "If an alert with a level of warning is sent and received, generally the
        // connection can continue normally" — in TLS 1.2, and before a version is chosen (as
        // OpenSSL). The record layer counts them (TooManyWarningAlerts, CVE-2016-8610).
        if (ev.level === AlertLevel.warning && this.rl.negotiatedVersion !== 'tls13') return;
        // RFC 8446 §6.2: in TLS 1.3 error alerts are fatal "regardless of the AlertLevel in the message".
        throw new TlsError('AlertReceived', `peer sent ${alertName(ev.description)}`, { peerAlert: ev.description });
      }
    }
  }

  /**
   * The handshake's window on the connection: one small object whose methods live on a prototype
   * (27 arrow functions per connection cost ≈1.5 KiB of every idle connection). Nested in the class
   * so it may touch the connection's private state.
   */
  private static readonly Io = class ConnectionIo implements HandshakeIo {
    constructor(private readonly c: ServerConnection) {}
    setVersion(v: Parameters<HandshakeIo['setVersion']>[0]): void {
      this.c.rl.setVersion(v);
      this.c.applySendLimit();
    }
    setRecordSizeLimits(peer: number, own: number): void {
      this.c.peerRecordLimit = peer;
      this.c.applySendLimit();
      this.c.rl.setOwnRecordSizeLimit(own);
    }
    // RFC 8446 §6.1 / RFC 5246 §7.2.1: after our close_notify we "will not send any more messages":
    // a KeyUpdate answering the peer's (§4.6.3 asks for one only before our next application data)
    // or a no_renegotiation warning is dropped.
    sendHandshake(raw: Uint8Array): void {
      if (!this.c.sentCloseNotify) this.c.rl.writeHandshake(raw);
    }
    sendChangeCipherSpec(): void {
      this.c.rl.writeChangeCipherSpec();
    }
    // The record layer copies what it needs: wipe the handshake's copy at once.
    setWriteKeys(k: TrafficKeys): void {
      try {
        this.c.rl.setWriteProtection(k);
      } finally {
        wipeKeys(k);
      }
    }
    setReadKeys(k: TrafficKeys): void {
      try {
        this.c.rl.setReadProtection(k);
      } finally {
        wipeKeys(k);
      }
    }
    handshakeDone(): void {
      this.c.rl.setHandshakeComplete();
      this.c._phase = 'open';
    }
    emit(e: HandshakeEvent): void {
      this.c.onHandshakeEvent(e);
    }
    now(): number {
      return this.c.context.now();
    }
    lookupPsk(identity: Uint8Array): ReturnType<HandshakeIo['lookupPsk']> {
      return this.c.context.sessions.lookupPsk(this.c, identity);
    }
    consumePsk(session: StoredSession): ReturnType<HandshakeIo['consumePsk']> {
      return this.c.context.sessions.consumePsk(this.c, session);
    }
    issueTicket(ticket: Parameters<HandshakeIo['issueTicket']>[0]): ReturnType<HandshakeIo['issueTicket']> {
      return this.c.context.sessions.issueTicket(this.c, ticket);
    }
    sessionAccepted(session: StoredSession): void {
      this.c.context.sessions.sessionAccepted(this.c, session);
    }
    sessionRefused(session: StoredSession, why: SessionRefusal): void {
      this.c.context.sessions.sessionRefused(this.c, session, why);
    }
    rejectEarlyData(maxBytes: number): void {
      this.c.rl.setRejectEarlyData(maxBytes);
    }
    lookupSession12(id: Uint8Array): ReturnType<HandshakeIo['lookupSession12']> {
      return this.c.context.sessions.lookupSession12(this.c, id);
    }
    openTicket12(ticket: Uint8Array): ReturnType<HandshakeIo['openTicket12']> {
      return this.c.context.sessions.openTicket12(this.c, ticket);
    }
    sessionIdForNewSession12(offersTicket: boolean): Uint8Array {
      return this.c.context.sessions.sessionIdForNewSession12(this.c, offersTicket);
    }
    wantsTicket12(offersTicket: boolean): boolean {
      return this.c.context.sessions.wantsTicket12(this.c, offersTicket);
    }
    newSession12(session: Parameters<HandshakeIo['newSession12']>[0]): void {
      this.c.context.sessions.newSession12(this.c, session);
    }
    issueTicket12(session: Parameters<HandshakeIo['issueTicket12']>[0]): Uint8Array | undefined {
      return this.c.context.sessions.issueTicket12(this.c, session);
    }
    sendWarningAlert(description: Parameters<HandshakeIo['sendWarningAlert']>[0]): void {
      if (!this.c.sentCloseNotify) this.c.rl.writeAlert(description, AlertLevel.warning);
    }
  };

  /** The handshake's window on this connection. */
  private readonly io: HandshakeIo = new ServerConnection.Io(this);

  private onHandshakeEvent(e: HandshakeEvent): void {
    switch (e.type) {
      case 'handshakeComplete':
        // The state machine is still inside ExpectFinished.handle(): `enter` finishes the job.
        this._info = e.info;
        return;
      case 'secret':
        if (this.keyLog) this.emit('keylog', `${e.label} ${hex(e.clientRandom)} ${hex(e.secret)}`);
        return;
      case 'keyUpdate':
        return;
    }
  }

  /**
   * Queues application data. Before the handshake completes it is buffered (at most
   * {@link MAX_EARLY_WRITE_BUFFER} bytes) and sent right after it.
   * @throws {@link ConnectionStateError} (`ERR_TLS_WRITE_AFTER_CLOSE`) when the connection is
   *   closed or we already sent close_notify; RangeError when the pre-handshake buffer would overflow.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('write(data): a Uint8Array is required');
    if (this._phase === 'closed' || this.sentCloseNotify) throw new ConnectionStateError('ERR_TLS_WRITE_AFTER_CLOSE', 'write after the connection was closed');
    if (this._phase === 'handshaking') {
      if (this.pendingWriteBytes + data.length > MAX_EARLY_WRITE_BUFFER) throw new RangeError('write(): too much data buffered before the handshake completed');
      this.pendingWrites.push(new Uint8Array(data));
      this.pendingWriteBytes += data.length;
      return;
    }
    this.writeNow(data);
  }

  private writeNow(data: Uint8Array): void {
    try {
      if (this.rl.keyUpdateNeeded && this.state.kind === 'Traffic13') this.state.updateWriteKeys(false);
      this.rl.writeApplicationData(data);
    } catch (e) {
      this.fail(e);
    }
  }

  private flushPendingWrites(): void {
    const pending = this.pendingWrites;
    this.pendingWrites = [];
    this.pendingWriteBytes = 0;
    for (const d of pending) this.writeNow(d);
  }

  /**
   * Sends `count` more TLS 1.3 session tickets (RFC 8446 §4.6.1), like OpenSSL's
   * `SSL_new_session_ticket`. Returns how many were sent (fewer when the session store has nowhere
   * to keep them).
   * @throws {@link ConnectionStateError} (`ERR_TLS_INVALID_STATE`) when the connection is not an
   *   open TLS 1.3 connection.
   */
  sendSessionTicket(count = 1): number {
    const state = this.state;
    if (this._phase !== 'open' || state.kind !== 'Traffic13' || this.sentCloseNotify) throw new ConnectionStateError('ERR_TLS_INVALID_STATE', 'sendSessionTicket(): the connection is not an open TLS 1.3 connection');
    let sent = 0;
    try {
      for (let i = 0; i < count; i++) if (state.sendNewSessionTicket()) sent++;
    } catch (e) {
      this.fail(e);
    }
    return sent;
  }

  /**
   * Sends a KeyUpdate (RFC 8446 §4.6.3), optionally asking the peer to update its keys too.
   * @throws {@link ConnectionStateError} (`ERR_TLS_INVALID_STATE`) when the connection is not an
   *   open TLS 1.3 connection.
   */
  keyUpdate(requestPeerUpdate = false): void {
    const state = this.state;
    if (this._phase !== 'open' || state.kind !== 'Traffic13' || this.sentCloseNotify) throw new ConnectionStateError('ERR_TLS_INVALID_STATE', 'keyUpdate(): the connection is not an open TLS 1.3 connection');
    try {
      state.updateWriteKeys(requestPeerUpdate);
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Keying material exported from this connection (RFC 8446 §7.5 in TLS 1.3; RFC 5705 §4 in TLS
   * 1.2, only with an extended master secret, RFC 7627 §5.4), OpenSSL's
   * `SSL_export_keying_material`: `length` bytes for `label` and the optional `context`. TLS 1.3
   * treats no context and an empty one alike; TLS 1.2 does not. The peer computes the same bytes.
   * @throws TypeError for a label that is not an ASCII string, a TLS 1.2 reserved label
   *   (`client finished`, `server finished`, `master secret`, `key expansion`,
   *   `extended master secret`), a context that is not a Uint8Array, a TLS 1.2 connection
   *   without extended master secret; RangeError for a length that is not a positive integer or
   *   exceeds the version's limit (TLS 1.3: 255 × the hash length); {@link ConnectionStateError}
   *   (`ERR_TLS_INVALID_STATE`) before the handshake completed or after the connection closed.
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    if (context !== undefined && !(context instanceof Uint8Array)) throw new TypeError('exportKeyingMaterial(context): a Uint8Array is required');
    const state = this.state;
    if (this._phase !== 'open' || (state.kind !== 'Traffic13' && state.kind !== 'Traffic12')) throw new ConnectionStateError('ERR_TLS_INVALID_STATE', 'exportKeyingMaterial(): the connection is not open');
    return state.exportKeyingMaterial(label, context, length);
  }

  /** Our Finished verify_data (RFC 8446 §4.4.4, RFC 5246 §7.4.9), once the handshake completed (Node's `getFinished()`); a view: copy it to keep it. */
  get finished(): Uint8Array | undefined {
    return this.finishedPair()?.server;
  }

  /** The client's Finished verify_data, once the handshake completed (Node's `getPeerFinished()`); a view. */
  get peerFinished(): Uint8Array | undefined {
    return this.finishedPair()?.client;
  }

  private finishedPair(): FinishedPair | undefined {
    const state = this.state;
    return state.kind === 'Traffic13' || state.kind === 'Traffic12' ? state.finished : undefined;
  }

  /**
   * Caps the plaintext of each record we send at `size` bytes (Node's `setMaxSendFragment`,
   * OpenSSL's `SSL_set_max_send_fragment`), under the peer's record_size_limit when it sent one
   * (RFC 8449 §4). Applies to the records sealed from now on.
   * @throws RangeError unless `size` is an integer in [512, 16384].
   */
  setMaxSendFragment(size: number): void {
    if (!Number.isInteger(size) || size < MIN_SEND_FRAGMENT || size > MAX_SEND_FRAGMENT) {
      throw new RangeError(`setMaxSendFragment(size): an integer in [${MIN_SEND_FRAGMENT}, ${MAX_SEND_FRAGMENT}], got ${String(size)}`);
    }
    this.sendFragmentCap = size;
    this.applySendLimit();
  }

  /** The record layer's limit on what we send: the peer's record_size_limit and our cap, the smaller. */
  private applySendLimit(): void {
    const cap = this.sendFragmentCap;
    // RFC 8449 §4: in TLS 1.3 the limit counts the inner content type byte too.
    const capLimit = cap === null ? null : this.rl.negotiatedVersion === 'tls13' ? cap + 1 : cap;
    const peer = this.peerRecordLimit;
    this.rl.setPeerRecordSizeLimit(capLimit === null ? peer : peer === null ? capLimit : Math.min(peer, capLimit));
  }

  /**
   * Sends close_notify (RFC 8446 §6.1) and closes our write side. Idempotent. During the
   * handshake it sends user_canceled then close_notify and closes the connection.
   */
  close(): void {
    if (this._phase === 'closed' || this.sentCloseNotify) return;
    if (this._phase === 'handshaking') this.rl.writeAlert('user_canceled', AlertLevel.warning);
    this.rl.writeAlert('close_notify', AlertLevel.warning);
    this.sentCloseNotify = true;
    if (this._phase === 'handshaking') this.finish(true);
    else this.maybeClosed();
  }

  /** Everything to send now (empty when there is nothing). The caller owns the buffer. */
  takeOutput(): Uint8Array {
    return this.rl.takeOutput();
  }

  /**
   * Everything to send now, in order (for vectored writes): one buffer per record-layer write, or
   * a record's header, ciphertext and tag apart for large writes with the node provider; `[]` when
   * there is nothing. The caller owns them.
   */
  takeOutputChunks(): Uint8Array[] {
    return this.rl.takeOutputChunks();
  }

  private maybeClosed(): void {
    if (this.sentCloseNotify && this.receivedCloseNotify) this.finish(true);
  }

  /**
   * The transport is gone (reset, error, `destroy()`): the connection closes without sending
   * anything. Unless we had sent close_notify, this is an unclean shutdown (session spec §5).
   */
  destroy(): void {
    this.finish(this.sentCloseNotify && this.receivedCloseNotify);
  }

  private finish(clean: boolean): void {
    if (this._phase === 'closed') return;
    this._phase = 'closed';
    // Best-effort wipe of whatever secrets the last state holds (traffic secrets, a master secret)
    // and of the record keys. Output already queued (an alert, close_notify) is sealed already.
    cleanState(this.state);
    this.rl.clean();
    this.context.sessions.connectionEnded(this, { clean: this.sentCloseNotify && this._error === null, fatal: this.fatalAlert });
    this.emit('close', clean && this._error === null);
  }

  /** The one boundary that catches: a `TlsError` sends its alert; anything else is our bug (internal_error). */
  private fail(e: unknown): void {
    if (this._phase === 'closed' && this._error) return;
    const err = isTlsError(e) ? e : new TlsError('Internal', e instanceof Error ? e.message : String(e), { cause: e });
    this._error = err;
    // A fatal alert sent or received invalidates the connection's sessions (session spec §3).
    this.fatalAlert = err.alertCode !== null || err.reason === 'AlertReceived';
    // After our close_notify nothing more is sent (RFC 8446 §6.1), not even the fatal alert; once
    // closed the record keys are wiped (finish), so nothing can be sent at all.
    if (err.alertCode !== null && !this.sentCloseNotify && this._phase !== 'closed') {
      try {
        this.rl.writeAlert(err.alertCode, AlertLevel.fatal);
      } catch {
        // The write side itself is broken (e.g. key exhausted): nothing more can be sent.
      }
    }
    this.emit('error', err);
    this.finish(false);
  }
}

/**
 * A ChangeCipherSpec record: only TLS 1.2 waits for one (RFC 5246 §7.1); anywhere else it is
 * unexpected (RFC 5246 §7.4.9: a Finished not preceded by a ChangeCipherSpec, and vice versa).
 */
function changeCipherSpec(state: ServerState): ServerState {
  switch (state.kind) {
    case 'ExpectChangeCipherSpec12':
      return state.handleChangeCipherSpec();
    case 'ExpectClientHello':
    case 'ExpectClientHello2':
    case 'AwaitSession':
    case 'ExpectEndOfEarlyData':
    case 'ExpectCertificate':
    case 'ExpectCertificateVerify':
    case 'ExpectFinished':
    case 'Traffic13':
    case 'ExpectCertificate12':
    case 'ExpectClientKeyExchange':
    // RFC 5246 §7.4.8: the CertificateVerify comes before the ChangeCipherSpec.
    case 'ExpectCertificateVerify12':
    case 'ExpectFinished12':
    case 'Traffic12':
      throw new TlsError('UnexpectedChangeCipherSpec', `ChangeCipherSpec in state ${state.kind}`);
    default:
      return assertNever(state);
  }
}

/** Best-effort wipe of the secrets the last state holds (traffic secrets, a master secret, an ephemeral key). */
function cleanState(state: ServerState): void {
  switch (state.kind) {
    case 'ExpectClientHello':
    case 'ExpectClientHello2':
    case 'AwaitSession':
      return;
    case 'ExpectEndOfEarlyData':
    case 'ExpectCertificate':
    case 'ExpectCertificateVerify':
    case 'ExpectFinished':
    case 'Traffic13':
    case 'ExpectCertificate12':
    case 'ExpectClientKeyExchange':
    case 'ExpectCertificateVerify12':
    case 'ExpectChangeCipherSpec12':
    case 'ExpectFinished12':
    case 'Traffic12':
      state.clean();
      return;
    default:
      assertNever(state);
  }
}

/** @throws TypeError / RangeError naming `options.ocspStaple` and what is wrong with it. */
function checkOcspStaple(o: OcspStaple, certificates: number): void {
  if (o === null || typeof o !== 'object') throw new TypeError('options.ocspStaple: { certificateIndex, response } is required');
  if (!Number.isInteger(o.certificateIndex) || o.certificateIndex < 0 || o.certificateIndex >= certificates) {
    throw new RangeError(`options.ocspStaple.certificateIndex: an index into the context's ${certificates} certificates, got ${String(o.certificateIndex)}`);
  }
  if (!(o.response instanceof Uint8Array)) throw new TypeError('options.ocspStaple.response: a Uint8Array is required');
  if (o.response.length === 0 || o.response.length > MAX_OCSP_RESPONSE) throw new RangeError(`options.ocspStaple.response: 1 to ${MAX_OCSP_RESPONSE} bytes (RFC 6066 §8), got ${o.response.length}`);
}

/** What `getCipher()` reports for a suite code. */
export function cipherName(code: number): { name: string; standardName: string; version: string } {
  const s = suiteByCode(code);
  if (!s) return { name: 'unknown', standardName: 'unknown', version: 'unknown' };
  return { name: s.opensslName, standardName: s.name, version: s.version === 0x0304 ? 'TLSv1.3' : 'TLSv1.2' };
}

function wipeKeys(k: TrafficKeys): void {
  k.key.fill(0);
  k.iv.fill(0);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
