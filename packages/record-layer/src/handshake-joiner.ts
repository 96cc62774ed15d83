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
 * Messages inside one record are views of it (no copy). A message spanning records is copied once
 * into a buffer of exactly its size, allocated when its header is known and the length checked
 * against the cap, so nothing beyond the cap is ever buffered.
 */
import { TlsError } from './errors';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE, HANDSHAKE_HEADER_LENGTH } from './record';

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
  private readonly headerScratch = new Uint8Array(HANDSHAKE_HEADER_LENGTH);
  private headerLength = 0;
  /** A message spanning records, exactly its size; invariant 4 <= partialLength <= partial.length. */
  private partial: Uint8Array | null = null;
  private partialLength = 0;

  /**
   * @param maxMessageLength cap on a message body in bytes ({@link DEFAULT_MAX_HANDSHAKE_MESSAGE}).
   * @throws RangeError when the cap is not an integer in [0, 2^24).
   */
  constructor(readonly maxMessageLength: number = DEFAULT_MAX_HANDSHAKE_MESSAGE) {
    if (!Number.isInteger(maxMessageLength) || maxMessageLength < 0 || maxMessageLength >= 2 ** 24) {
      throw new RangeError('maxMessageLength must be an integer in [0, 2^24)');
    }
  }

  /** True when nothing is buffered: no partial message and no unread record content. */
  get isEmpty(): boolean {
    return this.current === null && this.partial === null && this.headerLength === 0;
  }

  /** Bytes held for a message spanning records (its buffer is allocated at its full size once the header is known). */
  get bufferedBytes(): number {
    return this.partial !== null ? this.partial.length : this.headerLength;
  }

  /** True while a message has started but not ended (another record is needed). */
  get hasPartialMessage(): boolean {
    return this.partial !== null || this.headerLength > 0;
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
   * @throws TlsError `MessageTooLarge` (decode_error) when a header announces more than the cap.
   */
  next(): HandshakeMessage | null {
    const cur = this.current;
    if (cur === null) return null;
    if (this.partial === null && this.headerLength === 0) {
      const rem = cur.length - this.offset;
      if (rem >= HANDSHAKE_HEADER_LENGTH) {
        const o = this.offset;
        const len = this.checkLength(cur, o);
        const total = HANDSHAKE_HEADER_LENGTH + len;
        if (rem >= total) {
          this.offset = o + total;
          if (this.offset === cur.length) this.current = null;
          return makeMessage(cur.subarray(o, o + total));
        }
        // Copy: the message continues in the next record.
        this.partial = new Uint8Array(total);
        this.partial.set(cur.subarray(o));
        this.partialLength = rem;
      } else {
        this.headerScratch.set(cur.subarray(this.offset));
        this.headerLength = rem;
      }
      this.current = null;
      return null;
    }
    if (this.partial === null) {
      const k = Math.min(HANDSHAKE_HEADER_LENGTH - this.headerLength, cur.length - this.offset);
      this.headerScratch.set(cur.subarray(this.offset, this.offset + k), this.headerLength);
      this.headerLength += k;
      this.offset += k;
      if (this.headerLength < HANDSHAKE_HEADER_LENGTH) {
        this.current = null;
        return null;
      }
      const len = this.checkLength(this.headerScratch, 0);
      this.partial = new Uint8Array(HANDSHAKE_HEADER_LENGTH + len);
      this.partial.set(this.headerScratch);
      this.partialLength = HANDSHAKE_HEADER_LENGTH;
    }
    const p = this.partial;
    const k = Math.min(p.length - this.partialLength, cur.length - this.offset);
    p.set(cur.subarray(this.offset, this.offset + k), this.partialLength);
    this.partialLength += k;
    this.offset += k;
    if (this.offset === cur.length) this.current = null;
    if (this.partialLength < p.length) return null;
    this.partial = null;
    this.partialLength = 0;
    this.headerLength = 0;
    return makeMessage(p);
  }

  private checkLength(b: Uint8Array, o: number): number {
    const len = (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    if (len > this.maxMessageLength) {
      throw new TlsError('MessageTooLarge', `handshake message type ${b[o]!} of ${len} bytes exceeds ${this.maxMessageLength}`);
    }
    return len;
  }
}

function makeMessage(raw: Uint8Array): HandshakeMessage {
  return { kind: 'handshake', type: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
}
