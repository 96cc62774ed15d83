/**
 * The narrow interface between a handshake state and the connection that owns the record layer.
 * The state machine never touches bytes on the wire, sockets, timers or the session cache: it
 * calls these methods, and the connection turns them into records and events.
 */
import type { NamedGroup } from '@puretls/crypto';

/** Keys for one direction of record protection: the record layer's type (it owns them once handed over). */
export type { TrafficKeys } from '@puretls/record-layer';
import type { TrafficKeys } from '@puretls/record-layer';

/** What a completed handshake negotiated (what `getProtocol()`, `getCipher()` and the `--www` page show). */
export interface NegotiatedInfo {
  readonly version: 0x0303 | 0x0304;
  readonly cipherSuite: number;
  /** The key exchange group, or `undefined` for TLS 1.3 psk_ke. */
  readonly group: NamedGroup | undefined;
  /** The signature scheme of the server's CertificateVerify/ServerKeyExchange, or `undefined` when resumed. */
  readonly signatureScheme: number | undefined;
  readonly serverName: string | undefined;
  readonly alpnProtocol: string | undefined;
  /** Whether a HelloRetryRequest was sent. */
  readonly helloRetry: boolean;
  readonly resumed: boolean;
  /** Index into the configured certificates, or `undefined` when resumed. */
  readonly certificateIndex: number | undefined;
  /** The session resumed, when `resumed` (both versions; its `handle` is the glue's session). */
  readonly resumedSession: StoredSession | undefined;
  /** How the session came back: a ticket (TLS 1.3 PSK or RFC 5077) or a TLS 1.2 session id. */
  readonly resumedVia: 'ticket' | 'sessionId' | undefined;
  /**
   * The session id: TLS 1.2 the ServerHello's (empty when the session is carried in a ticket or
   * not kept); TLS 1.3 the resumed session's id (a full TLS 1.3 handshake has none: each ticket is
   * its own session). Empty when there is none.
   */
  readonly sessionId: Uint8Array;
  /** TLS 1.3 PSK key exchange mode when resumed: `'psk_dhe_ke'` or `'psk_ke'`. */
  readonly pskMode: 'psk_dhe_ke' | 'psk_ke' | undefined;
  /**
   * The identity of the external PSK the handshake used (`HandshakeConfig.externalPsk`: TLS 1.3
   * pre_shared_key, or a TLS 1.2 ECDHE_PSK suite), else `undefined`. A TLS 1.3 external PSK
   * handshake counts as `resumed` (OpenSSL's `SSL_session_reused`) with no `resumedSession`.
   */
  readonly pskIdentity: Uint8Array | undefined;
  /** 0-RTT: the client did not try it, we accepted it, or we rejected it (skipped). */
  readonly earlyData: 'none' | 'accepted' | 'rejected';
  /**
   * Client certificate authentication (RFC 8446 §4.4.2, RFC 5246 §7.4.6): `undefined` when no
   * certificate was requested (for a resumed session: when its full handshake requested none);
   * else what the client sent and the verifier's verdict — resumed, the original handshake's.
   */
  readonly clientAuth: ClientAuthentication | undefined;
}

/**
 * Both Finished messages' verify_data (RFC 8446 §4.4.4, RFC 5246 §7.4.9): Node's `getFinished()`
 * (`server`, ours) and `getPeerFinished()` (`client`). Not secret: they went over the wire (TLS 1.2
 * encrypted, TLS 1.3 under the handshake keys) and bind the connection (RFC 5929 tls-unique).
 */
export interface FinishedPair {
  readonly server: Uint8Array;
  readonly client: Uint8Array;
}

/** The outcome of client certificate authentication (`NegotiatedInfo.clientAuth`). */
export interface ClientAuthentication {
  /** The client's certificates as it sent them, DER, leaf first; empty when it sent none. */
  readonly peerCertificates: readonly Uint8Array[];
  /** The chain was sent and the verifier authorized it (Node's `authorized`). */
  readonly authorized: boolean;
  /** Why not, when not authorized (the verifier's code: Node's `authorizationError`). */
  readonly error: string | undefined;
}

/**
 * A session the glue found for the handshake (a cache entry, a store's answer or an opened
 * ticket): the opaque TLS state the handshake made (`encodeSessionState`) plus the store's
 * metadata. The handshake decodes the state and checks every resumption rule itself.
 */
export interface StoredSession {
  /** The session id (TLS 1.2), the stateful ticket's id, or the id inside a stateless ticket. */
  readonly id: Uint8Array;
  /** The encoded `SessionState` (it holds the secret). */
  readonly state: Uint8Array;
  /** When the session (ticket) was made, ms on the connection's clock (the §8.3 age check). */
  readonly createdAt: number;
  /** When the original full handshake happened (ms): chained resumptions keep it. */
  readonly authTime: number;
  /** A stateful TLS 1.3 ticket: taken once the binder verified (RFC 8446 §8.1); the only kind that may carry 0-RTT. */
  readonly singleUse: boolean;
  /** Opaque to the handshake (the glue's session), handed back in `consumePsk`, `sessionAccepted`, `sessionRefused`. */
  readonly handle: unknown;
}

/**
 * Why the handshake did not resume a found session: a resumption rule said no (`mismatch`:
 * another version, suite or hash, server name, extended master secret…), it was made under
 * another configuration (`contextMismatch`), its state does not decode (`undecodable`), or the
 * TLS 1.3 binder did not verify (`badBinder`).
 */
export type SessionRefusal = 'mismatch' | 'contextMismatch' | 'undecodable' | 'badBinder';

/** A TLS 1.2 session the full handshake made: the glue stores it by id and/or seals it into a ticket. */
export interface NewSession12 {
  /** The session id sent in ServerHello (empty: none, e.g. a ticket or mode `off`). */
  readonly sessionId: Uint8Array;
  /** The encoded `SessionState`. */
  readonly state: Uint8Array;
  readonly authTime: number;
}

/** A ticket the handshake is about to send (RFC 8446 §4.6.1): the glue turns it into ticket bytes. */
export interface TicketToIssue {
  /** The encoded `SessionState` (the ticket's PSK, suite, server name, …). */
  readonly state: Uint8Array;
  /** ticket_lifetime, seconds (at most 604800). */
  readonly lifetime: number;
  /** When the ticket is issued (ms). */
  readonly createdAt: number;
  /** When the original full handshake happened (ms), so chained resumptions cannot extend it. */
  readonly authTime: number;
}

/** What the glue answers to `issueTicket`. */
export interface IssuedTicket {
  readonly ticket: Uint8Array;
  /** A stateful ticket (taken on use): the only kind that may carry 0-RTT (session spec §6). */
  readonly singleUse: boolean;
}

/** What the handshake reports as it goes (handshake complete, a KeyUpdate received, a secret for key logging), through {@link HandshakeIo}. */
export type HandshakeEvent =
  | { readonly type: 'handshakeComplete'; readonly info: NegotiatedInfo }
  /** A KeyUpdate was received (RFC 8446 §4.6.3); `requested` = the peer asked us to update too. */
  | { readonly type: 'keyUpdate'; readonly requested: boolean }
  /** A secret for key logging (NSS SSLKEYLOGFILE labels). Only delivered when the connection enables it. */
  | { readonly type: 'secret'; readonly label: string; readonly clientRandom: Uint8Array; readonly secret: Uint8Array };

/**
 * Everything the handshake asks of the outside world, sans-IO: send handshake messages and
 * change-cipher-spec records, install keys in the record layer, report events, and store, look up
 * and consume sessions and tickets. The handshake never reaches into the session cache: this is
 * its whole interface to it.
 */
export interface HandshakeIo {
  /** The version is chosen: the record layer applies its rules (TLS 1.3: compatibility CCS dropped). */
  setVersion(version: 'tls12' | 'tls13'): void;
  /**
   * record_size_limit was negotiated (RFC 8449 §4): `peer` is what the client advertised (our
   * outgoing protected records fit it), `own` what we advertised (incoming records must fit it).
   */
  setRecordSizeLimits(peer: number, own: number): void;
  /** Queue a handshake message (with its 4-byte header) in the current write epoch. */
  sendHandshake(raw: Uint8Array): void;
  /** Queue the middlebox-compatibility change_cipher_spec record (RFC 8446 §D.4). */
  sendChangeCipherSpec(): void;
  /** Switch the write direction to new keys; everything queued before goes out under the old ones. */
  setWriteKeys(keys: TrafficKeys): void;
  /** Switch the read direction to new keys. A handshake message split across the change is an error. */
  setReadKeys(keys: TrafficKeys): void;
  /** From now on application data may flow (both directions). */
  handshakeDone(): void;
  emit(event: HandshakeEvent): void;

  // ---- sessions: the glue's store holds them opaquely; every TLS rule is checked here ----------
  /** The current time in ms (the connection's injected clock). */
  now(): number;
  /**
   * TLS 1.3: resolves one PSK identity (RFC 8446 §4.2.11) to a stored session, or `undefined` (a
   * miss: the next identity or a full handshake). May answer asynchronously: the handshake then
   * waits in `AwaitSession`, a state that takes no input.
   */
  lookupPsk(identity: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined>;
  /**
   * TLS 1.3, after the binder verified: take a single-use session (RFC 8446 §8.1). `false` means
   * somebody else already took it (or the store failed): a full handshake, and the glue counts the
   * miss. Not called for multi-use sessions.
   */
  consumePsk(session: StoredSession): boolean | Promise<boolean>;
  /**
   * TLS 1.3: makes the ticket bytes for a NewSessionTicket, or `undefined` to send none (nowhere to
   * keep it).
   */
  issueTicket(ticket: TicketToIssue): IssuedTicket | undefined;
  /** The handshake resumes `session` (both versions): the store counts a hit. */
  sessionAccepted(session: StoredSession): void;
  /** The handshake will not resume `session` (see {@link SessionRefusal}): the store counts a miss. */
  sessionRefused(session: StoredSession, why: SessionRefusal): void;
  // ---- TLS 1.2 sessions (RFC 5246 §7.4.1.2, RFC 5077, RFC 7627) ----------------------------
  /**
   * Resolves the ClientHello's legacy session id (when it carries no non-empty ticket) to a stored
   * session, or `undefined` (a miss: full handshake). May answer asynchronously (the handshake
   * waits in `AwaitSession`).
   */
  lookupSession12(sessionId: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined>;
  /**
   * Opens an RFC 5077 ticket: the session and whether to send a fresh ticket (opened with an old
   * key), or `undefined` (a miss).
   */
  openTicket12(ticket: Uint8Array): { session: StoredSession; reissue: boolean } | undefined;
  /**
   * The session id for a new full handshake's ServerHello: 32 random bytes, or empty when the
   * session will not be kept by id (the client uses tickets — OpenSSL's rule — or the cache is off).
   */
  sessionIdForNewSession12(clientOffersTicket: boolean): Uint8Array;
  /** Whether to send an RFC 5077 NewSessionTicket (the client offered the extension, tickets are on). */
  wantsTicket12(clientOffersTicket: boolean): boolean;
  /** The full handshake made a session (after both Finished): store it by id. */
  newSession12(session: NewSession12): void;
  /** Seals a TLS 1.2 session into an RFC 5077 ticket, or `undefined` to send none. */
  issueTicket12(session: NewSession12): Uint8Array | undefined;
  /** Sends an alert without closing (TLS 1.2 no_renegotiation warning, RFC 5746 §4.2). */
  sendWarningAlert(description: number): void;

  /**
   * The client sent (or may send) 0-RTT data we do not accept: skip up to `maxBytes` of records
   * that fail to decrypt (RFC 8446 §4.2.10) instead of failing on them.
   */
  rejectEarlyData(maxBytes: number): void;
}
