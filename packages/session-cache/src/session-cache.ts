/**
 * `SessionCache`: OpenSSL's server-side session cache (the one inside an `SSL_CTX`) for puretls —
 * the internal store, the new/remove/get callbacks (+ `takeSession`), the modes, the limits and
 * the statistics (spec §3–§6). Sans-IO: the clock (`now()`), the only timer (the async lookup
 * deadline, `setTimer`), the logger and the randomness are injected, and nothing here ever awaits — async callbacks
 * surface as promises the server glue resolves into the connection's waiting state.
 *
 * Sessions are opaque to the cache (`Session.state`): it finds them, expires them, evicts them
 * and reports them, but whether a found session may be resumed is the handshake's decision — it
 * checks every TLS rule (version, suite, server name, extended master secret, binder…) in one
 * place, and the glue reports the verdict back, so a hit is counted only when the handshake
 * accepted the session.
 *
 * The handshake never calls this class. The server glue turns handshake events into calls:
 *
 * | handshake event / moment                  | glue calls                                   |
 * |-------------------------------------------|----------------------------------------------|
 * | ClientHello received (server mode)        | `handshakeStarted()`                         |
 * | `lookupSession(conn, id)`                 | `lookup(conn, id)` → found/miss or a promise of one |
 * | stateless ticket opened                   | `ticketOpened(session)` → found/miss         |
 * | the handshake refused a found session     | `refuse(found, why)` (a miss)                |
 * | TLS 1.3 binder verified on a stateful hit | `take(conn, session)` → `false` = refuse it (`notTaken`) |
 * | the handshake resumed a found session     | `accept(found)` (a hit)                      |
 * | `newSession(conn, session)`               | `newSession(conn, session)`                  |
 * | `handshakeComplete`                       | `handshakeCompleted()` (auto flush every 255) |
 * | `connectionEnded(conn, clean)` / fatal alert | `connectionEnded(sessionsOfConn, how)`    |
 */
import {
  MAX_SESSION_ID_LENGTH,
  createSession,
  equalBytes,
  isSession,
  sessionCost,
  sessionExpiresAt,
  withFields,
  type Session,
  type SessionInit,
} from './session';
import { isPromiseLike } from '@puretls/crypto';
import { SessionTable } from './session-table';

/** One mode flag (OpenSSL `SSL_SESS_CACHE_*`). Combine several in an array. */
export type SessionCacheMode =
  /** `SSL_SESS_CACHE_OFF`: no internal store, no new-session callback; the get callback is still consulted. */
  | 'off'
  /** `SSL_SESS_CACHE_SERVER` (default): cache server sessions. */
  | 'server'
  /** `SSL_SESS_CACHE_NO_AUTO_CLEAR`: no automatic flush every 255 handshakes. */
  | 'noAutoClear'
  /** `SSL_SESS_CACHE_NO_INTERNAL_LOOKUP`: never look in the internal store; always ask the get callback. */
  | 'noInternalLookup'
  /** `SSL_SESS_CACHE_NO_INTERNAL_STORE`: never store internally; the callbacks own the sessions. */
  | 'noInternalStore'
  /** `SSL_SESS_CACHE_NO_INTERNAL` = `noInternalLookup` + `noInternalStore`. */
  | 'noInternal'
  /** `SSL_SESS_CACHE_UPDATE_TIME`: a hit resets the session's `createdAt` to now. */
  | 'updateTime';

/** Why a session left the cache or was invalidated (the remove callback's third argument). */
export type RemoveReason =
  | 'expired'
  | 'evicted'
  | 'rejected'
  | 'consumed'
  | 'fatalAlert'
  | 'uncleanShutdown'
  | 'removed'
  | 'contextClosed'
  | 'replaced';

/**
 * `SSL_CTX_sess_set_new_cb`. Runs after the session entered the internal store. `false` (or a
 * promise of `false`) removes it again (reason `rejected`) and marks it not resumable; anything
 * else keeps it. Throwing / rejecting is caught, counted and logged. `info.stateless`: the session
 * travels in a stateless ticket (TLS 1.3 `tickets: 'stateless'`) and is never looked up by id, so
 * an external store need not keep it.
 */
export type NewSessionCallback<Conn> = (conn: Conn, session: Session, info: NewSessionInfo) => boolean | void | Promise<boolean | void>;

/** What the new-session callback learns besides the session. */
export interface NewSessionInfo {
  /** The session is carried in a stateless ticket: nobody will look it up by id. */
  readonly stateless: boolean;
}
/**
 * `SSL_CTX_sess_set_remove_cb`. Called exactly once per session object that leaves the cache or
 * is invalidated. May call `cache.remove()` itself (deferred, never recursive). Note `replaced`:
 * the id lives on with a newer session — an external store must not delete by id on `replaced`.
 */
export type RemoveSessionCallback<Conn> = (cache: SessionCache<Conn>, session: Session, reason: RemoveReason) => void;
/** What a get callback may return: a session, `{ session, copy }`, or nothing (a miss). */
export type GetSessionResult = Session | { readonly session: Session; readonly copy?: boolean } | undefined | null;
/**
 * `SSL_CTX_sess_set_get_cb`. `id` is the callback's own copy. `copy` (default `true`, OpenSSL's
 * `*copy = 1`): the store keeps using the object, so the engine treats it as shared; `false` hands
 * it over. Sessions are immutable, so both are safe.
 */
export type GetSessionCallback<Conn> = (conn: Conn, id: Uint8Array) => GetSessionResult | Promise<GetSessionResult>;
/**
 * Atomic single use for an external store (e.g. Redis `GETDEL`): `true` = this server took the
 * session, `false` = somebody else already did (the resumption fails as a miss). No OpenSSL
 * counterpart (rustls `StoresServerSessions::take`).
 */
export type TakeSessionCallback<Conn> = (conn: Conn, id: Uint8Array) => boolean | Promise<boolean>;

/** Where the cache reports caught callback errors. */
export interface SessionCacheLogger {
  warn(message: string, error?: unknown): void;
}

/** Starts a one-shot timer and returns its cancel function (the glue's `setTimeout`, or a fake). */
export type SetTimer = (ms: number, fn: () => void) => () => void;

/** Options of {@link SessionCache} (checked once, in the constructor). */
export interface SessionCacheOptions<Conn = unknown> {
  /** The clock, ms. Required: the cache never reads time itself. */
  readonly now: () => number;
  /** One flag or several (default `'server'`). Modifiers without `'server'` imply it; `'off'` is exclusive. */
  readonly mode?: SessionCacheMode | readonly SessionCacheMode[];
  /** Most sessions kept internally (default 20480, `SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`; 0 = unbounded). */
  readonly maxEntries?: number;
  /** Memory budget in bytes as counted by `sessionCost` (default 0 = unbounded). */
  readonly maxBytes?: number;
  /** Lifetime given to new sessions, s (default 7200, OpenSSL's). */
  readonly timeout?: number;
  /** Longest chain of resumptions after one full handshake, s (default 7 days). */
  readonly authTimeout?: number;
  /** Deadline of an async get/take callback, ms (default 50). */
  readonly lookupTimeoutMs?: number;
  /** Spec §5: remove a connection's sessions when it ends without our close_notify (default `true`). */
  readonly removeOnUncleanShutdown?: boolean;
  readonly newSession?: NewSessionCallback<Conn>;
  readonly removeSession?: RemoveSessionCallback<Conn>;
  readonly getSession?: GetSessionCallback<Conn>;
  readonly takeSession?: TakeSessionCallback<Conn>;
  /** Where caught callback errors are reported. Required: the cache has no console of its own. */
  readonly logger: SessionCacheLogger;
  /**
   * The timer for the deadline of async get/take callbacks. Required: the cache never starts a
   * timer itself (the server's context passes the runtime's `setTimeout`, tests a fake).
   */
  readonly setTimer: SetTimer;
  /**
   * The randomness source (`CryptoProvider.random`), for the hash table's seed — defence in depth
   * against patterned application ids, not a load-bearing secret. Default: a fixed seed.
   */
  readonly random?: (length: number) => Uint8Array;
}

/** Statistics (spec §4; OpenSSL `SSL_CTX_sess_*`). */
export interface SessionCacheStats {
  /** `SSL_CTX_sess_number`: sessions in the internal store now. */
  readonly number: number;
  /** `SSL_CTX_sess_accept`: handshakes started (glue: `handshakeStarted()`). */
  readonly accept: number;
  /** `SSL_CTX_sess_accept_good`: handshakes completed (glue: `handshakeCompleted()`). */
  readonly acceptGood: number;
  /**
   * `SSL_CTX_sess_hits`: sessions found in the internal store (or opened from a stateless ticket)
   * that the handshake then resumed (`accept`).
   */
  readonly hits: number;
  /** `SSL_CTX_sess_cb_hits`: sessions the get callback returned that the handshake then resumed. */
  readonly cbHits: number;
  /**
   * Lookups that ended without a resumption for any reason but expiry: not found, refused by the
   * handshake (`refuse`), callback error, deadline. Unlike OpenSSL's `sess_misses` (internal misses
   * only, even when the callback then hits): here `hits + cbHits + misses + timeouts` = lookups
   * that came to a verdict.
   */
  readonly misses: number;
  /** `SSL_CTX_sess_timeouts`: sessions found but expired (timeout or authTimeout). */
  readonly timeouts: number;
  /** `SSL_CTX_sess_cache_full`: sessions evicted because of `maxEntries`/`maxBytes`. */
  readonly cacheFull: number;
  /** Async get/take callbacks that missed the deadline. */
  readonly lookupTimeouts: number;
  /** Callbacks that threw or rejected (any of the four), or returned an invalid session. */
  readonly callbackErrors: number;
  /** Of the misses: TLS 1.3 binders that did not verify (`refuse(found, 'badBinder')`). */
  readonly binderFailures: number;
  /** Single-use sessions that were already taken (`take` → false), plus glue-reported replays. */
  readonly replaysRejected: number;
  /** Of the misses: sessions made under another configuration (`refuse(found, 'contextMismatch')`). */
  readonly contextMismatches: number;
}

/** A session found for a lookup (or opened from a ticket): the handshake decides whether it is used. */
export interface LookupHit {
  readonly kind: 'hit';
  readonly session: Session;
  readonly source: 'internal' | 'external' | 'ticket';
  /** External hits: the get callback's `copy` (the store still uses the object). `false` otherwise. */
  readonly shared: boolean;
}

/** Why a lookup found no usable session. */
export type MissReason =
  /** Neither the internal store nor the get callback had the id. */
  | 'notFound'
  /** `createdAt + timeout` passed (counted in `stats.timeouts`, removed with reason `expired`). */
  | 'expired'
  /** `authTime + authTimeout` passed: chained resumptions cannot extend the original authentication. */
  | 'authExpired'
  /** The session was invalidated before (a remove reason was delivered for it). */
  | 'notResumable'
  /** The get callback returned a session with another id, or a value that is not a valid session. */
  | 'invalidSession'
  /** The async get (or take) callback missed the `lookupTimeoutMs` deadline (`stats.lookupTimeouts`). */
  | 'lookupTimeout'
  /** The get callback threw or rejected (`stats.callbackErrors`). */
  | 'callbackError'
  /** The cache was closed. */
  | 'closed';

/** No usable session: continue with a full handshake. */
export interface LookupMiss {
  readonly kind: 'miss';
  readonly why: MissReason;
}
/** What {@link SessionCache.lookup} gives. */
export type LookupResult = LookupHit | LookupMiss;

/**
 * Why the handshake did not resume a found session (the glue's {@link SessionCache.refuse}): a TLS
 * rule said no (`mismatch`: another version, suite, server name, …; `contextMismatch`: made under
 * another configuration; `undecodable`: state the handshake cannot read), the TLS 1.3 binder did
 * not verify (`badBinder`), or {@link SessionCache.take} did not give a single-use session
 * (`notTaken`: taken already — counted there in `replaysRejected` — or the store failed).
 */
export type RefuseReason = 'mismatch' | 'contextMismatch' | 'undecodable' | 'badBinder' | 'notTaken';

const REFUSE_REASONS: ReadonlySet<string> = new Set<RefuseReason>(['mismatch', 'contextMismatch', 'undecodable', 'badBinder', 'notTaken']);

/** How a connection ended, for {@link SessionCache.connectionEnded}. */
export type ConnectionEnd = 'clean' | 'uncleanShutdown' | 'fatalAlert';

const MISS: Readonly<Record<MissReason, LookupMiss>> = Object.freeze(
  Object.fromEntries(
    (['notFound', 'expired', 'authExpired', 'notResumable', 'invalidSession', 'lookupTimeout', 'callbackError', 'closed'] as const).map((w) => [
      w,
      Object.freeze({ kind: 'miss', why: w } as const),
    ]),
  ) as Record<MissReason, LookupMiss>,
);

const STATELESS: NewSessionInfo = Object.freeze({ stateless: true });
const STATEFUL: NewSessionInfo = Object.freeze({ stateless: false });

/** OpenSSL `SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`. */
export const DEFAULT_MAX_ENTRIES = 20480;
/** OpenSSL's real default session timeout, s. */
export const DEFAULT_TIMEOUT = 7200;
/** Default `authTimeout`: 7 days, s. */
export const DEFAULT_AUTH_TIMEOUT = 7 * 24 * 3600;
/** Default deadline of async callbacks, ms. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 50;
/** OpenSSL flushes expired sessions every 255 good handshakes. */
export const AUTO_FLUSH_INTERVAL = 255;

interface ModeFlags {
  off: boolean;
  internalLookup: boolean;
  internalStore: boolean;
  autoClear: boolean;
  updateTime: boolean;
}

function parseMode(mode: SessionCacheMode | readonly SessionCacheMode[]): { flags: ModeFlags; list: readonly SessionCacheMode[] } {
  const list: readonly SessionCacheMode[] = typeof mode === 'string' ? [mode] : mode;
  if (!Array.isArray(list)) throw new TypeError('SessionCache: "mode" must be a mode name or an array of them');
  const known = new Set<SessionCacheMode>(['off', 'server', 'noAutoClear', 'noInternalLookup', 'noInternalStore', 'noInternal', 'updateTime']);
  for (const m of list) if (!known.has(m)) throw new RangeError(`SessionCache: unknown mode ${JSON.stringify(m)}`);
  const has = (m: SessionCacheMode): boolean => list.includes(m);
  if (has('off') && list.length > 1) throw new RangeError('SessionCache: mode "off" cannot be combined with other modes');
  const off = has('off');
  return {
    list: Object.freeze([...list]),
    flags: {
      off,
      internalLookup: !off && !has('noInternalLookup') && !has('noInternal'),
      internalStore: !off && !has('noInternalStore') && !has('noInternal'),
      autoClear: !has('noAutoClear'),
      updateTime: has('updateTime'),
    },
  };
}

function nonNegInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`SessionCache: "${name}" must be an integer >= 0, got ${String(v)}`);
  return v;
}


/**
 * The session cache of one server context.
 *
 * @typeParam Conn what the glue passes as `conn` to the callbacks (its connection object).
 */
export class SessionCache<Conn = unknown> {
  private readonly now: () => number;
  private flags: ModeFlags;
  private modeList: readonly SessionCacheMode[];
  private maxEntriesValue: number;
  private maxBytesValue: number;
  private timeoutValue: number;
  readonly authTimeout: number;
  readonly lookupTimeoutMs: number;
  readonly removeOnUncleanShutdown: boolean;
  private newCb: NewSessionCallback<Conn> | undefined;
  private removeCb: RemoveSessionCallback<Conn> | undefined;
  private getCb: GetSessionCallback<Conn> | undefined;
  private takeCb: TakeSessionCallback<Conn> | undefined;
  private readonly logger: SessionCacheLogger;
  private readonly setTimer: SetTimer;

  private readonly table: SessionTable;
  /** Sum of `sessionCost` over the internal store. */
  private bytes = 0;
  /** Sessions a remove reason was delivered for (or that were marked so): never resumed again. */
  private readonly dead = new WeakSet<Session>();
  /** Pending remove-callback deliveries (FIFO); drained at the end of every public call. */
  private readonly queue: { session: Session; reason: RemoveReason }[] = [];
  private draining = false;
  private handshakesSinceFlush = 0;
  private closed = false;

  private accepted = 0;
  private acceptedGood = 0;
  private hits = 0;
  private cbHits = 0;
  private misses = 0;
  private timeouts = 0;
  private cacheFull = 0;
  private lookupTimeouts = 0;
  private callbackErrors = 0;
  private binderFailures = 0;
  private replaysRejected = 0;
  private contextMismatches = 0;

  /**
   * @throws TypeError when `now` is missing or a callback is not a function; RangeError for a
   *   negative or fractional limit, an unknown mode, or `'off'` combined with other modes.
   */
  constructor(options: SessionCacheOptions<Conn>) {
    if (typeof options?.now !== 'function') throw new TypeError('SessionCache: "options.now" must be a function (ms clock)');
    this.now = options.now;
    if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('SessionCache: "options.random" must be a function (length) => Uint8Array');
    this.table = new SessionTable(options.random ? seedFrom(options.random(4)) : 0);
    const m = parseMode(options.mode ?? 'server');
    this.flags = m.flags;
    this.modeList = m.list;
    this.maxEntriesValue = nonNegInt('maxEntries', options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    // `insert` adds before it evicts, so a full cache briefly holds maxEntries + 1.
    this.table.sizeHint = this.maxEntriesValue === 0 ? 0 : this.maxEntriesValue + 1;
    this.maxBytesValue = nonNegInt('maxBytes', options.maxBytes ?? 0);
    this.timeoutValue = nonNegInt('timeout', options.timeout ?? DEFAULT_TIMEOUT);
    this.authTimeout = nonNegInt('authTimeout', options.authTimeout ?? DEFAULT_AUTH_TIMEOUT);
    this.lookupTimeoutMs = nonNegInt('lookupTimeoutMs', options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS);
    this.removeOnUncleanShutdown = options.removeOnUncleanShutdown ?? true;
    this.setNewSessionCallback(options.newSession);
    this.setRemoveSessionCallback(options.removeSession);
    this.setGetSessionCallback(options.getSession);
    this.setTakeSessionCallback(options.takeSession);
    if (typeof options.logger?.warn !== 'function') throw new TypeError('SessionCache: "options.logger" must be an object with a warn(message, error) method');
    if (typeof options.setTimer !== 'function') throw new TypeError('SessionCache: "options.setTimer" must be a function (ms, fn) => cancel');
    this.logger = options.logger;
    this.setTimer = options.setTimer;
  }

  // ---- configuration (SSL_CTX_set_* / SSL_CTX_get_*) ---------------------------------------------

  /** `SSL_CTX_sess_set_new_cb`; `undefined` clears it. @throws TypeError for a non-function. */
  setNewSessionCallback(cb: NewSessionCallback<Conn> | undefined): void {
    this.newCb = checkCallback('newSession', cb);
  }
  /** `SSL_CTX_sess_get_new_cb`: the callback or `undefined`. */
  getNewSessionCallback(): NewSessionCallback<Conn> | undefined {
    return this.newCb;
  }
  /** `SSL_CTX_sess_set_remove_cb`; `undefined` clears it. @throws TypeError for a non-function. */
  setRemoveSessionCallback(cb: RemoveSessionCallback<Conn> | undefined): void {
    this.removeCb = checkCallback('removeSession', cb);
  }
  /** `SSL_CTX_sess_get_remove_cb`. */
  getRemoveSessionCallback(): RemoveSessionCallback<Conn> | undefined {
    return this.removeCb;
  }
  /** `SSL_CTX_sess_set_get_cb`; `undefined` clears it. @throws TypeError for a non-function. */
  setGetSessionCallback(cb: GetSessionCallback<Conn> | undefined): void {
    this.getCb = checkCallback('getSession', cb);
  }
  /** `SSL_CTX_sess_get_get_cb`. */
  getGetSessionCallback(): GetSessionCallback<Conn> | undefined {
    return this.getCb;
  }
  /** The optional atomic take for external single use; `undefined` clears it. @throws TypeError for a non-function. */
  setTakeSessionCallback(cb: TakeSessionCallback<Conn> | undefined): void {
    this.takeCb = checkCallback('takeSession', cb);
  }
  /** The take callback or `undefined`. */
  getTakeSessionCallback(): TakeSessionCallback<Conn> | undefined {
    return this.takeCb;
  }

  /** `SSL_CTX_set_session_cache_mode`. @throws RangeError for an unknown mode or `'off'` combined. */
  setMode(mode: SessionCacheMode | readonly SessionCacheMode[]): void {
    const m = parseMode(mode);
    this.flags = m.flags;
    this.modeList = m.list;
  }
  /** `SSL_CTX_get_session_cache_mode`: the flags as given. */
  getMode(): readonly SessionCacheMode[] {
    return this.modeList;
  }

  /** `SSL_CTX_get_timeout`: the lifetime (s) given to sessions created from now on. */
  get timeout(): number {
    return this.timeoutValue;
  }
  /** `SSL_CTX_set_timeout`: affects new sessions only (each session carries its own `timeout`). */
  set timeout(seconds: number) {
    this.timeoutValue = nonNegInt('timeout', seconds);
  }

  /** `SSL_CTX_sess_get_cache_size` (0 = unbounded). */
  get maxEntries(): number {
    return this.maxEntriesValue;
  }
  /** `SSL_CTX_sess_set_cache_size`: a smaller bound evicts least recently used sessions now. */
  set maxEntries(n: number) {
    this.maxEntriesValue = nonNegInt('maxEntries', n);
    this.table.sizeHint = n === 0 ? 0 : n + 1;
    this.enforceLimits();
    this.drain();
  }
  /** The memory budget (0 = unbounded). */
  get maxBytes(): number {
    return this.maxBytesValue;
  }
  /** Sets the memory budget; evicts now if over it. */
  set maxBytes(n: number) {
    this.maxBytesValue = nonNegInt('maxBytes', n);
    this.enforceLimits();
    this.drain();
  }

  /**
   * Whether sessions made now can be resumed later: mode `server` and somewhere to put them (the
   * internal store or a new-session callback). The glue sends an empty TLS 1.2 session id and no
   * stateful TLS 1.3 ticket when this is `false` (spec §4: never issue what cannot be redeemed).
   */
  get storesSessions(): boolean {
    return !this.closed && !this.flags.off && (this.flags.internalStore || this.newCb !== undefined);
  }

  /**
   * A new session with this cache's `timeout` and `createdAt = now()` (and `authTime = createdAt`
   * unless given: pass the original `authTime` for a resumption's follow-up ticket).
   * @throws like `createSession`.
   */
  createSession(fields: Omit<SessionInit, 'createdAt' | 'timeout'> & { readonly createdAt?: number; readonly timeout?: number }): Session {
    return createSession({ createdAt: this.now(), timeout: this.timeoutValue, ...fields });
  }

  // ---- statistics ------------------------------------------------------------------------------

  /** Sessions in the internal store. */
  get size(): number {
    return this.table.count;
  }
  /** Bytes the internal store holds, as counted by `sessionCost`. */
  get byteSize(): number {
    return this.bytes;
  }
  /** A snapshot of the statistics. */
  get stats(): SessionCacheStats {
    return {
      number: this.table.count,
      accept: this.accepted,
      acceptGood: this.acceptedGood,
      hits: this.hits,
      cbHits: this.cbHits,
      misses: this.misses,
      timeouts: this.timeouts,
      cacheFull: this.cacheFull,
      lookupTimeouts: this.lookupTimeouts,
      callbackErrors: this.callbackErrors,
      binderFailures: this.binderFailures,
      replaysRejected: this.replaysRejected,
      contextMismatches: this.contextMismatches,
    };
  }
  /** Glue: a ClientHello arrived (`accept++`). */
  handshakeStarted(): void {
    this.accepted++;
  }
  /**
   * Glue: a handshake completed (`acceptGood++`). Every {@link AUTO_FLUSH_INTERVAL}th call flushes
   * expired sessions unless the mode has `noAutoClear`.
   */
  handshakeCompleted(): void {
    this.acceptedGood++;
    if (++this.handshakesSinceFlush >= AUTO_FLUSH_INTERVAL) {
      this.handshakesSinceFlush = 0;
      if (this.flags.autoClear) this.flush();
    }
  }
  /** Glue: a replay was detected outside the cache (e.g. 0-RTT freshness) (`replaysRejected++`). */
  replayRejected(): void {
    this.replaysRejected++;
  }

  // ---- the internal store ----------------------------------------------------------------------

  /**
   * `SSL_CTX_add_session`: puts `session` into the internal store (whatever the mode: this is an
   * explicit call), most recently used. An entry with the same id is replaced (remove reason
   * `replaced` for the old one); least recently used sessions are evicted to fit `maxEntries` and
   * `maxBytes` (`cacheFull++`, reason `evicted`).
   * @returns `false` when the session was not stored: the cache is closed, the session was
   *   invalidated before, or it alone exceeds `maxBytes` (then it is evicted at once).
   * @throws TypeError when `session` was not made by `createSession`/`decodeSession`.
   */
  add(session: Session): boolean {
    checkSession(session);
    try {
      return this.insert(session, true);
    } finally {
      this.drain();
    }
  }

  /**
   * The internal entry for `id` (moved to most recently used), or `undefined`. An expired entry is
   * removed (reason `expired`) and not returned. No validation beyond expiry, no statistics, no
   * callbacks besides that removal, no allocation: the hot path. The handshake uses {@link lookup}.
   */
  get(id: Uint8Array): Session | undefined {
    const e = this.table.find(id);
    if (e < 0) return undefined;
    // The expiry lives in the entry's row: the hot path never touches the Session object.
    if (this.table.expiredAt(e, this.now())) {
      this.removeEntry(e, 'expired');
      this.drain();
      return undefined;
    }
    this.table.touch(e);
    return this.table.at(e);
  }

  /** The internal entry for `id` without touching the LRU order or checking expiry. */
  peek(id: Uint8Array): Session | undefined {
    const e = this.table.find(id);
    return e < 0 ? undefined : this.table.at(e);
  }

  /** Every internal session, most recently used first (a snapshot array). */
  sessions(): Session[] {
    return this.table.snapshot();
  }

  /**
   * `SSL_CTX_remove_session`: removes a session (by id, or the session itself) and delivers the
   * remove callback once with `reason` (default `removed`). A session object that was never in the
   * internal store (mode `noInternalStore`) is still invalidated and reported. Safe to call from
   * inside the remove callback (the delivery is queued, never recursive, never doubled).
   * @returns whether anything was removed or invalidated (false: unknown id, or already invalidated).
   */
  remove(idOrSession: Uint8Array | Session, reason: RemoveReason = 'removed'): boolean {
    try {
      if (idOrSession instanceof Uint8Array) {
        const e = this.table.find(idOrSession);
        if (e < 0) return false;
        this.removeEntry(e, reason);
        return true;
      }
      checkSession(idOrSession);
      return this.retire(idOrSession, reason);
    } finally {
      this.drain();
    }
  }

  /**
   * Invalidates a session for a reason the glue observed — `fatalAlert` (a fatal alert on a
   * connection that created or resumed it) or `uncleanShutdown` (spec §5) — or any other reason.
   * Same as `remove(session, reason)`.
   */
  invalidate(session: Session, reason: RemoveReason): boolean {
    return this.remove(session, reason);
  }

  /**
   * Glue: a connection ended. `sessions` = every session it created or resumed (all its TLS 1.3
   * tickets). `fatalAlert` invalidates them all; `uncleanShutdown` too unless
   * `removeOnUncleanShutdown` is `false`; `clean` does nothing.
   */
  connectionEnded(sessions: Iterable<Session>, how: ConnectionEnd): void {
    if (how === 'clean' || (how === 'uncleanShutdown' && !this.removeOnUncleanShutdown)) return;
    for (const s of sessions) this.remove(s, how);
  }

  /**
   * `SSL_CTX_flush_sessions`: removes every internal session expired at `now` (default: the clock)
   * with reason `expired` (not counted in `timeouts`, which counts sessions clients proposed).
   * @returns how many were removed.
   */
  flush(now: number = this.now()): number {
    let n = 0;
    try {
      // Oldest → newest. Collected first: a delete may move other entries to other slots.
      // Deliveries are queued, so the callback cannot change the table under us.
      const expired: Session[] = [];
      for (let e = this.table.lruEntry; e !== -1; e = this.table.newerThan(e)) {
        if (now > this.table.expiresAt(e)) expired.push(this.table.at(e));
      }
      for (const s of expired) {
        this.removeEntry(this.table.find(s.id), 'expired');
        n++;
      }
      return n;
    } finally {
      this.drain();
    }
  }

  /**
   * `SSL_CTX_free` for the cache: removes every internal session with reason `contextClosed`. After
   * it, `add`/`newSession` store nothing, lookups miss (`closed`) and `take` fails.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // Oldest → newest, removed from the tail (the only entry whose slot is known after a delete).
      while (this.table.lruEntry !== -1) this.removeEntry(this.table.lruEntry, 'contextClosed');
      this.table.clear();
      this.bytes = 0;
    } finally {
      this.drain();
    }
  }

  // ---- handshake events ------------------------------------------------------------------------

  /**
   * Glue, on the handshake's `newSession` event (TLS 1.2: after both Finished of a full handshake
   * that sent a session id; TLS 1.3: once per stateful NewSessionTicket). Mode `off` or closed: does
   * nothing and returns `false`. Otherwise the session enters the internal store (unless
   * `noInternalStore`), then the new-session callback runs.
   * @returns whether the session is resumable: `false` when the callback said `false` (it was
   *   removed with reason `rejected`) or when there is nowhere to keep it; a promise when the
   *   callback returned one (it never rejects: errors are counted and logged).
   * @param options.store `false`: the callback only, no internal add (OpenSSL's TLS 1.3 stateless
   *   ticket: `ssl_update_cache` caches it only for anti-replay or a remove callback).
   * @param options.stateless the session travels in a stateless ticket (told to the callback).
   */
  newSession(conn: Conn, session: Session, options?: { readonly store?: boolean; readonly stateless?: boolean }): boolean | Promise<boolean> {
    checkSession(session);
    if (this.closed || this.flags.off || this.dead.has(session)) return false;
    try {
      const stored = this.flags.internalStore && options?.store !== false ? this.insert(session, true) : false;
      const cb = this.newCb;
      if (cb === undefined) return stored;
      let r: boolean | void | Promise<boolean | void>;
      try {
        r = cb(conn, session, options?.stateless ? STATELESS : STATEFUL);
      } catch (err) {
        this.callbackFailed('new-session callback threw', err);
        return !this.dead.has(session);
      }
      if (isPromiseLike<boolean | void>(r)) {
        return Promise.resolve(r).then(
          (v) => this.newSessionAnswered(session, v),
          (err: unknown) => {
            this.callbackFailed('new-session callback rejected', err);
            return !this.dead.has(session);
          },
        );
      }
      return this.newSessionAnswered(session, r);
    } finally {
      this.drain();
    }
  }

  private newSessionAnswered(session: Session, v: boolean | void): boolean {
    if (v === false) {
      this.retire(session, 'rejected');
      this.drain();
      return false;
    }
    return !this.dead.has(session);
  }

  /**
   * Glue, on `lookupSession(conn, id)`: find a session for `id`. Internal store first (unless
   * `off`/`noInternalLookup`); on a miss there the get callback (also in mode `off`). A found
   * session that is expired is removed (`expired`, `timeouts++`) and missed. A found session is
   * not counted yet: the handshake checks it and the glue reports the verdict with
   * {@link accept} (a hit) or {@link refuse} (a miss).
   *
   * @returns the result, synchronously when no async callback was involved; else a promise that
   *   settles within `lookupTimeoutMs` (late → miss `lookupTimeout`) and never rejects. While it is
   *   pending the connection sits in its waiting state.
   */
  lookup(conn: Conn, id: Uint8Array): LookupResult | Promise<LookupResult> {
    if (this.closed) return this.missed('closed');
    if (id.length === 0 || id.length > MAX_SESSION_ID_LENGTH) return this.missed('notFound');
    try {
      if (this.flags.internalLookup) {
        const e = this.table.find(id);
        if (e >= 0) return this.foundInternal(e);
      }
      if (this.getCb === undefined) return this.missed('notFound');
      return this.askExternal(conn, id);
    } finally {
      this.drain();
    }
  }

  /**
   * Glue, for a stateless ticket `openTicket` opened: the cache's own checks (closed, invalidated,
   * expired — counted in `timeouts`); nothing is stored or removed. The verdict comes later, like a
   * lookup's ({@link accept} / {@link refuse}). A ticket that does not open (not ours, a dropped key,
   * tampered) never reaches the cache and is counted nowhere, as in OpenSSL (no `sess_miss`).
   */
  ticketOpened(session: Session): LookupResult {
    checkSession(session);
    if (this.closed) return this.missed('closed');
    if (this.dead.has(session)) return this.missed('notResumable');
    const expired = this.expiry(session);
    if (expired) return this.timedOut(expired);
    return { kind: 'hit', session, source: 'ticket', shared: false };
  }

  /**
   * Glue: the handshake resumed `found` (TLS 1.3: after the binder verified and, for a single-use
   * session, after {@link take}). Counts the hit (`hits`, or `cbHits` for the get callback's); in
   * mode `updateTime` the session's `createdAt` becomes now; an external hit enters the internal
   * store unless `noInternalStore` (spec §3) — not a single-use session, which was taken.
   * @returns the session as the cache keeps it now (a copy with the new `createdAt` under `updateTime`).
   */
  accept(found: LookupHit): Session {
    checkSession(found.session);
    try {
      let s = found.session;
      if (found.source === 'external') this.cbHits++;
      else this.hits++;
      const now = this.now();
      const internal = found.source === 'internal' ? this.table.find(s.id) : -1;
      if (internal >= 0) this.table.touch(internal);
      if (this.flags.updateTime && s.createdAt !== now && !this.dead.has(s)) {
        s = withFields(s, { createdAt: now });
        if (internal >= 0) this.replaceSilently(s);
      }
      if (found.source === 'external' && this.flags.internalStore && !found.session.singleUse) this.insert(s, false);
      return s;
    } finally {
      this.drain();
    }
  }

  /**
   * Glue: the handshake did not resume `found` (see {@link RefuseReason}); counted in `misses`,
   * and in `contextMismatches` / `binderFailures` for those reasons. Nothing is
   * removed: a session another handshake could still use stays (a bad binder must not burn a ticket).
   * @throws TypeError when `found.session` was not made by `createSession`/`decodeSession`;
   *   RangeError for a `why` that is not a {@link RefuseReason} (API misuse: nothing is counted).
   */
  refuse(found: LookupHit, why: RefuseReason): void {
    checkSession(found?.session);
    if (!REFUSE_REASONS.has(why)) throw new RangeError(`SessionCache.refuse: "why" must be one of ${[...REFUSE_REASONS].join(', ')}, got ${JSON.stringify(why)}`);
    this.misses++;
    if (why === 'contextMismatch') this.contextMismatches++;
    else if (why === 'badBinder') this.binderFailures++;
  }

  /** The expiry verdict of `s` now, or `undefined` while it is valid. */
  private expiry(s: Session): 'expired' | 'authExpired' | undefined {
    const now = this.now();
    if (now > s.createdAt + s.timeout * 1000) return 'expired';
    if (now > s.authTime + this.authTimeout * 1000) return 'authExpired';
    return undefined;
  }

  private foundInternal(e: number): LookupResult {
    const s = this.table.at(e);
    // The expiry lives in the entry's row (the same bound as `expiry`): no Session field is read.
    if (this.table.expiredAt(e, this.now())) {
      const why = this.expiry(s) ?? 'expired';
      this.removeEntry(e, 'expired');
      return this.timedOut(why);
    }
    return { kind: 'hit', session: s, source: 'internal', shared: false };
  }

  private askExternal(conn: Conn, id: Uint8Array): LookupResult | Promise<LookupResult> {
    const cb = this.getCb!;
    const idCopy = id.slice(); // the callback may keep it; `id` is a view into the ClientHello
    let r: GetSessionResult | Promise<GetSessionResult>;
    try {
      r = cb(conn, idCopy);
    } catch (err) {
      this.callbackFailed('get-session callback threw', err);
      return this.missed('callbackError');
    }
    if (!isPromiseLike<GetSessionResult>(r)) return this.foundExternal(r, idCopy);
    return this.withDeadline(r, {
      value: (v) => this.foundExternal(v, idCopy),
      error: (err) => {
        this.callbackFailed('get-session callback rejected', err);
        return this.missed('callbackError');
      },
      late: () => this.missed('lookupTimeout'),
    });
  }

  /**
   * Races `p` against `lookupTimeoutMs` on the injected timer. Exactly one of the handlers runs;
   * a late settlement is ignored. The returned promise never rejects.
   */
  private withDeadline<T, R>(p: PromiseLike<T>, on: { value: (v: T) => R; error: (e: unknown) => R; late: () => R }): Promise<R> {
    return new Promise<R>((resolve) => {
      let settled = false;
      const finish = (f: () => R): void => {
        if (settled) return;
        settled = true;
        cancel();
        let out: R;
        try {
          out = f();
        } catch (err) {
          // Only our own bug can land here (handlers catch callback errors); do not hang.
          this.callbackFailed('session cache internal error', err);
          out = on.late();
        } finally {
          this.drain();
        }
        resolve(out);
      };
      let cancel: () => void = () => {};
      cancel = this.setTimer(this.lookupTimeoutMs, () => {
        finish(() => {
          this.lookupTimeouts++;
          return on.late();
        });
      });
      p.then(
        (v) => finish(() => on.value(v)),
        (e: unknown) => finish(() => on.error(e)),
      );
    });
  }

  private foundExternal(r: GetSessionResult, id: Uint8Array): LookupResult {
    if (this.closed) return this.missed('closed');
    if (r === undefined || r === null) return this.missed('notFound');
    let candidate: unknown = r;
    let copy = true;
    if (!isSession(r) && typeof r === 'object' && 'session' in r) {
      candidate = r.session;
      copy = r.copy ?? true;
    }
    let session: Session;
    if (isSession(candidate)) session = candidate;
    else {
      try {
        session = createSession(candidate as SessionInit); // a plain object from the store: validate + freeze
      } catch (err) {
        this.callbackFailed('get-session callback returned an invalid session', err);
        return this.missed('invalidSession');
      }
    }
    if (!equalBytes(session.id, id)) {
      this.callbackFailed('get-session callback returned a session with another id', undefined);
      return this.missed('invalidSession');
    }
    if (this.dead.has(session)) return this.missed('notResumable');
    const expired = this.expiry(session);
    if (expired) {
      this.retire(session, 'expired');
      return this.timedOut(expired);
    }
    return { kind: 'hit', session, source: 'external', shared: copy };
  }

  private timedOut(why: 'expired' | 'authExpired'): LookupMiss {
    this.timeouts++;
    return MISS[why];
  }

  private missed(why: MissReason): LookupMiss {
    this.misses++;
    return MISS[why];
  }

  /**
   * Glue, TLS 1.3 single use (spec §6): after the binder of a hit verified, take the session so
   * nobody else can use it. Internal entry: deleted atomically (remove reason `consumed`). If the
   * session may live in an external store (a get callback is set): the take callback decides
   * (`false` = already taken elsewhere), or without one the remove callback is told `consumed`.
   * A bad binder must not reach here (`refuse(found, 'badBinder')`): looking up alone consumes nothing.
   *
   * @returns `true` when this connection owns the session now; `false` → treat as a miss (full
   *   handshake), counted in `replaysRejected`. A promise when the take callback returned one
   *   (deadline `lookupTimeoutMs`: late → `false`); it never rejects.
   */
  take(conn: Conn, session: Session): boolean | Promise<boolean> {
    checkSession(session);
    try {
      if (this.closed || this.dead.has(session)) return this.takeFailed(session, false);
      const e = this.table.find(session.id);
      const internal = e >= 0 ? this.table.at(e) : undefined;
      if (e >= 0) this.deleteEntry(e); // atomic: no await between find and delete
      const cb = this.takeCb;
      if (cb === undefined) {
        // Without an external store the internal entry is the only copy: gone = taken already.
        if (internal === undefined && this.getCb === undefined) return this.takeFailed(session, false);
        this.consumed(session, internal);
        return true;
      }
      let r: boolean | Promise<boolean>;
      try {
        r = cb(conn, session.id.slice());
      } catch (err) {
        this.callbackFailed('take-session callback threw', err);
        return this.takeFailed(session, true, internal);
      }
      if (!isPromiseLike<boolean>(r)) return this.takeAnswered(session, internal, r);
      return this.withDeadline(r, {
        value: (v) => this.takeAnswered(session, internal, v),
        error: (err) => {
          this.callbackFailed('take-session callback rejected', err);
          return this.takeFailed(session, true, internal);
        },
        late: () => this.takeFailed(session, true, internal),
      });
    } finally {
      this.drain();
    }
  }

  private takeAnswered(session: Session, internal: Session | undefined, v: boolean): boolean {
    if (v === true) {
      this.consumed(session, internal);
      return true;
    }
    return this.takeFailed(session, false, internal);
  }

  /**
   * A take that did not succeed. `uncertain` (callback error or deadline): we cannot know whether
   * the store still holds it, so it is reported `consumed` to be safe (the store drops it) — a
   * single-use ticket must never be usable twice. Otherwise somebody else took it: mark dead only.
   */
  private takeFailed(session: Session, uncertain: boolean, internal?: Session): false {
    if (uncertain) this.consumed(session, internal);
    else {
      this.dead.add(session);
      if (internal !== undefined) this.dead.add(internal);
      this.replaysRejected++;
    }
    return false;
  }

  private consumed(session: Session, internal: Session | undefined): void {
    if (internal !== undefined && internal !== session) this.dead.add(internal); // same session, older copy
    this.fire(session, 'consumed');
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * Inserts into the internal store. `report`: deliver `replaced` for an older session object under
   * the same id (an explicit add); `false` for a re-fetched external hit (the same session again).
   */
  private insert(session: Session, report: boolean): boolean {
    if (this.closed || this.dead.has(session)) return false;
    const cost = sessionCost(session);
    if (this.maxBytesValue !== 0 && cost > this.maxBytesValue) {
      // It can never fit: it leaves at once, like any evicted session.
      this.cacheFull++;
      const e = this.table.find(session.id);
      if (e >= 0 && this.table.at(e) !== session) this.removeEntry(e, 'replaced');
      this.fire(session, 'evicted');
      return false;
    }
    const old = this.table.set(session, sessionExpiresAt(session, this.authTimeout));
    if (old !== undefined) {
      this.bytes -= sessionCost(old);
      // An external re-fetch (`report` false) is the same session again: the old object is not
      // invalidated, so retiring it later still finds the entry by id.
      if (old !== session && report) this.fire(old, 'replaced');
    }
    this.bytes += cost;
    this.enforceLimits();
    return true;
  }

  /** Evicts least recently used sessions until `maxEntries` and `maxBytes` hold. */
  private enforceLimits(): void {
    const maxN = this.maxEntriesValue, maxB = this.maxBytesValue;
    while (this.table.count > 0 && ((maxN !== 0 && this.table.count > maxN) || (maxB !== 0 && this.bytes > maxB))) {
      this.cacheFull++;
      this.removeEntry(this.table.lruEntry, 'evicted');
    }
  }

  /** Replaces the internal entry with an updated copy of the same session (no callback). */
  private replaceSilently(s: Session): void {
    // The old object stays valid: a connection holding it can still invalidate the entry by id.
    const old = this.table.set(s, sessionExpiresAt(s, this.authTimeout));
    if (old !== undefined) this.bytes += sessionCost(s) - sessionCost(old);
  }

  private deleteEntry(e: number): Session {
    const s = this.table.deleteEntry(e);
    this.bytes -= sessionCost(s);
    return s;
  }

  private removeEntry(e: number, reason: RemoveReason): void {
    this.fire(this.deleteEntry(e), reason);
  }

  /**
   * Removes `session` (and the internal entry with its id, which may be an updated copy of it)
   * and reports it once. @returns false when it was already invalidated.
   */
  private retire(session: Session, reason: RemoveReason): boolean {
    if (this.dead.has(session)) return false;
    const e = this.table.find(session.id);
    if (e >= 0) {
      const internal = this.deleteEntry(e);
      if (internal !== session) this.dead.add(internal);
    }
    this.fire(session, reason);
    return true;
  }

  /** Marks `session` invalidated and queues its one remove-callback delivery. */
  private fire(session: Session, reason: RemoveReason): void {
    if (this.dead.has(session)) return;
    this.dead.add(session);
    if (this.removeCb !== undefined) this.queue.push({ session, reason });
  }

  /**
   * Delivers queued remove callbacks in order. Runs at the end of every public call, so the
   * callback always sees a consistent cache; a call from inside the callback only queues (its
   * delivery follows once the current one returns): no recursion.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const { session, reason } = this.queue[i]!;
        const cb = this.removeCb;
        if (cb === undefined) continue;
        try {
          cb(this, session, reason);
        } catch (err) {
          this.callbackFailed('remove-session callback threw', err);
        }
      }
      this.queue.length = 0;
    } finally {
      this.draining = false;
    }
  }

  private callbackFailed(message: string, err: unknown): void {
    this.callbackErrors++;
    try {
      this.logger.warn(message, err);
    } catch {
      // A logger that throws must not break the handshake either.
    }
  }
}

function seedFrom(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) | 0;
}

function checkCallback<F>(name: string, cb: F | undefined): F | undefined {
  if (cb !== undefined && typeof cb !== 'function') throw new TypeError(`SessionCache: "${name}" callback must be a function or undefined`);
  return cb;
}

function checkSession(s: Session): void {
  if (!isSession(s)) throw new TypeError('SessionCache: expected a Session made by createSession or decodeSession');
}
