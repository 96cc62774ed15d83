/**
 * Handshake reassembly (RFC 8446 §5.1, RFC 5246 §6.2.1): handshake messages may span records and
 * several may share one record. The joiner walks the content of handshake records and yields whole
 * messages with their 4-byte header (the transcript hashes the header too).
 *
 * ```
 * struct {
 *     HandshakeType msg_type;    // handshake type
 *     uint24 length;             // remaining bytes in message
 *     select (Handshake.msg_type) { ... };
 * } Handshake;
 * ```
 *
 * Messages inside one record are views of it (no copy). A message spanning records is copied
 * into a buffer that grows with what arrived (bounded doubling, never beyond the announced size):
 * a peer that announces 64 KiB and sends 1 KiB costs about 1 KiB, not 64. The announced length is
 * checked against the bounds as soon as the header is complete (a cap for every type, and a bound
 * per type that may also refuse a type outright), so nothing beyond them is ever buffered.
 */
import { TlsError } from './errors';
import { HANDSHAKE_HEADER_LENGTH, MAX_HANDSHAKE_MESSAGE_LENGTH } from './record';

/**
 * The largest body acceptable for a handshake message of `type`, asked once per message when its
 * 4-byte header is complete and before any of its body is buffered. It may throw a `TlsError` to
 * refuse the type outright (a server refuses types none of its states accepts: unexpected_message).
 */
export type HandshakeMessageLimit = (type: number) => number;

/** One whole handshake message. */
export interface HandshakeMessage {
  /** Tag, so a message is also a {@link RecordEvent}. */
  readonly kind: 'handshake';
  /** `HandshakeType` (msg_type). */
  readonly type: number;
  /** The body: `raw` without its 4-byte header. */
  readonly body: Uint8Array;
  /** Header ‖ body exactly as received: what the transcript hashes. */
  readonly raw: Uint8Array;
}

/** Reassembly of handshake messages from handshake-record content (see the file comment). */
export class HandshakeJoiner {
  /** The record content being walked; `null` once consumed. Invariant: 0 <= offset <= current.length. */
  private current: Uint8Array | null = null;
  private offset = 0;
  /**
   * A message spanning records: `partial[0, partialLength)` holds its first bytes (header first).
   * `null` when no message has started. Invariant: partialLength <= partial.length <= total.
   */
  private partial: Uint8Array | null = null;
  private partialLength = 0;
  /** The partial message's size with its header, once the header is complete; -1 before. */
  private total = -1;

  /**
   * @param maxMessageLength cap on every message body in bytes ({@link MAX_HANDSHAKE_MESSAGE_LENGTH}: none).
   * @param limit a bound per message type (see {@link HandshakeMessageLimit}); the smaller applies.
   * @throws RangeError when the cap is not an integer in [0, 2^24); TypeError when `limit` is not a function.
   */
  constructor(
    readonly maxMessageLength: number = MAX_HANDSHAKE_MESSAGE_LENGTH,
    private readonly limit?: HandshakeMessageLimit,
  ) {
    if (!Number.isInteger(maxMessageLength) || maxMessageLength < 0 || maxMessageLength > MAX_HANDSHAKE_MESSAGE_LENGTH) {
      throw new RangeError('maxMessageLength: an integer in [0, 2^24)');
    }
    if (limit !== undefined && typeof limit !== 'function') throw new TypeError('limit: a function (type) => number');
  }

  /** True when nothing is buffered: no partial message and no unread record content. */
  get isEmpty(): boolean {
    return this.current === null && this.partial === null;
  }

  /**
   * Bytes allocated for a message spanning records: at most twice what arrived of it (and never
   * more than its announced size), 0 when none has started.
   */
  get bufferedBytes(): number {
    return this.partial !== null ? this.partial.length : 0;
  }

  /** Bytes received of a message spanning records (header included). */
  get receivedBytes(): number {
    return this.partialLength;
  }

  /** True while a message has started but not ended (another record is needed). */
  get hasPartialMessage(): boolean {
    return this.partial !== null;
  }

  /**
   * Adds the content of one handshake record. Call only after `next()` returned `null`.
   * @throws RangeError when unread content remains (API misuse).
   */
  push(content: Uint8Array): void {
    if (this.current !== null) throw new RangeError('HandshakeJoiner.push: drain next() first');
    if (content.length > 0) {
      this.current = content;
      this.offset = 0;
    }
  }

  /**
   * The next whole message, or `null` when the pushed content is used up.
   * @throws TlsError `MessageTooLarge` (decode_error) when a header announces more than the cap or
   *   its type's bound; whatever the per-type bound throws (e.g. `UnexpectedHandshakeMessage`).
   */
  next(): HandshakeMessage | null {
    const cur = this.current;
    if (cur === null) return null;
    if (this.partial === null) {
      const o = this.offset;
      const rem = cur.length - o;
      if (rem >= HANDSHAKE_HEADER_LENGTH) {
        const total = HANDSHAKE_HEADER_LENGTH + this.checkLength(cur, o);
        if (rem >= total) {
          this.offset = o + total;
          if (this.offset === cur.length) this.current = null;
          return makeMessage(cur.subarray(o, o + total));
        }
        this.total = total;
      }
      // Copy what there is: the message continues in the next record.
      this.partial = new Uint8Array(Math.max(rem, HANDSHAKE_HEADER_LENGTH));
      this.partial.set(cur.subarray(o));
      this.partialLength = rem;
      this.current = null;
      return null;
    }
    if (this.total < 0) {
      // The header itself spans records.
      const k = Math.min(HANDSHAKE_HEADER_LENGTH - this.partialLength, cur.length - this.offset);
      this.partial.set(cur.subarray(this.offset, this.offset + k), this.partialLength);
      this.partialLength += k;
      this.offset += k;
      if (this.partialLength < HANDSHAKE_HEADER_LENGTH) {
        this.current = null;
        return null;
      }
      this.total = HANDSHAKE_HEADER_LENGTH + this.checkLength(this.partial, 0);
    }
    const k = Math.min(this.total - this.partialLength, cur.length - this.offset);
    const p = this.reserve(this.partialLength + k);
    p.set(cur.subarray(this.offset, this.offset + k), this.partialLength);
    this.partialLength += k;
    this.offset += k;
    if (this.offset === cur.length) this.current = null;
    if (this.partialLength < this.total) return null;
    this.partial = null;
    this.partialLength = 0;
    this.total = -1;
    return makeMessage(p);
  }

  /**
   * The partial buffer with room for `needed` bytes: grown to max(needed, twice its size), at most
   * the message's size (a whole message ends in a buffer of exactly its size).
   */
  private reserve(needed: number): Uint8Array {
    const p = this.partial!;
    if (needed <= p.length) return p;
    const grown = new Uint8Array(Math.min(this.total, Math.max(needed, 2 * p.length)));
    grown.set(p.subarray(0, this.partialLength));
    p.fill(0);
    this.partial = grown;
    return grown;
  }

  private checkLength(b: Uint8Array, o: number): number {
    const type = b[o]!;
    const len = (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    const max = this.limit === undefined ? this.maxMessageLength : Math.min(this.maxMessageLength, this.limit(type));
    if (len > max) throw new TlsError('MessageTooLarge', `handshake message type ${type} of ${len} bytes exceeds ${max}`);
    return len;
  }
}

function makeMessage(raw: Uint8Array): HandshakeMessage {
  return { kind: 'handshake', type: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
}
