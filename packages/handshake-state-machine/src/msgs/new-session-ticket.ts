/**
 * NewSessionTicket: TLS 1.3 (RFC 8446 §4.6.1) and TLS 1.2 (RFC 5077 §3.3).
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { readExtensions, writeExtensions, type Extension } from './extensions';
import { writeHandshake } from './handshake-message';

/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)." */
export const MAX_TICKET_LIFETIME = 604800;

// RFC 8446 §4.6.1  struct {
//       uint32 ticket_lifetime;
//       uint32 ticket_age_add;
//       opaque ticket_nonce<0..255>;
//       opaque ticket<1..2^16-1>;
//       Extension extensions<0..2^16-2>;
//   } NewSessionTicket;
/** A TLS 1.3 NewSessionTicket. `Uint8Array` fields are views when decoded. */
export interface NewSessionTicket13 {
  /** Seconds, at most {@link MAX_TICKET_LIFETIME}. */
  readonly ticketLifetime: number;
  /** Random u32 added to the ticket age, mod 2^32 (from `CryptoProvider.random`). */
  readonly ticketAgeAdd: number;
  /** Unique per ticket of this connection; feeds the resumption PSK derivation. */
  readonly ticketNonce: Uint8Array;
  /** The opaque ticket (our sealed session blob, or a cache id). */
  readonly ticket: Uint8Array;
  /** early_data (max_early_data_size) or unknown / GREASE. */
  readonly extensions: readonly Extension[];
}

/**
 * Reads a TLS 1.3 NewSessionTicket body (tests and a future client).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error);
 *   `DuplicateExtension` (illegal_parameter).
 */
export function readNewSessionTicket13(body: Uint8Array): NewSessionTicket13 {
  return new Reader(body, 'NewSessionTicket').all('NewSessionTicket', (r) => ({
    ticketLifetime: r.u32(),
    ticketAgeAdd: r.u32(),
    ticketNonce: r.vec8().rest(),
    ticket: r.vec16({ min: 1 }).rest(),
    extensions: readExtensions(r, 'NewSessionTicket', { max: 0xfffe }),
  }));
}

/**
 * Writes a TLS 1.3 NewSessionTicket handshake message (header included).
 *
 * @throws RangeError when the lifetime exceeds 7 days, `ticketAgeAdd` is not a u32, the nonce is
 *   longer than 255 bytes or the ticket is empty (API misuse).
 */
export function writeNewSessionTicket13(nst: NewSessionTicket13): Uint8Array {
  if (!Number.isInteger(nst.ticketLifetime) || nst.ticketLifetime < 0 || nst.ticketLifetime > MAX_TICKET_LIFETIME) {
    throw new RangeError(`writeNewSessionTicket13: ticketLifetime ${nst.ticketLifetime} not in 0..${MAX_TICKET_LIFETIME}`);
  }
  if (!Number.isInteger(nst.ticketAgeAdd) || nst.ticketAgeAdd < 0 || nst.ticketAgeAdd > 0xffffffff) {
    throw new RangeError('writeNewSessionTicket13: ticketAgeAdd is not a u32');
  }
  if (nst.ticketNonce.length > 0xff) throw new RangeError('writeNewSessionTicket13: nonce longer than 255');
  if (nst.ticket.length < 1) throw new RangeError('writeNewSessionTicket13: empty ticket');
  return writeHandshake(HandshakeType.new_session_ticket, (w) => {
    w.u32(nst.ticketLifetime).u32(nst.ticketAgeAdd);
    w.vec8((w) => w.bytes(nst.ticketNonce)).vec16((w) => w.bytes(nst.ticket));
    writeExtensions(w, nst.extensions);
  });
}

// RFC 5077 §3.3  struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
/** A TLS 1.2 NewSessionTicket. */
export interface NewSessionTicket12 {
  /** Seconds; 0 means unspecified. */
  readonly ticketLifetimeHint: number;
  /** Empty: the server will not issue a ticket after all (RFC 5077 §3.3). */
  readonly ticket: Uint8Array;
}

/**
 * Reads a TLS 1.2 NewSessionTicket body.
 *
 * @throws TlsError `TrailingData`/`Truncated` (decode_error).
 */
export function readNewSessionTicket12(body: Uint8Array): NewSessionTicket12 {
  return new Reader(body, 'NewSessionTicket').all('NewSessionTicket', (r) => ({
    ticketLifetimeHint: r.u32(),
    ticket: r.vec16().rest(),
  }));
}

/**
 * Writes a TLS 1.2 NewSessionTicket handshake message (header included).
 *
 * @throws RangeError when the hint is not a u32.
 */
export function writeNewSessionTicket12(nst: NewSessionTicket12): Uint8Array {
  if (!Number.isInteger(nst.ticketLifetimeHint) || nst.ticketLifetimeHint < 0 || nst.ticketLifetimeHint > 0xffffffff) {
    throw new RangeError('writeNewSessionTicket12: ticketLifetimeHint is not a u32');
  }
  return writeHandshake(HandshakeType.new_session_ticket, (w) => w.u32(nst.ticketLifetimeHint).vec16((w) => w.bytes(nst.ticket)));
}
