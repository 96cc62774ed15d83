/**
 * `ServerContext`: the configuration shared by many connections (OpenSSL's `SSL_CTX`).
 * Options are checked once, here; a bad option throws a `TypeError`/`RangeError` (or a `KeyError`
 * for unusable keys and certificates) naming it.
 */
import {
  checkKeyMatchesCertificate,
  createNobleProvider,
  createNodeProvider,
  parseCertificateChain,
  parsePrivateKey,
  signatureSchemesFor,
  type CryptoProvider,
  type NamedGroup,
  type RandomSource,
} from '@puretls/crypto';
import {
  DEFAULT_MAX_KEY_SHARES,
  MAX_CLIENT_HELLO_LENGTH,
  DEFAULT_MAX_PSK_IDENTITIES,
  MAX_PSK_IDENTITY_LENGTH,
  MAX_TICKET_LIFETIME_S,
  SUITES,
  suiteByName,
  type CertifiedKey,
  type ExternalPskQuery,
  type HandshakeConfig,
} from '@puretls/handshake-state-machine';
import { MAX_USELESS_RECORDS as MAX_EMPTY_RECORDS, MAX_WARNING_ALERTS } from '@puretls/record-layer';
import {
  SessionCache,
  TicketKeyRing,
  type GetSessionCallback,
  type NewSessionCallback,
  type RemoveSessionCallback,
  type SessionCacheMode,
  type SessionCacheLogger,
  type SessionCacheStats,
  type SetTimer,
  type TakeSessionCallback,
  type TicketKeyRingJson,
} from '@puretls/session-cache';
import type { SessionGlue } from './session-glue';
import { CacheSessionGlue, type TicketMode } from './sessions';
import type { ServerConnection } from './connection';
import type { ConnectionContext } from './connection-context';
import { makeClientAuth, type ClientAuthOptions, type ClientAuthPolicy } from './client-auth';

/** One certificate chain and its private key, PEM (or DER) text or bytes. */
export interface CertificateOption {
  /** PEM chain, leaf first (or one DER certificate). */
  readonly cert: string | Uint8Array;
  /** PEM or DER private key: PKCS#8, SEC1 or PKCS#1; not encrypted. */
  readonly key: string | Uint8Array;
}

/** A TLS version by Node's name (`minVersion`/`maxVersion`): puretls serves TLS 1.2 and TLS 1.3. */
export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

/** What {@link ServerContextOptions.externalPsk} is told about the handshake asking. */
export interface ExternalPskInfo {
  /** `'TLSv1.3'`: a pre_shared_key identity; `'TLSv1.2'`: the identity of an ECDHE-PSK ClientKeyExchange. */
  readonly version: TlsVersionName;
  /** The SNI host name the client sent, if any. */
  readonly serverName: string | undefined;
  /** The connection asking (`undefined` only when the context's handshake is driven without one). */
  readonly connection: ServerConnection | undefined;
}

/**
 * External PSKs (see {@link ServerContextOptions.externalPsk}): the key for `identity` (1–512
 * bytes, copied at once), or `undefined` for an unknown identity. Synchronous.
 */
export type ExternalPskCallback = (identity: Uint8Array, info: ExternalPskInfo) => Uint8Array | undefined;

/**
 * The options of a {@link ServerContext} (one configuration, like OpenSSL's `SSL_CTX`): certificates,
 * versions, suites, groups, ALPN, the crypto provider and randomness, limits, the session cache and
 * its callbacks, tickets, client authentication. Every name is listed in the package README; any
 * other name is refused with a `TypeError` (nothing fails open).
 */
export interface ServerContextOptions extends ClientAuthOptions {
  /**
   * Certificates; the first is the default when SNI matches none. May be empty (a server whose
   * certificates come only from SNI contexts): every handshake that needs a certificate then
   * fails with handshake_failure, as OpenSSL's does without one.
   */
  readonly certificates: readonly CertificateOption[];
  /**
   * Enabled cipher suites in preference order: IANA or OpenSSL names, as an array or a
   * colon-separated string. Default: all, TLS 1.3 first (AES-128-GCM, AES-256-GCM, ChaCha20).
   */
  readonly cipherSuites?: readonly string[] | string;
  /** Server preference for suites (default `true`), like OpenSSL's `SSL_OP_CIPHER_SERVER_PREFERENCE`. */
  readonly honorCipherOrder?: boolean;
  /** Enabled groups in preference order. Default `['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']` (the hybrid first: with the default `'avoid-hrr'` selection a client without an ML-KEM share still gets x25519 in one round trip). */
  readonly groups?: readonly (NamedGroup | 'P-256' | 'P-384' | 'prime256v1')[] | string;
  /** See {@link HandshakeConfig.groupSelection}. Default `'avoid-hrr'`. */
  readonly groupSelection?: 'avoid-hrr' | 'server';
  /** ALPN protocols in preference order (RFC 7301). Default none. */
  readonly alpnProtocols?: readonly string[];
  /** Lowest version served. Default `'TLSv1.2'` (TLS 1.2 and 1.3 on one port; 1.3 when the client offers it). */
  readonly minVersion?: TlsVersionName;
  /** Highest version served. Default `'TLSv1.3'`. */
  readonly maxVersion?: TlsVersionName;
  /** `'noble'` (default, pure TypeScript), `'node'` (native `node:crypto`), or a provider. */
  readonly crypto?: 'noble' | 'node' | CryptoProvider;
  /** The randomness source (default: the platform CSPRNG). Ignored when `crypto` is a provider. */
  readonly random?: RandomSource;
  /** Accept RSA keys below 2048 bits (only for tests such as the RFC 8448 replay). Default `false`. */
  readonly allowWeakRsa?: boolean;
  /**
   * A cap on every handshake message from a client, in bytes (at least 1024). Default: none — each
   * message type is bounded by what its syntax allows (a ClientHello 131,396 bytes, a Finished 48,
   * …; `clientMessageLimit` in @puretls/handshake-state-machine), checked from its header before
   * any of it is buffered; larger → decode_error (`MessageTooLarge`).
   */
  readonly maxHandshakeMessageLength?: number;
  /**
   * Largest ClientHello body in bytes, 512..131,396; larger → decode_error (`MessageTooLarge`) from
   * its header. Default 131,396: the largest the wire format allows (OpenSSL's bound too), so every
   * ClientHello a client can send is read (in time and memory linear in its size).
   */
  readonly maxClientHelloLength?: number;
  /** Key shares of a ClientHello considered; later ones are ignored (CPU bound per handshake). Default 8. */
  readonly maxKeyShares?: number;
  /** PSK identities of a ClientHello looked up (one ticket decryption each); later ones are ignored. Default 8. */
  readonly maxPskIdentities?: number;
  /** Consecutive records without content (empty application data, compatibility CCS) tolerated; one more → unexpected_message. Default 32 (OpenSSL's MAX_EMPTY_RECORDS). */
  readonly maxEmptyRecords?: number;
  /**
   * Consecutive warning alerts tolerated; one more → unexpected_message. Default 4 (the 5th fails,
   * like OpenSSL's MAX_WARN_ALERT_COUNT; CVE-2016-8610). In TLS 1.2, and before a version is chosen,
   * any warning but close_notify lets the connection go on (RFC 5246 §7.2); in TLS 1.3 only
   * user_canceled does — every other alert ends it (RFC 8446 §6.2).
   */
  readonly maxWarningAlerts?: number;
  /** KeyUpdates received in a row without application data in between; one more → unexpected_message. Default 32. */
  readonly maxKeyUpdates?: number;
  /** The clock, in ms since the epoch (default `Date.now`). Tests inject one to move time. */
  readonly now?: () => number;
  /**
   * The one timer the session subsystem needs (the deadline of an asynchronous get/take session
   * callback): `(ms, fn) => cancel`. Default: the runtime's `setTimeout`/`clearTimeout`.
   */
  readonly setTimer?: SetTimer;
  /** Where the session cache reports callback errors it caught. Default: `console.warn`. */
  readonly logger?: SessionCacheLogger;
  /** Session lifetime in seconds (default 7200, OpenSSL's); TLS 1.3 tickets live min(this, 604800). */
  readonly sessionTimeout?: number;
  /** max_early_data_size for 0-RTT on single-use tickets (default 0: no 0-RTT). */
  readonly maxEarlyData?: number;
  /** Allow TLS 1.3 resumption without (EC)DHE (`psk_ke`). Default `true`. */
  readonly allowPskKe?: boolean;
  /** TLS 1.2: refuse clients without extended_master_secret (RFC 7627) with handshake_failure. Default `false`. */
  readonly requireExtendedMasterSecret?: boolean;
  /**
   * TLS 1.3 tickets (session spec §6): `'stateless'` (default: the session sealed under the ticket
   * key ring), `'stateful'` (a 32-byte id in the session cache; single use; 0-RTT possible), `'off'`.
   * `'off'` also turns RFC 5077 tickets off in TLS 1.2.
   */
  readonly tickets?: TicketMode;
  /**
   * RFC 5077 session tickets in TLS 1.2. Default: on unless `tickets` is `'off'`. `false` with
   * `tickets: 'stateful'` is OpenSSL's `SSL_OP_NO_TICKET` (session ids in TLS 1.2, tickets that
   * name cache entries in TLS 1.3).
   */
  readonly tls12Tickets?: boolean;
  /** TLS 1.3 tickets after a full handshake (default 2; 1 after a resumption). */
  readonly numTickets?: number;
  /** Session cache mode(s) (spec §4): `'server'` (default), `'off'`, `'noAutoClear'`, `'noInternalLookup'`, `'noInternalStore'`, `'noInternal'`, `'updateTime'`. */
  readonly sessionCacheMode?: SessionCacheMode | readonly SessionCacheMode[];
  /** Most sessions kept in memory (default 20480; 0 = unbounded). */
  readonly sessionCacheSize?: number;
  /** Memory budget of the session cache in bytes (default 0 = unbounded). */
  readonly sessionCacheMaxBytes?: number;
  /** Longest chain of resumptions after one full handshake, s (default 7 days). */
  readonly authTimeout?: number;
  /** Deadline of an asynchronous get/take session callback, ms (default 50). */
  readonly lookupTimeoutMs?: number;
  /** Remove a connection's sessions when it ends without our close_notify (spec §5; default `true`). */
  readonly removeOnUncleanShutdown?: boolean;
  /** OpenSSL `SSL_CTX_sess_set_new_cb`. */
  readonly newSession?: NewSessionCallback<ServerConnection>;
  /** OpenSSL `SSL_CTX_sess_set_remove_cb`. */
  readonly removeSession?: RemoveSessionCallback<ServerConnection>;
  /** OpenSSL `SSL_CTX_sess_set_get_cb`. */
  readonly getSession?: GetSessionCallback<ServerConnection>;
  /** Atomic single use for external stores (e.g. Redis GETDEL), spec §6. */
  readonly takeSession?: TakeSessionCallback<ServerConnection>;
  /** The ticket key ring, or its exported JSON (several servers share it). Default: a fresh ring. */
  readonly ticketKeys?: TicketKeyRing | TicketKeyRingJson | string;
  /** Ticket key rotation interval, ms (default: the key ring's). */
  readonly ticketKeyRotationMs?: number;
  /** Bytes mixed into the context fingerprint sessions are bound to (OpenSSL's session id context). */
  readonly sessionIdContext?: Uint8Array;
  /** Advanced: makes stateful TLS 1.3 ticket ids (default 32 random bytes; replays inject published ones). */
  readonly ticketIdGenerator?: () => Uint8Array;
  /** Advanced: replace the whole session subsystem (the handshake's session hooks). */
  readonly sessions?: SessionGlue;
  /** Advanced: see {@link HandshakeConfig.advertisedGroups}. */
  readonly advertisedGroups?: readonly number[];
  /**
   * Send a `cookie` in HelloRetryRequest (RFC 8446 §4.2.2): `true` for 32 random bytes, or a
   * function making them (the RFC 8448 replay injects the published one). Default `false`: no
   * cookie, as OpenSSL, rustls, Go and Node (strict clients reject an unexpected one); a second
   * ClientHello must then carry none. The server is stateful across the retry either way.
   */
  readonly hrrCookie?: boolean | (() => Uint8Array);
  /**
   * Our record_size_limit (RFC 8449), as sent in TLS 1.3 (content type and padding included):
   * 64..16385. Default 16385 (2^14 + 1, the protocol's limit). Sent, and enforced on the client's
   * protected records (record_overflow), only when the client offers the extension; TLS 1.2
   * sends one less (at most 2^14, at least 64).
   */
  readonly recordSizeLimit?: number;
  /**
   * External PSKs (TLS 1.3 RFC 8446 §4.2.11, TLS 1.2 ECDHE-PSK RFC 5489), Node's `pskCallback`
   * in sans-IO form: called with a PSK identity the client offers, answers the key or `undefined`.
   * TLS 1.3: every pre_shared_key identity (up to 256 bytes) is asked here first, then tried as a
   * ticket (OpenSSL's order); the PSK is a SHA-256 one (suites with another hash do not use it)
   * and its binder uses the "ext binder" label; key exchange psk_dhe_ke (psk_ke only with
   * `allowPskKe`); a server without certificates prefers SHA-256 suites (OpenSSL's rule). TLS 1.2:
   * ECDHE-PSK-CHACHA20-POLY1305 becomes negotiable (when in `cipherSuites`); an unknown identity
   * is refused with unknown_psk_identity. A throw or an answer that is no key fails the handshake
   * with internal_error (`ExternalPskCallbackFailed`). No 0-RTT with an external PSK; a TLS 1.3
   * external PSK handshake is `resumed` (OpenSSL's `SSL_session_reused`) and gets one ticket, as
   * a resumption. Default: none.
   */
  readonly externalPsk?: ExternalPskCallback;
  /**
   * TLS 1.2 ECDHE-PSK: the psk_identity_hint sent in ServerKeyExchange (RFC 4279 §5.2), a string
   * (UTF-8) or bytes, at most 256 bytes. Needs `externalPsk`. Default: an empty hint.
   */
  readonly pskIdentityHint?: string | Uint8Array;
}

/** The runtime's one-shot timer (every JavaScript runtime has `setTimeout`). */
const runtimeTimer: SetTimer = (ms, fn) => {
  const h = setTimeout(fn, ms);
  return () => clearTimeout(h);
};
/** The default logger of the session cache. */
const consoleLogger: SessionCacheLogger = { warn: (message, error) => console.warn(`[puretls session-cache] ${message}`, error) };
/**
 * Every option name of {@link ServerContextOptions}: the constructor refuses any other (nothing
 * fails open). A `Record` over the interface's keys, so the interface cannot grow without it.
 */
const OPTION_NAMES: Readonly<Record<keyof ServerContextOptions, true>> = {
  certificates: true,
  cipherSuites: true,
  honorCipherOrder: true,
  groups: true,
  groupSelection: true,
  alpnProtocols: true,
  minVersion: true,
  maxVersion: true,
  crypto: true,
  random: true,
  allowWeakRsa: true,
  maxHandshakeMessageLength: true,
  maxClientHelloLength: true,
  maxKeyShares: true,
  maxPskIdentities: true,
  maxEmptyRecords: true,
  maxWarningAlerts: true,
  maxKeyUpdates: true,
  now: true,
  setTimer: true,
  logger: true,
  sessionTimeout: true,
  maxEarlyData: true,
  allowPskKe: true,
  requireExtendedMasterSecret: true,
  tickets: true,
  tls12Tickets: true,
  numTickets: true,
  sessionCacheMode: true,
  sessionCacheSize: true,
  sessionCacheMaxBytes: true,
  authTimeout: true,
  lookupTimeoutMs: true,
  removeOnUncleanShutdown: true,
  newSession: true,
  removeSession: true,
  getSession: true,
  takeSession: true,
  ticketKeys: true,
  ticketKeyRotationMs: true,
  sessionIdContext: true,
  ticketIdGenerator: true,
  sessions: true,
  advertisedGroups: true,
  hrrCookie: true,
  recordSizeLimit: true,
  requestCert: true,
  rejectUnauthorized: true,
  ca: true,
  externalPsk: true,
  pskIdentityHint: true,
};

/** The option names `new ServerContext()` accepts (the Node adapter's option table starts from them). */
export const SERVER_CONTEXT_OPTIONS: readonly (keyof ServerContextOptions)[] = Object.freeze(Object.keys(OPTION_NAMES) as (keyof ServerContextOptions)[]);

/** Options that no longer exist: refused by name, with what to use instead. */
export const REMOVED_CONTEXT_OPTIONS: Readonly<Record<string, string>> = {
  maxClientHelloExtensions: 'extensions are no longer counted (any number the wire format allows is read in linear time); bound the size with maxClientHelloLength',
  makeHrrCookie: 'use hrrCookie: () => Uint8Array',
};

const GROUP_ALIASES: Readonly<Record<string, NamedGroup>> = {
  x25519: 'x25519',
  secp256r1: 'secp256r1',
  'p-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  'p-384': 'secp384r1',
  x25519mlkem768: 'X25519MLKEM768',
};
/** Default `maxKeyUpdates`: 32 KeyUpdates in a row without application data. */
export const DEFAULT_MAX_KEY_UPDATES = 32;
const DEFAULT_GROUPS: readonly NamedGroup[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'];
const VERSION: Readonly<Record<TlsVersionName, 0x0303 | 0x0304>> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

/** The per-server configuration every `ServerConnection` of it shares. */
export class ServerContext implements ConnectionContext {
  readonly provider: CryptoProvider;
  readonly handshake: HandshakeConfig;
  readonly maxHandshakeMessageLength: number | undefined;
  /** Per-connection record limits: see the options of the same names. */
  readonly maxEmptyRecords: number;
  readonly maxWarningAlerts: number;
  readonly maxKeyUpdates: number;
  /** The clock (ms). */
  readonly now: () => number;
  /** The session subsystem's glue. */
  readonly sessions: SessionGlue;
  /** The session cache this context owns (like the cache inside an `SSL_CTX`). */
  readonly sessionCache: SessionCache<ServerConnection>;
  /** The ticket key ring (TLS 1.3 stateless tickets, RFC 5077 tickets). */
  readonly ticketKeys: TicketKeyRing;
  /** TLS 1.3 ticket mode. */
  readonly tickets: TicketMode;
  /** The fingerprint of the security-relevant configuration sessions are bound to (spec §6). */
  readonly contextId: Uint8Array;
  /** Session lifetime in seconds. */
  readonly sessionTimeout: number;
  /** Client certificate authentication (`requestCert`, `rejectUnauthorized`, `ca`), or `undefined` when no certificate is requested. */
  readonly clientAuth: ClientAuthPolicy | undefined;
  /** The `externalPsk` option (each connection hands itself to it), or `undefined`. */
  readonly externalPsk: ExternalPskCallback | undefined;

  /**
   * @throws TypeError for an option name it does not know (or one removed: the message says what
   *   to use instead); TypeError / RangeError for a malformed option (the message names it);
   *   KeyError for a key or certificate that cannot be used (encrypted, weak, mismatched, …).
   */
  constructor(options: ServerContextOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('options: an object is required');
    for (const name of Object.keys(options)) {
      if (Object.hasOwn(OPTION_NAMES, name)) continue;
      const instead = REMOVED_CONTEXT_OPTIONS[name];
      throw new TypeError(instead !== undefined ? `options.${name}: no longer supported: ${instead}` : `options.${name}: unknown option (ServerContext options are listed in the @puretls/server README)`);
    }
    this.provider = makeProvider(options);
    const certs = options.certificates;
    if (!Array.isArray(certs)) throw new TypeError('options.certificates: an array of { cert, key }');
    const certificates = certs.map((c, i) => loadCertifiedKey(c, i, options.allowWeakRsa ?? false));
    const minVersion = VERSION[options.minVersion ?? 'TLSv1.2'];
    const maxVersion = VERSION[options.maxVersion ?? 'TLSv1.3'];
    if (minVersion === undefined) throw new RangeError(`options.minVersion: 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(options.minVersion)}`);
    if (maxVersion === undefined) throw new RangeError(`options.maxVersion: 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(options.maxVersion)}`);
    if (minVersion > maxVersion) throw new RangeError('options.minVersion is above options.maxVersion');
    const suites = parseSuites(options.cipherSuites);
    if (!suites.some((code) => SUITES.find((s) => s.code === code)!.version >= minVersion)) {
      throw new RangeError('options.cipherSuites: no suite enabled for the enabled versions');
    }
    const alpn = options.alpnProtocols ?? [];
    for (const p of alpn) {
      if (typeof p !== 'string' || p.length === 0 || p.length > 255 || /[^\x20-\x7e]/.test(p)) {
        throw new RangeError(`options.alpnProtocols: ${JSON.stringify(p)} is not a 1–255 character printable ASCII protocol name`);
      }
    }
    if (options.maxHandshakeMessageLength !== undefined && (!Number.isInteger(options.maxHandshakeMessageLength) || options.maxHandshakeMessageLength < 1024)) {
      throw new RangeError('options.maxHandshakeMessageLength: an integer of at least 1024');
    }
    this.maxHandshakeMessageLength = options.maxHandshakeMessageLength;
    const clientHelloLimits = {
      maxLength: countOption('maxClientHelloLength', options.maxClientHelloLength, MAX_CLIENT_HELLO_LENGTH, 512, MAX_CLIENT_HELLO_LENGTH),
      maxKeyShares: countOption('maxKeyShares', options.maxKeyShares, DEFAULT_MAX_KEY_SHARES, 1),
      maxPskIdentities: countOption('maxPskIdentities', options.maxPskIdentities, DEFAULT_MAX_PSK_IDENTITIES, 1),
    };
    this.maxEmptyRecords = countOption('maxEmptyRecords', options.maxEmptyRecords, MAX_EMPTY_RECORDS, 0);
    this.maxWarningAlerts = countOption('maxWarningAlerts', options.maxWarningAlerts, MAX_WARNING_ALERTS, 0);
    this.maxKeyUpdates = countOption('maxKeyUpdates', options.maxKeyUpdates, DEFAULT_MAX_KEY_UPDATES, 1);
    if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('options.now: a function returning ms since the epoch');
    this.now = options.now ?? Date.now;
    const timeout = options.sessionTimeout ?? 7200;
    if (!Number.isInteger(timeout) || timeout < 1) throw new RangeError('options.sessionTimeout: a positive number of seconds');
    this.sessionTimeout = timeout;
    const tickets = options.tickets ?? 'stateless';
    if (tickets !== 'stateless' && tickets !== 'stateful' && tickets !== 'off') throw new RangeError(`options.tickets: 'stateless', 'stateful' or 'off', got ${JSON.stringify(tickets)}`);
    this.tickets = tickets;
    if (options.tls12Tickets !== undefined && typeof options.tls12Tickets !== 'boolean') throw new TypeError('options.tls12Tickets: a boolean');
    const numTickets = options.numTickets ?? 2;
    if (!Number.isInteger(numTickets) || numTickets < 0 || numTickets > 16) throw new RangeError('options.numTickets: an integer in [0, 16]');
    this.sessionCache = new SessionCache<ServerConnection>({
      now: this.now,
      setTimer: options.setTimer ?? runtimeTimer,
      logger: options.logger ?? consoleLogger,
      random: (n) => this.provider.random(n, 'session_cache_seed'),
      timeout,
      ...(options.sessionCacheMode !== undefined ? { mode: options.sessionCacheMode } : {}),
      ...(options.sessionCacheSize !== undefined ? { maxEntries: options.sessionCacheSize } : {}),
      ...(options.sessionCacheMaxBytes !== undefined ? { maxBytes: options.sessionCacheMaxBytes } : {}),
      ...(options.authTimeout !== undefined ? { authTimeout: options.authTimeout } : {}),
      ...(options.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: options.lookupTimeoutMs } : {}),
      ...(options.removeOnUncleanShutdown !== undefined ? { removeOnUncleanShutdown: options.removeOnUncleanShutdown } : {}),
      ...(options.newSession ? { newSession: options.newSession } : {}),
      ...(options.removeSession ? { removeSession: options.removeSession } : {}),
      ...(options.getSession ? { getSession: options.getSession } : {}),
      ...(options.takeSession ? { takeSession: options.takeSession } : {}),
    });
    const ringOptions = { now: this.now, ...(options.ticketKeyRotationMs !== undefined ? { rotationIntervalMs: options.ticketKeyRotationMs } : {}) };
    const tk = options.ticketKeys;
    this.ticketKeys =
      tk instanceof TicketKeyRing ? tk : tk !== undefined ? TicketKeyRing.import(this.provider, tk, ringOptions) : new TicketKeyRing(this.provider, ringOptions);
    const recordSizeLimit = countOption('recordSizeLimit', options.recordSizeLimit, 2 ** 14 + 1, 64, 2 ** 14 + 1);
    const hrrCookie = makeHrrCookie(this.provider, options.hrrCookie);
    this.clientAuth = makeClientAuth(options, this.provider, this.now);
    const { externalPsk, pskIdentityHint } = externalPskOptions(options);
    this.externalPsk = externalPsk;
    const maxEarlyData = options.maxEarlyData ?? 0;
    if (!Number.isInteger(maxEarlyData) || maxEarlyData < 0 || maxEarlyData > 0xffffffff) throw new RangeError('options.maxEarlyData: an integer in [0, 2^32-1]');
    this.handshake = Object.freeze({
      provider: this.provider,
      certificates,
      cipherSuites: suites,
      honorCipherOrder: options.honorCipherOrder ?? true,
      groups: parseGroups(options.groups),
      groupSelection: options.groupSelection ?? 'avoid-hrr',
      alpnProtocols: [...alpn],
      minVersion,
      maxVersion,
      recordSizeLimit,
      ticketLifetime: Math.min(timeout, MAX_TICKET_LIFETIME_S),
      maxEarlyData,
      allowPskKe: options.allowPskKe ?? true,
      requireExtendedMasterSecret: options.requireExtendedMasterSecret ?? false,
      clientHelloLimits: Object.freeze(clientHelloLimits),
      sessionContext: new Uint8Array(0),
      ...(options.advertisedGroups ? { advertisedGroups: [...options.advertisedGroups] } : {}),
      ...(hrrCookie ? { hrrCookie } : {}),
      ...(this.clientAuth ? { clientAuth: this.clientAuth.handshake } : {}),
      ...(externalPsk ? { externalPsk: externalPskFor(externalPsk, undefined) } : {}),
      ...(pskIdentityHint ? { pskIdentityHint } : {}),
    });
    this.contextId = contextFingerprint(this.provider, this.handshake, this.clientAuth, options.sessionIdContext);
    // Sessions are bound to this fingerprint (spec §6): the handshake writes it into every session
    // and refuses a session that carries another.
    this.handshake = Object.freeze({ ...this.handshake, sessionContext: this.contextId });
    this.sessions =
      options.sessions ??
      new CacheSessionGlue({
        cache: this.sessionCache as SessionCache<object>,
        keyRing: this.ticketKeys,
        provider: this.provider,
        tickets,
        tickets12: options.tls12Tickets ?? tickets !== 'off',
        numTickets,
        newTicketId: options.ticketIdGenerator,
      });
  }

  // ---- the session callbacks, OpenSSL style (session spec §3) ---------------------------------

  /** `SSL_CTX_sess_set_new_cb`. */
  setNewSessionCallback(cb: NewSessionCallback<ServerConnection> | undefined): void {
    this.sessionCache.setNewSessionCallback(cb);
  }
  /** `SSL_CTX_sess_get_new_cb`: the callback or `undefined`. */
  getNewSessionCallback(): NewSessionCallback<ServerConnection> | undefined {
    return this.sessionCache.getNewSessionCallback();
  }
  /** `SSL_CTX_sess_set_remove_cb`. */
  setRemoveSessionCallback(cb: RemoveSessionCallback<ServerConnection> | undefined): void {
    this.sessionCache.setRemoveSessionCallback(cb);
  }
  getRemoveSessionCallback(): RemoveSessionCallback<ServerConnection> | undefined {
    return this.sessionCache.getRemoveSessionCallback();
  }
  /** `SSL_CTX_sess_set_get_cb`. */
  setGetSessionCallback(cb: GetSessionCallback<ServerConnection> | undefined): void {
    this.sessionCache.setGetSessionCallback(cb);
  }
  getGetSessionCallback(): GetSessionCallback<ServerConnection> | undefined {
    return this.sessionCache.getGetSessionCallback();
  }
  /** Atomic single use for external stores (spec §6). */
  setTakeSessionCallback(cb: TakeSessionCallback<ServerConnection> | undefined): void {
    this.sessionCache.setTakeSessionCallback(cb);
  }
  getTakeSessionCallback(): TakeSessionCallback<ServerConnection> | undefined {
    return this.sessionCache.getTakeSessionCallback();
  }
  /** The session cache statistics (spec §4; OpenSSL `SSL_CTX_sess_*`). */
  get sessionStats(): SessionCacheStats {
    return this.sessionCache.stats;
  }

  /**
   * Like `SSL_CTX_free`: flushes every session (remove reason `contextClosed`) and wipes the
   * ticket keys. Connections made from this context afterwards resume nothing.
   */
  close(): void {
    this.sessionCache.close();
    this.ticketKeys.clean();
  }
}

/** An integer option in [min, max], or its default. @throws RangeError otherwise. */
function countOption(name: string, value: number | undefined, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return dflt;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`options.${name}: an integer ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `in [${min}, ${max}]`}`);
  }
  return value;
}

/**
 * `externalPsk` and `pskIdentityHint`, checked.
 * @throws TypeError for an `externalPsk` that is no function, a hint of the wrong type or a hint
 *   without `externalPsk`; RangeError for a hint longer than 256 bytes (OpenSSL's PSK_MAX_IDENTITY_LEN).
 */
function externalPskOptions(options: ServerContextOptions): { externalPsk: ExternalPskCallback | undefined; pskIdentityHint: Uint8Array | undefined } {
  const { externalPsk, pskIdentityHint } = options;
  if (externalPsk !== undefined && typeof externalPsk !== 'function') throw new TypeError('options.externalPsk: a function (identity, info) => key bytes or undefined');
  if (pskIdentityHint === undefined) return { externalPsk, pskIdentityHint: undefined };
  if (externalPsk === undefined) throw new TypeError('options.pskIdentityHint: only meaningful with options.externalPsk');
  const hint = typeof pskIdentityHint === 'string' ? new TextEncoder().encode(pskIdentityHint) : pskIdentityHint instanceof Uint8Array ? new Uint8Array(pskIdentityHint) : undefined;
  if (hint === undefined) throw new TypeError('options.pskIdentityHint: a string or a Uint8Array');
  if (hint.length > MAX_PSK_IDENTITY_LENGTH) throw new RangeError(`options.pskIdentityHint: at most ${MAX_PSK_IDENTITY_LENGTH} bytes, got ${hint.length}`);
  return { externalPsk, pskIdentityHint: hint };
}

/** The handshake's lookup over the application's callback, for `connection` (see {@link ExternalPskInfo}). */
export function externalPskFor(cb: ExternalPskCallback, connection: ServerConnection | undefined): NonNullable<HandshakeConfig['externalPsk']> {
  return (identity: Uint8Array, q: ExternalPskQuery) => cb(identity, { version: q.version === 0x0304 ? 'TLSv1.3' : 'TLSv1.2', serverName: q.serverName, connection });
}

/** The HelloRetryRequest cookie maker, or `undefined` for none. @throws TypeError for anything but a boolean or a function. */
function makeHrrCookie(provider: CryptoProvider, opt: ServerContextOptions['hrrCookie']): (() => Uint8Array) | undefined {
  if (opt === undefined || opt === false) return undefined;
  if (opt === true) return () => provider.random(32, 'hrr_cookie');
  if (typeof opt === 'function') return opt;
  throw new TypeError('options.hrrCookie: a boolean or a function returning the cookie bytes');
}

function makeProvider(options: ServerContextOptions): CryptoProvider {
  const c = options.crypto ?? 'noble';
  const random = options.random;
  if (c === 'noble') return createNobleProvider(random ? { random } : {});
  if (c === 'node') return createNodeProvider(random ? { random } : {});
  if (typeof c === 'object' && c !== null && typeof c.random === 'function') return c;
  throw new TypeError(`options.crypto: 'noble', 'node' or a CryptoProvider, got ${JSON.stringify(c)}`);
}

function loadCertifiedKey(c: CertificateOption, i: number, allowWeakRsa: boolean): CertifiedKey {
  if (!c || (typeof c.cert !== 'string' && !(c.cert instanceof Uint8Array)) || (typeof c.key !== 'string' && !(c.key instanceof Uint8Array))) {
    throw new TypeError(`options.certificates[${i}]: { cert, key } as PEM strings or bytes`);
  }
  const chain = parseCertificateChain(c.cert);
  const key = parsePrivateKey(c.key, { allowWeakRsa });
  const leaf = chain[0]!;
  checkKeyMatchesCertificate(key, leaf);
  const names = leaf.dnsNames.length > 0 ? leaf.dnsNames : leaf.subjectCommonName ? [leaf.subjectCommonName] : [];
  return Object.freeze({
    chain: chain.map((x) => x.der),
    key,
    dnsNames: names.map((n) => n.toLowerCase()),
    schemes13: signatureSchemesFor(key, 'tls1.3'),
    schemes12: signatureSchemesFor(key, 'tls1.2'),
  });
}

function parseSuites(opt: ServerContextOptions['cipherSuites']): number[] {
  if (opt === undefined) return SUITES.map((s) => s.code);
  const names = typeof opt === 'string' ? opt.split(/[:,]/).filter(Boolean) : opt;
  if (!Array.isArray(names) || names.length === 0) throw new RangeError('options.cipherSuites: at least one suite');
  const codes = names.map((n) => suiteByName(n).code);
  return [...new Set(codes)];
}

function parseGroups(opt: ServerContextOptions['groups']): NamedGroup[] {
  if (opt === undefined) return [...DEFAULT_GROUPS];
  const names = typeof opt === 'string' ? opt.split(/[:,]/).filter(Boolean) : opt;
  if (!Array.isArray(names) || names.length === 0) throw new RangeError('options.groups: at least one group');
  return [
    ...new Set(
      names.map((n) => {
        const g = GROUP_ALIASES[String(n).trim().toLowerCase()];
        if (!g) throw new RangeError(`options.groups: unknown group ${JSON.stringify(n)}; supported: x25519, secp256r1, secp384r1, X25519MLKEM768`);
        return g;
      }),
    ),
  ];
}

/**
 * Spec §6: sessions are bound to a fingerprint of the security-relevant configuration —
 * certificates, ALPN set, version and suite policy, the client-auth mode and the CAs it trusts —
 * plus the optional session id context. So a session made without a client certificate is not
 * resumed where one is now required, nor one verified against other CAs (OpenSSL leaves this to
 * `sid_ctx`; Node sets none).
 */
function contextFingerprint(provider: CryptoProvider, h: HandshakeConfig, clientAuth: ClientAuthPolicy | undefined, sessionIdContext: Uint8Array | undefined): Uint8Array {
  const ctx = provider.createHash('sha256');
  const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const field = (b: Uint8Array) => ctx.update(u32(b.length)).update(b);
  field(new TextEncoder().encode('puretls context v1'));
  for (const c of h.certificates) for (const der of c.chain) field(der);
  for (const a of h.alpnProtocols) field(new TextEncoder().encode(a));
  field(Uint8Array.of(h.minVersion >> 8, h.minVersion & 0xff, h.maxVersion >> 8, h.maxVersion & 0xff));
  field(Uint8Array.from(h.cipherSuites.flatMap((s) => [s >> 8, s & 0xff])));
  // The mode (none, request, require), then the trusted CAs, counted.
  field(Uint8Array.of(clientAuth === undefined ? 0 : clientAuth.rejectUnauthorized ? 2 : 1));
  field(u32(clientAuth?.ca.length ?? 0));
  for (const c of clientAuth?.ca ?? []) field(c.der);
  field(sessionIdContext ?? new Uint8Array(0));
  return ctx.digest();
}
