/**
 * The seam between a connection's handshake and the session subsystem: the handshake asks
 * (lookup, consume, issue) and reports (accepted, refused, ended); the glue answers from the
 * session cache and the ticket key ring. The handshake and the cache know nothing of each other:
 * sessions cross this seam as opaque state plus metadata (`StoredSession`), and every TLS rule is
 * the handshake's.
 */
import type { IssuedTicket, NegotiatedInfo, NewSession12, SessionRefusal, StoredSession, TicketToIssue } from '@puretls/handshake-state-machine';

/**
 * The bridge between the handshake's session hooks (`HandshakeIo`) and a session store: stores new
 * sessions, looks them up, issues and opens tickets, and hears the handshake's verdicts. The
 * handshake decides every TLS rule; the glue only keeps bytes.
 */
export interface SessionGlue {
  /** See `HandshakeIo.lookupPsk`. */
  lookupPsk(conn: object, identity: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined>;
  /** See `HandshakeIo.consumePsk`. */
  consumePsk(conn: object, session: StoredSession): boolean | Promise<boolean>;
  /** See `HandshakeIo.issueTicket`. */
  issueTicket(conn: object, ticket: TicketToIssue): IssuedTicket | undefined;
  /** See `HandshakeIo.sessionAccepted`. */
  sessionAccepted(conn: object, session: StoredSession): void;
  /** See `HandshakeIo.sessionRefused`. */
  sessionRefused(conn: object, session: StoredSession, why: SessionRefusal): void;
  /** How many tickets to send after a handshake (spec §2: 2 after a full one, 1 after a resumption). */
  ticketsAfterHandshake(conn: object, resumed: boolean): number;
  // ---- TLS 1.2: see the `HandshakeIo` methods of the same names ----
  lookupSession12(conn: object, sessionId: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined>;
  openTicket12(conn: object, ticket: Uint8Array): { session: StoredSession; reissue: boolean } | undefined;
  sessionIdForNewSession12(conn: object, clientOffersTicket: boolean): Uint8Array;
  wantsTicket12(conn: object, clientOffersTicket: boolean): boolean;
  newSession12(conn: object, session: NewSession12): void;
  issueTicket12(conn: object, session: NewSession12): Uint8Array | undefined;
  /** A connection was created (OpenSSL's `accept` statistic). */
  handshakeStarted(conn: object): void;
  /** A handshake completed (OpenSSL's `accept_good`; drives the cache's periodic flush). */
  handshakeCompleted(conn: object, info: NegotiatedInfo): void;
  /**
   * The connection ended: `clean` = we sent close_notify and no error; `fatal` = a fatal alert was
   * sent or received. The glue invalidates the sessions the connection made or resumed (spec §5).
   */
  connectionEnded(conn: object, outcome: { clean: boolean; fatal: boolean }): void;
}

/** No session support: no tickets, every lookup a miss. */
export const NO_SESSIONS: SessionGlue = {
  lookupPsk: () => undefined,
  consumePsk: () => false,
  issueTicket: () => undefined,
  sessionAccepted: () => {},
  sessionRefused: () => {},
  ticketsAfterHandshake: () => 0,
  connectionEnded: () => {},
  handshakeStarted: () => {},
  handshakeCompleted: () => {},
  lookupSession12: () => undefined,
  openTicket12: () => undefined,
  sessionIdForNewSession12: () => new Uint8Array(0),
  wantsTicket12: () => false,
  newSession12: () => {},
  issueTicket12: () => undefined,
};
