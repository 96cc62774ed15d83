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
  /** The TLS 1.3 session resumed, when `resumed` (its `handle` is the glue's session). */
  readonly resumedSession: ResumableSession | undefined;
  /** The TLS 1.2 session resumed, when `resumed` (its `handle` is the glue's session). */
  readonly resumedSession12: ResumableSession12 | undefined;
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
  /** 0-RTT: the client did not try it, we accepted it, or we rejected it (skipped). */
  readonly earlyData: 'none' | 'accepted' | 'rejected';
}

/**
 * What the handshake needs to know about a resumable session (TLS 1.3 PSK). The connection's
 * session glue builds it from a cache entry or an opened ticket; `handle` is opaque to the
 * handshake and handed back in `consumePsk` / events.
 */
export interface ResumableSession {
  /** The PSK (TLS 1.3: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce)). */
  readonly psk: Uint8Array;
  /** The suite the session was made with: the new one must use the same hash (RFC 8446 §4.2.11). */
  readonly cipherSuite: number;
  /** When the ticket was issued (ms, the connection's clock), for the §8.3 age check. */
  readonly issuedAt: number;
  readonly ticketAgeAdd: number;
  /** max_early_data_size the ticket allowed (0: no 0-RTT). */
  readonly maxEarlyData: number;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** Single-use (stateful) tickets: consumed once the binder verified; only they may carry 0-RTT. */
  readonly singleUse: boolean;
  /** When the original full handshake happened (ms): chained resumptions keep it. */
  readonly authTime: number;
  /** Opaque to the handshake (the session object of the cache). */
  readonly handle: unknown;
}

/** A TLS 1.2 session the handshake can resume (RFC 5246 §7.4.1.2 session id, RFC 5077 ticket). */
export interface ResumableSession12 {
  readonly masterSecret: Uint8Array;
  readonly cipherSuite: number;
  /** Whether the session was made with the extended master secret (RFC 7627). */
  readonly extendedMasterSecret: boolean;
  readonly serverName: string | undefined;
  readonly alpn: string | undefined;
  /** When the original full handshake happened (ms). */
  readonly authTime: number;
  /** Opaque to the handshake (the glue's session). */
  readonly handle: unknown;
}

/** A TLS 1.2 session the full handshake made: the glue stores it (session id) or seals it (ticket). */
export interface NewSession12 {
  /** The session id sent in ServerHello (empty: none, e.g. a ticket or mode `off`). */
  readonly sessionId: Uint8Array;
  readonly masterSecret: Uint8Array;
  readonly cipherSuite: number;
  readonly extendedMasterSecret: boolean;
  readonly serverName: string | undefined;
  readonly alpn: string | undefined;
  readonly authTime: number;
}

/** A PSK identity offered by the client, for the lookup. */
export interface PskLookup {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
  /** Position in the client's list (selected_identity). */
  readonly index: number;
  readonly serverName: string | undefined;
  /** The suite the server negotiated (the session's hash must match it, RFC 8446 §4.2.11). */
  readonly cipherSuite: number;
}

/** What a TLS 1.2 session lookup needs from the ClientHello (session spec §3 validation). */
export interface Session12Lookup {
  readonly serverName: string | undefined;
  /** The ClientHello's cipher_suites: a resumed session's suite must be among them. */
  readonly clientCipherSuites: readonly number[];
  /** Whether the ClientHello carries extended_master_secret (RFC 7627 §5.3). */
  readonly extendedMasterSecret: boolean;
}

/** A ticket the handshake is about to send (RFC 8446 §4.6.1): the glue turns it into ticket bytes. */
export interface TicketToIssue {
  readonly psk: Uint8Array;
  readonly cipherSuite: number;
  readonly nonce: Uint8Array;
  readonly ticketAgeAdd: number;
  readonly lifetime: number;
  readonly maxEarlyData: number;
  readonly serverName: string | undefined;
  readonly alpn: string | undefined;
  /** When the original full handshake happened (ms), so chained resumptions cannot extend it. */
  readonly authTime: number;
  readonly issuedAt: number;
}

/** What the glue answers to `issueTicket`. */
export interface IssuedTicket {
  readonly ticket: Uint8Array;
  readonly maxEarlyData: number;
}

export type HandshakeEvent =
  | { readonly type: 'handshakeComplete'; readonly info: NegotiatedInfo }
  /** A KeyUpdate was received (RFC 8446 §4.6.3); `requested` = the peer asked us to update too. */
  | { readonly type: 'keyUpdate'; readonly requested: boolean }
  /** A secret for key logging (NSS SSLKEYLOGFILE labels). Only delivered when the connection enables it. */
  | { readonly type: 'secret'; readonly label: string; readonly clientRandom: Uint8Array; readonly secret: Uint8Array };

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

  // ---- sessions (TLS 1.3 PSK resumption, RFC 8446 §4.2.11, §4.6.1) ---------------------------
  /** The current time in ms (the connection's injected clock). */
  now(): number;
  /**
   * Resolves one PSK identity to a session, or `undefined` (a miss: full handshake or the next
   * identity). May answer asynchronously: the handshake then waits in a state that takes no input.
   * The glue validates expiry, context and SNI; the handshake checks the suite hash and the binder.
   */
  lookupPsk(request: PskLookup): ResumableSession | undefined | Promise<ResumableSession | undefined>;
  /**
   * The binder verified: take a single-use session (RFC 8446 §8.1). `false` means somebody else
   * already took it: the resumption fails as a miss. Not called for multi-use sessions.
   */
  consumePsk(session: ResumableSession): boolean | Promise<boolean>;
  /**
   * Makes the ticket bytes for a NewSessionTicket, or `undefined` to send none (nowhere to keep
   * it), with the max_early_data_size this ticket may carry (0: the ticket does not allow 0-RTT —
   * e.g. a stateless ticket, which cannot be single use; no early_data extension is sent then).
   */
  issueTicket(ticket: TicketToIssue): IssuedTicket | undefined;
  /** The PSK was accepted and the binder verified (RFC 8446 §4.2.11). */
  sessionResumed(session: ResumableSession): void;
  /** A binder did not verify (counted; the session is not consumed). */
  binderFailed(session: ResumableSession): void;
  // ---- TLS 1.2 sessions (RFC 5246 §7.4.1.2, RFC 5077, RFC 7627) ----------------------------
  /**
   * Resolves the ClientHello's legacy session id (when it carries no non-empty ticket) to a
   * session, or `undefined` (a miss: full handshake). May answer asynchronously (the handshake
   * waits in `AwaitSession`). Throws — or rejects with — a `TlsError` when the session spec says
   * the handshake must fail (`ResumedSuiteNotOffered` → illegal_parameter,
   * `ExtendedMasterSecretMismatch` → handshake_failure).
   */
  lookupSession12(sessionId: Uint8Array, request: Session12Lookup): ResumableSession12 | undefined | Promise<ResumableSession12 | undefined>;
  /**
   * Opens an RFC 5077 ticket: the session and whether to send a fresh ticket (opened with an old
   * key), or `undefined` (a miss). Throws a `TlsError` as `lookupSession12` does.
   */
  openTicket12(ticket: Uint8Array, request: Session12Lookup): { session: ResumableSession12; reissue: boolean } | undefined;
  /**
   * The session id for a new full handshake's ServerHello: 32 random bytes, or empty when the
   * session will not be kept by id (the client uses tickets — OpenSSL's rule — or the cache is off).
   */
  sessionIdForNewSession12(clientOffersTicket: boolean): Uint8Array;
  /** Whether to send an RFC 5077 NewSessionTicket (the client offered the extension, tickets are on). */
  wantsTicket12(clientOffersTicket: boolean): boolean;
  /** The full handshake made a session (after both Finished): store it by id and/or seal it. */
  newSession12(session: NewSession12): void;
  /** Seals a TLS 1.2 session into an RFC 5077 ticket, or `undefined` to send none. */
  issueTicket12(session: NewSession12): Uint8Array | undefined;
  /** A TLS 1.2 session was resumed (abbreviated handshake done). */
  sessionResumed12(session: ResumableSession12): void;
  /** Sends an alert without closing (TLS 1.2 no_renegotiation warning, RFC 5746 §4.2). */
  sendWarningAlert(description: number): void;

  /**
   * The client sent (or may send) 0-RTT data we do not accept: skip up to `maxBytes` of records
   * that fail to decrypt (RFC 8446 §4.2.10) instead of failing on them.
   */
  rejectEarlyData(maxBytes: number): void;
}
