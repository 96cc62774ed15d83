/**
 * Sealed session blobs (spec §7): {@link encodeSession} under the ticket key ring, so a dump of an
 * external store (Redis, memcached) reveals no secrets, and stateless TLS 1.3 tickets (spec §6).
 */
import { decodeSession, encodeSession, SessionDecodeError } from './session-codec';
import { equalBytes, type Session } from './session';
import type { TicketKeyRing } from './ticket-key-ring';

/** A session opened from a sealed blob or ticket. */
export interface OpenedSession {
  readonly session: Session;
  /** Opened with a non-current key: store it again / send a fresh ticket. */
  readonly needsReissue: boolean;
}

/**
 * Seals a session for an external store: AEAD under the ring's current key with the session id as
 * associated data, so a blob moved to another id's key does not open.
 */
export function sealSession(keyRing: TicketKeyRing, session: Session): Uint8Array {
  const plain = encodeSession(session);
  try {
    return keyRing.seal(plain, session.id);
  } finally {
    plain.fill(0); // it held the secret
  }
}

/**
 * Opens a blob made by {@link sealSession} for session id `id`.
 * @returns the session, or `null` (a miss) for a blob that does not open under the ring, was
 *   sealed for another id, or does not decode. Never throws for bad input.
 */
export function openSession(keyRing: TicketKeyRing, id: Uint8Array, blob: Uint8Array): OpenedSession | null {
  const opened = keyRing.open(blob, id);
  if (opened === null) return null;
  const session = decodeOrNull(opened.plaintext);
  opened.plaintext.fill(0);
  if (session === null || !equalBytes(session.id, id)) return null;
  return { session, needsReissue: opened.needsReissue };
}

/**
 * A stateless ticket (TLS 1.3 spec §6 "stateless", the default, and RFC 5077 TLS 1.2 tickets): the
 * whole session sealed under the ring's current key. The ticket is what NewSessionTicket.ticket carries.
 */
export function sealTicket(keyRing: TicketKeyRing, session: Session): Uint8Array {
  const plain = encodeSession(session);
  try {
    return keyRing.seal(plain);
  } finally {
    plain.fill(0);
  }
}

/**
 * Opens a stateless ticket (a PSK identity). `null` = not ours, tampered, dropped key or a blob
 * that does not decode: a miss, never an alert (Go `UnwrapSession`). The caller still hands the
 * session to `SessionCache.ticketOpened` (expiry) and the handshake (every TLS rule).
 */
export function openTicket(keyRing: TicketKeyRing, ticket: Uint8Array): OpenedSession | null {
  const opened = keyRing.open(ticket);
  if (opened === null) return null;
  const session = decodeOrNull(opened.plaintext);
  opened.plaintext.fill(0);
  return session === null ? null : { session, needsReissue: opened.needsReissue };
}

function decodeOrNull(b: Uint8Array): Session | null {
  try {
    return decodeSession(b);
  } catch (e) {
    if (e instanceof SessionDecodeError) return null;
    throw e;
  }
}
