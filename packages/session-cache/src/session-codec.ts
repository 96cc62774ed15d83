/**
 * Session (de)serialization, like OpenSSL's `i2d_SSL_SESSION` / `d2i_SSL_SESSION` (spec §7), with
 * the record layer's `Reader`/`Writer` and a leading format version (Go `ticket.go`
 * `uint8 revision`). Decoding never throws anything but {@link SessionDecodeError}: a blob that
 * came from a store is untrusted input, and a bad one is a cache miss.
 */
import { Reader, Writer, isTlsError } from '@puretls/record-layer';
import {
  MAX_ALPN_LENGTH,
  MAX_CONTEXT_ID_LENGTH,
  MAX_PEER_CERTIFICATES_LENGTH,
  MAX_SECRET_LENGTH,
  MAX_SERVER_NAME_LENGTH,
  MAX_SESSION_ID_LENGTH,
  MAX_TICKET_NONCE_LENGTH,
  createSession,
  type Session,
  type SessionVersion,
} from './session';

/** The format version {@link encodeSession} writes (first byte of every blob). */
export const SESSION_FORMAT_VERSION = 1;

/** Flag bits of the `flags` byte. Unknown bits are a decode error (no silent downgrade). */
const FLAG_EMS = 0x01;
const FLAG_SERVER_NAME = 0x02;
const FLAG_ALPN = 0x04;
const KNOWN_FLAGS = FLAG_EMS | FLAG_SERVER_NAME | FLAG_ALPN;

/** Why a blob did not decode. */
export type SessionDecodeReason =
  /** The blob ended early (a length prefix or field runs past the end). */
  | 'Truncated'
  /** Bytes left after the last field. */
  | 'TrailingData'
  /** The first byte is not a format version this code reads. */
  | 'UnknownVersion'
  /** A length or value outside its allowed range (bad protocol version, unknown flag, id of 0 bytes…). */
  | 'OutOfRange';

/**
 * The one error {@link decodeSession} throws. Catch it and treat the blob as a miss.
 */
export class SessionDecodeError extends Error {
  constructor(
    readonly reason: SessionDecodeReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${reason}: ${message}`, options);
    this.name = 'SessionDecodeError';
  }
}

/*
 * Format version 1 (all integers big-endian):
 *   struct {
 *     uint8  format_version = 1;
 *     uint16 protocol_version;                 // 0x0303 | 0x0304
 *     uint16 cipher_suite;
 *     uint8  flags;                            // 1 = EMS, 2 = server_name present, 4 = alpn present
 *     opaque id<1..32>;
 *     opaque secret<1..64>;
 *     uint64 created_at;                       // ms, < 2^53
 *     uint32 timeout;                          // s
 *     uint64 auth_time;                        // ms, <= created_at
 *     opaque server_name<0..255>;              // empty unless flag 2 (then 1..255 printable ASCII)
 *     opaque alpn<0..255>;                     // empty unless flag 4 (then 1..255)
 *     opaque context_id<0..255>;
 *     uint32 ticket_age_add;
 *     opaque ticket_nonce<0..255>;
 *     uint32 max_early_data;
 *     opaque cert<1..2^24-1> peer_certificates<0..2^24-1>;
 *   } SessionBlob;
 */

/**
 * Serializes a session (including its secret: seal it with {@link sealSession} before it leaves the
 * process if the store is not trusted).
 *
 * @throws TlsError `Internal` only for an object that bypassed `createSession` with a field over
 *   its bound (a bug, never peer input).
 */
export function encodeSession(session: Session): Uint8Array {
  const w = new Writer(160 + session.peerCertificates.reduce((n, c) => n + c.length + 3, 0));
  let flags = 0;
  if (session.extendedMasterSecret) flags |= FLAG_EMS;
  if (session.serverName !== undefined) flags |= FLAG_SERVER_NAME;
  if (session.alpn !== undefined) flags |= FLAG_ALPN;
  w.u8(SESSION_FORMAT_VERSION).u16(session.version).u16(session.cipherSuite).u8(flags);
  w.vec8((w) => w.bytes(session.id));
  w.vec8((w) => w.bytes(session.secret));
  writeU64(w, session.createdAt);
  w.u32(session.timeout);
  writeU64(w, session.authTime);
  const name = session.serverName ?? '';
  w.vec8((w) => {
    for (let i = 0; i < name.length; i++) w.u8(name.charCodeAt(i));
  });
  w.vec8((w) => w.bytes(session.alpn ?? EMPTY));
  w.vec8((w) => w.bytes(session.contextId));
  w.u32(session.ticketAgeAdd);
  w.vec8((w) => w.bytes(session.ticketNonce));
  w.u32(session.maxEarlyData);
  w.vec24((w) => {
    for (const c of session.peerCertificates) w.vec24((w) => w.bytes(c));
  });
  return w.finish();
}

const EMPTY = new Uint8Array(0);

function writeU64(w: Writer, v: number): void {
  w.u32(Math.floor(v / 0x100000000)).u32(v >>> 0);
}
function readU64(r: Reader, what: string): number {
  const hi = r.u32();
  const lo = r.u32();
  if (hi > 0x1fffff) throw new SessionDecodeError('OutOfRange', `${what} does not fit in 53 bits`);
  return hi * 0x100000000 + lo;
}

/**
 * Parses a blob made by {@link encodeSession} into a frozen, validated {@link Session} (its byte
 * fields are copies: the blob may be reused).
 *
 * @throws SessionDecodeError (`Truncated`, `TrailingData`, `UnknownVersion`, `OutOfRange`) and
 *   never anything else, whatever the input.
 */
export function decodeSession(bytes: Uint8Array): Session {
  if (!(bytes instanceof Uint8Array)) throw new SessionDecodeError('OutOfRange', 'expected a Uint8Array');
  try {
    const r = new Reader(bytes, 'Session');
    const format = r.u8();
    if (format !== SESSION_FORMAT_VERSION) throw new SessionDecodeError('UnknownVersion', `format version ${format}, this code reads ${SESSION_FORMAT_VERSION}`);
    return r.all('Session', (r) => {
      const version = r.u16();
      if (version !== 0x0303 && version !== 0x0304) throw new SessionDecodeError('OutOfRange', `protocol version 0x${version.toString(16)}`);
      const cipherSuite = r.u16();
      const flags = r.u8();
      if ((flags & ~KNOWN_FLAGS) !== 0) throw new SessionDecodeError('OutOfRange', `unknown flags 0x${flags.toString(16)}`);
      const id = r.vec8({ min: 1, max: MAX_SESSION_ID_LENGTH }).rest();
      const secret = r.vec8({ min: 1, max: MAX_SECRET_LENGTH }).rest();
      const createdAt = readU64(r, 'created_at');
      const timeout = r.u32();
      const authTime = readU64(r, 'auth_time');
      const nameBytes = r.vec8({ max: MAX_SERVER_NAME_LENGTH }).rest();
      const alpnBytes = r.vec8({ max: MAX_ALPN_LENGTH }).rest();
      if (((flags & FLAG_SERVER_NAME) !== 0) !== nameBytes.length > 0) throw new SessionDecodeError('OutOfRange', 'server_name flag and length disagree');
      if (((flags & FLAG_ALPN) !== 0) !== alpnBytes.length > 0) throw new SessionDecodeError('OutOfRange', 'alpn flag and length disagree');
      const contextId = r.vec8({ max: MAX_CONTEXT_ID_LENGTH }).rest();
      const ticketAgeAdd = r.u32();
      const ticketNonce = r.vec8({ max: MAX_TICKET_NONCE_LENGTH }).rest();
      const maxEarlyData = r.u32();
      const peerCertificates = r.vec24({ max: MAX_PEER_CERTIFICATES_LENGTH }).list((c) => c.vec24({ min: 1 }).rest());
      let serverName: string | undefined;
      if (nameBytes.length > 0) {
        serverName = '';
        for (const c of nameBytes) serverName += String.fromCharCode(c); // checked by createSession
      }
      return createSession({
        id,
        version: version as SessionVersion,
        cipherSuite,
        secret,
        createdAt,
        timeout,
        extendedMasterSecret: (flags & FLAG_EMS) !== 0,
        serverName,
        alpn: alpnBytes.length > 0 ? alpnBytes : undefined,
        contextId,
        ticketAgeAdd,
        ticketNonce,
        maxEarlyData,
        authTime,
        peerCertificates,
      });
    });
  } catch (e) {
    if (e instanceof SessionDecodeError) throw e;
    if (isTlsError(e)) {
      const reason: SessionDecodeReason = e.reason === 'Truncated' ? 'Truncated' : e.reason === 'TrailingData' ? 'TrailingData' : 'OutOfRange';
      throw new SessionDecodeError(reason, e.message, { cause: e });
    }
    // createSession's RangeError/TypeError: a field decoded but its value is not allowed.
    throw new SessionDecodeError('OutOfRange', e instanceof Error ? e.message : String(e), { cause: e });
  }
}
