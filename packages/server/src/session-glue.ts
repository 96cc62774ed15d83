/**
 * The seam between a connection's handshake and the session subsystem: the handshake asks
 * (lookup, consume, issue) and reports (resumed, binder failure, ended); the glue answers from the
 * session cache and the ticket key ring. The handshake and the cache know nothing of each other.
 */
import type { PskLookup, ResumableSession, TicketToIssue } from '@puretls/handshake-state-machine';

export interface SessionGlue {
  /** See `HandshakeIo.lookupPsk`. */
  lookupPsk(conn: object, request: PskLookup): ResumableSession | undefined | Promise<ResumableSession | undefined>;
  /** See `HandshakeIo.consumePsk`. */
  consumePsk(conn: object, session: ResumableSession): boolean | Promise<boolean>;
  /** See `HandshakeIo.issueTicket`. */
  issueTicket(conn: object, ticket: TicketToIssue): Uint8Array | undefined;
  sessionResumed(conn: object, session: ResumableSession): void;
  binderFailed(conn: object, session: ResumableSession): void;
  /** How many tickets to send after a handshake (spec §2: 2 after a full one, 1 after a resumption). */
  ticketsAfterHandshake(conn: object, resumed: boolean): number;
  /**
   * The connection ended: `clean` = we sent close_notify and no error; `fatal` = a fatal alert was
   * sent or received. The glue invalidates the sessions the connection made or resumed (spec §5).
   */
  connectionEnded(conn: object, outcome: { clean: boolean; fatal: boolean }): void;
}

/** No session support: no tickets, every PSK a miss. */
export const NO_SESSIONS: SessionGlue = {
  lookupPsk: () => undefined,
  consumePsk: () => false,
  issueTicket: () => undefined,
  sessionResumed: () => {},
  binderFailed: () => {},
  ticketsAfterHandshake: () => 0,
  connectionEnded: () => {},
};
