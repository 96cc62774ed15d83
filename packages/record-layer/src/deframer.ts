/**
 * `RecordReader`: byte chunks of any size in, complete records out (RFC 8446 §5.1, RFC 5246 §6.2).
 *
 * Records that lie wholly inside one chunk are handed out as `subarray` views of that chunk (no
 * copy). A record that spans chunks is copied, once, into a buffer of exactly its size, allocated
 * when its header is known — so a peer can never make the reader hold more than that one partial
 * record: every header is checked (type, version, length) before any of its body is buffered.
 *
 * Pull model: `push(chunk)` queues a view (no copy); `next()` returns the next complete record or
 * `null`. When `next()` returns `null`, the queue is empty and the reader holds at most one
 * partial record (≤ {@link MAX_RECORD_LENGTH} bytes). Keys may change between two `next()` calls:
 * a record's header is not read before the previous record has been returned.
 */
import { TlsError } from './errors';
import {
  MAX_PLAINTEXT,
  RECORD_HEADER_LENGTH,
  isKnownContentType,
  type ContentType,
  type TlsRecord,
  type TlsVersion,
} from './record';

/** Framing: chunks in, `TlsRecord` views out, bounded buffering (see the file comment). */
export class RecordReader {
  /** Unread views of pushed chunks; `queue[0]` starts at the next unread byte. */
  private queue: Uint8Array[] = [];
  /** Sum of `queue[i].length`. */
  private queued = 0;
  /** Header bytes of a record whose header spans chunks (made the first time one does). Invariant: 0 <= headerLength < 5 unless `partial` is set. */
  private headerScratch: Uint8Array | null = null;
  private headerLength = 0;
  /** A record spanning chunks, exactly its size (header included); invariant 5 <= partialLength <= partial.length. */
  private partial: Uint8Array | null = null;
  private partialLength = 0;

  /**
   * The negotiated version, or `null` before the server has chosen one. `null`: any
   * `legacy_record_version` 0x03XX is accepted (RFC 8446 §5.1: the initial ClientHello "MAY also
   * be 0x0301"); afterwards every record must carry 0x0303, as both TLS 1.2 and TLS 1.3 send.
   */
  version: TlsVersion | null = null;
  /**
   * Largest acceptable `length` field: 2^14 while records are unprotected, the version's
   * ciphertext limit once a key is in use. The record layer sets it with the read protection.
   */
  maxFragmentLength: number = MAX_PLAINTEXT;
  /** Whether records are protected (picks the reason `CiphertextOverflow` over `RecordOverflow`). */
  protectedInput = false;

  /**
   * Queues `chunk` (a view, not a copy: the chunk must not be overwritten by the caller until
   * `next()` has returned `null`; records are decrypted in place inside it).
   * @throws TypeError when `chunk` is not a `Uint8Array`.
   */
  push(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('RecordReader.push: chunk must be a Uint8Array');
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  /** Bytes held: queued views plus the partial record buffer. */
  get bufferedBytes(): number {
    // Once a header that spanned chunks is complete, it is inside `partial` (and `headerLength`
    // stays 5 as a marker): count it once.
    return this.queued + (this.partial ? this.partial.length : this.headerLength);
  }

  /** True while part of a record (header or body) has been received but not the whole record. */
  get hasPartialRecord(): boolean {
    return this.headerLength > 0 || this.partial !== null;
  }

  /** True when queued bytes are waiting to be read by `next()`. */
  get hasQueuedInput(): boolean {
    return this.queued > 0;
  }

  /**
   * The next complete record, or `null` when more input is needed.
   * @throws TlsError `UnknownContentType` (unexpected_message), `BadRecordVersion` (protocol_version),
   *   `RecordOverflow` / `CiphertextOverflow` (record_overflow) — checked from the header alone.
   */
  next(): TlsRecord | null {
    for (;;) {
      if (this.partial !== null || this.headerLength > 0) {
        if (this.partial === null) {
          const scratch = this.headerScratch!; // made when headerLength became > 0
          while (this.headerLength < RECORD_HEADER_LENGTH) {
            const c = this.take(RECORD_HEADER_LENGTH - this.headerLength);
            if (c === null) return null;
            scratch.set(c, this.headerLength);
            this.headerLength += c.length;
          }
          const length = this.checkHeader(scratch, 0);
          // Copy: this record spans chunks. Exactly one record's worth, allocated fresh so that
          // views handed out for it stay valid after the reader moves on.
          this.partial = new Uint8Array(RECORD_HEADER_LENGTH + length);
          this.partial.set(scratch);
          this.partialLength = RECORD_HEADER_LENGTH;
        }
        const p = this.partial;
        while (this.partialLength < p.length) {
          const c = this.take(p.length - this.partialLength);
          if (c === null) return null;
          p.set(c, this.partialLength);
          this.partialLength += c.length;
        }
        this.partial = null;
        this.partialLength = 0;
        this.headerLength = 0;
        return makeRecord(p);
      }
      const head = this.queue[0];
      if (head === undefined) return null;
      if (head.length >= RECORD_HEADER_LENGTH) {
        const length = this.checkHeader(head, 0);
        const total = RECORD_HEADER_LENGTH + length;
        if (head.length >= total) {
          this.advance(head, total);
          return makeRecord(head.subarray(0, total));
        }
        this.partial = new Uint8Array(total);
        this.partial.set(head);
        this.partialLength = head.length;
      } else {
        (this.headerScratch ??= new Uint8Array(RECORD_HEADER_LENGTH)).set(head);
        this.headerLength = head.length;
      }
      this.queue.shift();
      this.queued -= head.length;
    }
  }

  /** Up to `n` bytes from the queue head, consumed; `null` when the queue is empty. */
  private take(n: number): Uint8Array | null {
    const head = this.queue[0];
    if (head === undefined) return null;
    const k = Math.min(n, head.length);
    this.advance(head, k);
    return head.subarray(0, k);
  }

  private advance(head: Uint8Array, n: number): void {
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    this.queued -= n;
  }

  /** Validates a record header at `b[o..o+5)` and returns its length field. */
  private checkHeader(b: Uint8Array, o: number): number {
    const type = b[o]!;
    const version = (b[o + 1]! << 8) | b[o + 2]!;
    const length = (b[o + 3]! << 8) | b[o + 4]!;
    // RFC 8446 §5: "If a TLS implementation receives an unexpected record type, it MUST terminate
    // the connection with an "unexpected_message" alert."
    if (!isKnownContentType(type)) throw new TlsError('UnknownContentType', `record content type ${type}`);
    // RFC 8446 §5.1: in TLS 1.3 legacy_record_version "MUST be ignored for all purposes" beyond
    // the 0x03XX framing; TLS 1.2 records carry exactly the negotiated 0x0303.
    if (this.version === 'tls12' ? version !== 0x0303 : version >> 8 !== 0x03) {
      throw new TlsError('BadRecordVersion', `legacy_record_version 0x${version.toString(16).padStart(4, '0')}`);
    }
    // RFC 8446 §5.1/§5.2: a longer record "MUST terminate the connection with a "record_overflow" alert".
    if (length > this.maxFragmentLength) {
      throw new TlsError(
        this.protectedInput ? 'CiphertextOverflow' : 'RecordOverflow',
        `record of ${length} bytes exceeds ${this.maxFragmentLength}`,
      );
    }
    return length;
  }
}

function makeRecord(r: Uint8Array): TlsRecord {
  return {
    type: r[0]! as ContentType,
    version: (r[1]! << 8) | r[2]!,
    header: r.subarray(0, RECORD_HEADER_LENGTH),
    fragment: r.subarray(RECORD_HEADER_LENGTH),
  };
}
