/**
 * Session (de)serialization, like OpenSSL's `i2d_SSL_SESSION` / `d2i_SSL_SESSION` (spec §7): the
 * metadata the cache owns and the opaque TLS state, behind a leading format version (Go
 * `ticket.go` `uint8 revision`). Decoding never throws anything but {@link SessionDecodeError}: a
 * blob that came from a store is untrusted input, and a bad one is a cache miss.
 *
 * Format version 2 (all integers big-endian):
 *   struct {
 *     uint8  format_version = 2;
 *     uint8  flags;                 // 1 = single use
 *     opaque id<1..32>;
 *     uint64 created_at;            // ms, < 2^53
 *     uint32 timeout;               // s
 *     uint64 auth_time;             // ms, <= created_at
 *     opaque state<1..2^24-1>;      // the handshake's encoding
 *   } SessionBlob;
 */
import { MAX_SESSION_ID_LENGTH, MAX_SESSION_STATE_LENGTH, createSession, type Session } from './session';

/** The format version {@link encodeSession} writes (first byte of every blob). */
export const SESSION_FORMAT_VERSION = 2;

/** Flag bits of the `flags` byte. Unknown bits are a decode error (no silent downgrade). */
const FLAG_SINGLE_USE = 0x01;
const KNOWN_FLAGS = FLAG_SINGLE_USE;
/** Bytes of a blob around the id and the state: version, flags, two length prefixes, the times. */
const FIXED_LENGTH = 1 + 1 + 1 + 8 + 4 + 8 + 3;

/** Why a blob did not decode. */
export type SessionDecodeReason =
  /** The blob ended early (a length prefix or field runs past the end). */
  | 'Truncated'
  /** Bytes left after the last field. */
  | 'TrailingData'
  /** The first byte is not a format version this code reads. */
  | 'UnknownVersion'
  /** A length or value outside its allowed range (unknown flag, id of 0 bytes, times out of order…). */
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

/**
 * Serializes a session (including its state, which holds the secret: seal it with
 * `sealSession` before it leaves the process if the store is not trusted).
 */
export function encodeSession(session: Session): Uint8Array {
  const { id, state } = session;
  const out = new Uint8Array(FIXED_LENGTH + id.length + state.length);
  const v = new DataView(out.buffer);
  let at = 0;
  out[at++] = SESSION_FORMAT_VERSION;
  out[at++] = session.singleUse ? FLAG_SINGLE_USE : 0;
  out[at++] = id.length;
  out.set(id, at);
  at += id.length;
  at = writeU64(v, at, session.createdAt);
  v.setUint32(at, session.timeout);
  at += 4;
  at = writeU64(v, at, session.authTime);
  out[at++] = state.length >>> 16;
  out[at++] = (state.length >>> 8) & 0xff;
  out[at++] = state.length & 0xff;
  out.set(state, at);
  return out;
}

function writeU64(v: DataView, at: number, n: number): number {
  v.setUint32(at, Math.floor(n / 0x100000000));
  v.setUint32(at + 4, n >>> 0);
  return at + 8;
}

/** A bounds-checked cursor over a blob (the cache's own tiny reader: this format has five fields). */
class BlobReader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.at + n > this.bytes.length) throw new SessionDecodeError('Truncated', `${what} runs past the end`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.at++]!;
  }
  u32(what: string): number {
    this.need(4, what);
    const n = this.view.getUint32(this.at);
    this.at += 4;
    return n;
  }
  u64(what: string): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi > 0x1fffff) throw new SessionDecodeError('OutOfRange', `${what} does not fit in 53 bits`);
    return hi * 0x100000000 + lo;
  }
  bytesOf(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new SessionDecodeError('TrailingData', `${this.bytes.length - this.at} bytes after the session`);
  }
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
  const r = new BlobReader(bytes);
  const format = r.u8('format_version');
  if (format !== SESSION_FORMAT_VERSION) throw new SessionDecodeError('UnknownVersion', `format version ${format}, this code reads ${SESSION_FORMAT_VERSION}`);
  const flags = r.u8('flags');
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new SessionDecodeError('OutOfRange', `unknown flags 0x${flags.toString(16)}`);
  const idLength = r.u8('id length');
  if (idLength < 1 || idLength > MAX_SESSION_ID_LENGTH) throw new SessionDecodeError('OutOfRange', `id of ${idLength} bytes`);
  const id = r.bytesOf(idLength, 'id');
  const createdAt = r.u64('created_at');
  const timeout = r.u32('timeout');
  const authTime = r.u64('auth_time');
  const stateLength = (r.u8('state length') << 16) | (r.u8('state length') << 8) | r.u8('state length');
  if (stateLength < 1 || stateLength > MAX_SESSION_STATE_LENGTH) throw new SessionDecodeError('OutOfRange', `state of ${stateLength} bytes`);
  const state = r.bytesOf(stateLength, 'state');
  r.end();
  try {
    return createSession({ id, createdAt, timeout, authTime, singleUse: (flags & FLAG_SINGLE_USE) !== 0, state });
  } catch (e) {
    // createSession's RangeError/TypeError: a field decoded but its value is not allowed.
    throw new SessionDecodeError('OutOfRange', e instanceof Error ? e.message : String(e), { cause: e });
  }
}
