/**
 * Handshake message framing (RFC 8446 §4, RFC 5246 §7.4): the 4-byte header in front of every
 * handshake message. The transcript hashes header and body together, so the frame keeps both.
 */
import { Reader, TlsError, Writer, returnScratchWriter, takeScratchWriter } from '@puretls/record-layer';

/** `HandshakeType msg_type` (1 byte) + `uint24 length` (3 bytes). */
export const HANDSHAKE_HEADER_LEN = 4;

/**
 * The largest body the 24-bit length field can express. Callers bound real messages far lower
 * (the reassembler's limit); this is only the wire maximum.
 */
export const MAX_HANDSHAKE_BODY = 0xffffff;

// RFC 8446 §4  struct {
//   HandshakeType msg_type;    /* handshake type */
//   uint24 length;             /* remaining bytes in message */
//   select (Handshake.msg_type) { case client_hello: ClientHello; … };
// } Handshake;
/** One framed handshake message; `body` and `raw` are views into the input, not copies. */
export interface HandshakeFrame {
  /** `msg_type`: a `HandshakeType` value, or any other byte (unknown types survive framing). */
  readonly type: number;
  /** The message body (after the 4-byte header). */
  readonly body: Uint8Array;
  /** Header + body: exactly the bytes the transcript hashes (Go `original`). */
  readonly raw: Uint8Array;
}

/** Options for {@link readHandshake}. */
export interface ReadHandshakeOptions {
  /** Bodies longer than this → `MessageTooLarge` (decode_error). Default: no limit beyond 2^24-1. */
  readonly maxBodyLength?: number;
}

/**
 * Reads exactly one handshake message from `bytes` (header + body, nothing else).
 *
 * @throws TlsError `Truncated` (decode_error) when the header or body is short;
 *   `TrailingData` (decode_error) when bytes follow the body;
 *   `MessageTooLarge` (decode_error) when the body exceeds `opts.maxBodyLength`.
 */
export function readHandshake(bytes: Uint8Array, opts?: ReadHandshakeOptions): HandshakeFrame {
  const r = new Reader(bytes, 'Handshake');
  return r.all('Handshake', (r) => readHandshakeFrom(r, opts));
}

/**
 * Reads one handshake message from the current position of `r` and leaves `r` after it, for a
 * buffer holding several messages (a coalesced flight).
 *
 * @throws TlsError `Truncated` (decode_error) when the header or body is short;
 *   `MessageTooLarge` (decode_error) when the body exceeds `opts.maxBodyLength`.
 */
export function readHandshakeFrom(r: Reader, opts?: ReadHandshakeOptions): HandshakeFrame {
  const type = r.u8();
  const len = r.u24();
  if (opts?.maxBodyLength !== undefined && len > opts.maxBodyLength) {
    throw new TlsError('MessageTooLarge', `handshake message type ${type}: ${len} bytes, at most ${opts.maxBodyLength}`);
  }
  const body = r.bytes(len);
  // `raw` is the header + body: rebuild the view from body's position in the same buffer.
  const raw = new Uint8Array(body.buffer, body.byteOffset - HANDSHAKE_HEADER_LEN, HANDSHAKE_HEADER_LEN + len);
  return { type, body, raw };
}

/**
 * Frames a handshake message: writes the 1-byte type and a uint24 length around what `body`
 * writes. Returns a fresh copy owned by the caller.
 *
 * @throws TypeError when `type` is not a byte (API misuse).
 * @throws TlsError `Internal` (internal_error) when the body exceeds 2^24-1 bytes (our bug).
 */
export function writeHandshake(type: number, body: (w: Writer) => void): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new TypeError(`writeHandshake: type ${type} is not a byte`);
  const w = takeScratchWriter();
  try {
    w.u8(type).vec24(body);
    return w.finish();
  } finally {
    returnScratchWriter(w);
  }
}
