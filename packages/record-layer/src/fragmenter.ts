/**
 * `RecordWriter`: content in, protected records out. Fragments any amount of data into records of
 * at most the negotiated size (2^14, or less when the peer sent `record_size_limit`, RFC 8449),
 * applies an optional TLS 1.3 padding policy, and coalesces handshake messages: they are collected
 * until something else is written, the write key changes, or output is taken, then packed into as
 * few records as the size limit allows (RFC 8446 §5.1: "Handshake messages MAY be coalesced into a
 * single TLSPlaintext record or fragmented across several such records").
 *
 * Every write call seals its records into one fresh output region — the output the caller takes
 * ownership of — carved from a slab when small, so allocations are rarer than write calls. A large
 * write under an AEAD that allocates its output anyway (the node provider) is handed over as each
 * record's header, ciphertext and tag instead: no region, no copy.
 */
import { returnScratchWriter, takeScratchWriter, type Writer } from './codec';
import { MAX_PLAINTEXT, MIN_RECORD_SIZE_LIMIT, ContentType, type TlsVersion } from './record';
import { NullEncrypter, type RecordEncrypter } from './protection';

/**
 * Decides how many zero bytes to pad a TLS 1.3 record with (RFC 8446 §5.4). Gets the real
 * content type, the content length of this record and the most padding that still fits; must
 * return an integer in `[0, maxPadding]`.
 */
export type PaddingPolicy = (type: ContentType, contentLength: number, maxPadding: number) => number;

/**
 * A padding policy that pads each TLS 1.3 inner plaintext (content ‖ type) up to a multiple of
 * `blockSize` bytes, or as far as the record size allows.
 * @throws RangeError when `blockSize` is not an integer in [1, 2^14].
 */
export function padToMultipleOf(blockSize: number): PaddingPolicy {
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_PLAINTEXT) {
    throw new RangeError('blockSize must be an integer in [1, 2^14]');
  }
  return (_type, contentLength, maxPadding) => {
    const inner = contentLength + 1;
    return Math.min(maxPadding, (blockSize - (inner % blockSize)) % blockSize);
  };
}

const NULL_ENCRYPTER = new NullEncrypter();
/**
 * Writes of at least this many bytes are sealed in parts when the encrypter offers it
 * ({@link RecordEncrypter.sealParts}); smaller ones are carved from the slab (three buffers per
 * record would cost more than the copy they save).
 */
const SEAL_IN_PARTS_MIN_BYTES = 4096;
/** Size of the slabs small outputs are carved from (a full 16 KiB record takes an eighth). */
export const OUTPUT_SLAB_SIZE = 128 * 1024;

/**
 * The output slab, shared by every writer of the process like Node's `Buffer` pool (one slab, not
 * one per connection, so idle connections retain nothing). Invariant: 0 <= slabOffset <=
 * slab.length; bytes past slabOffset have never been handed out.
 */
let slab = new Uint8Array(0);
let slabOffset = 0;

/**
 * A fresh, zeroed output region of `n` bytes. Small outputs are carved from the shared slab: one
 * allocation per {@link OUTPUT_SLAB_SIZE} bytes instead of one per write (allocating an ArrayBuffer
 * costs far more than filling it). Slab memory is never reused, so each view belongs to its caller
 * alone. Each region starts at 3 mod 4 so that the fragment (byte 5 on, byte 13 for TLS 1.2 GCM) is
 * 4-byte aligned: noble's AES word path then skips a copy.
 */
function allocateOutput(n: number): Uint8Array {
  if (n > OUTPUT_SLAB_SIZE / 4) return new Uint8Array(n + 3).subarray(3);
  let start = slabOffset + ((7 - (slabOffset % 4)) % 4);
  if (start + n > slab.length) {
    slab = new Uint8Array(OUTPUT_SLAB_SIZE);
    start = 3;
  }
  slabOffset = start + n;
  return slab.subarray(start, start + n);
}

/** Fragmenting, padding, coalescing and sealing of outgoing records (see the file comment). */
export class RecordWriter {
  private encrypter: RecordEncrypter = NULL_ENCRYPTER;
  /** Sealed records not yet taken, in order. */
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  /**
   * Handshake messages waiting to be coalesced (a copy: the caller may reuse its buffers). A
   * scratch writer taken on the first message and handed back at each flush: an idle connection
   * holds no buffer for it.
   */
  private pendingHandshake: Writer | null = null;
  /** The peer's `record_size_limit` (RFC 8449), or `null`. */
  private peerRecordSizeLimit: number | null = null;
  /** TLS 1.3 padding, or `null` for none. */
  paddingPolicy: PaddingPolicy | null = null;
  /** The negotiated version (decides how ChangeCipherSpec is sent). */
  version: TlsVersion | null = null;

  /** The current write protection. */
  get current(): RecordEncrypter {
    return this.encrypter;
  }

  /**
   * Switches the write protection; handshake messages collected so far go out under the old one
   * first (a message never spans a key change). The old key is wiped.
   */
  setEncrypter(e: RecordEncrypter | null): void {
    this.flushHandshake();
    if (this.encrypter !== e) this.encrypter.clean();
    this.encrypter = e ?? NULL_ENCRYPTER;
  }

  /**
   * Sets the `record_size_limit` the peer advertised (RFC 8449 §4), or `null` for none. It applies
   * to protected records only ("Unprotected messages are not subject to this limit").
   * @throws RangeError for a value outside [64, 2^16).
   */
  setPeerRecordSizeLimit(limit: number | null): void {
    if (limit !== null && (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > 0xffff)) {
      throw new RangeError('limit: record_size_limit must be an integer in [64, 65535]');
    }
    this.peerRecordSizeLimit = limit;
  }

  /**
   * Largest TLS 1.3 inner plaintext / TLS 1.2 or null plaintext per record. RFC 8449 §4: in TLS 1.3
   * "the record size limit … includes the content type and padding"; the protocol caps it at
   * 2^14 + 1 (TLS 1.3) and 2^14 (TLS 1.2).
   */
  private maxRecordPlaintext(): number {
    const e = this.encrypter;
    if (e.version === null) return MAX_PLAINTEXT;
    const cap = e.version === 'tls13' ? MAX_PLAINTEXT + 1 : MAX_PLAINTEXT;
    return this.peerRecordSizeLimit === null ? cap : Math.min(cap, this.peerRecordSizeLimit);
  }

  /** Largest content per record under the current protection and limits. */
  get maxFragmentLength(): number {
    const max = this.maxRecordPlaintext();
    return this.encrypter.version === 'tls13' ? max - 1 : max;
  }

  /** Queues one handshake message (header included); it is copied and coalesced with its neighbours. */
  writeHandshake(message: Uint8Array): void {
    (this.pendingHandshake ??= takeScratchWriter()).bytes(message);
  }

  /** Seals the collected handshake messages, if any. */
  flushHandshake(): void {
    const w = this.pendingHandshake;
    if (w === null || w.size === 0) return;
    this.pendingHandshake = null;
    try {
      this.sealAll(this.encrypter, ContentType.handshake, w.view()); // sealed into fresh output: a copy
    } finally {
      returnScratchWriter(w);
    }
  }

  /**
   * Fragments `data` into records of `type` under the current protection (after the pending
   * handshake messages). Empty data writes nothing.
   * @throws TlsError from the encrypter (sequence or key-usage exhaustion); RangeError for a
   *   padding policy that returns an invalid amount.
   */
  writeRecords(type: ContentType, data: Uint8Array): void {
    this.flushHandshake();
    this.sealAll(this.encrypter, type, data);
  }

  /**
   * Writes one record with the null protection whatever the current state: the TLS 1.3
   * middlebox-compatibility ChangeCipherSpec (RFC 8446 §5: "An implementation … sends … an
   * unencrypted single byte"; Appendix D.4).
   */
  writePlaintextRecord(type: ContentType, data: Uint8Array): void {
    this.flushHandshake();
    this.sealAll(NULL_ENCRYPTER, type, data);
  }

  private sealAll(e: RecordEncrypter, type: ContentType, data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const maxRecord = e === NULL_ENCRYPTER ? MAX_PLAINTEXT : this.maxRecordPlaintext();
    const max = e.version === 'tls13' ? maxRecord - 1 : maxRecord;
    const count = Math.ceil(n / max);
    const policy = e.canPad ? this.paddingPolicy : null;
    let pads: Uint32Array | null = null;
    let total = 0;
    if (policy === null) {
      // All records but the last are full.
      total = (count - 1) * e.recordLength(max, 0) + e.recordLength(n - (count - 1) * max, 0);
    } else {
      pads = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        const len = Math.min(max, n - i * max);
        const maxPadding = maxRecord - len - 1;
        const pad = policy(type, len, maxPadding);
        if (!Number.isInteger(pad) || pad < 0 || pad > maxPadding) {
          throw new RangeError(`paddingPolicy returned ${pad}; must be an integer in [0, ${maxPadding}]`);
        }
        pads[i] = pad;
        total += e.recordLength(len, pad);
      }
    }
    if (policy === null && n >= SEAL_IN_PARTS_MIN_BYTES && e.sealParts !== undefined) {
      // Large writes with an AEAD that allocates its output anyway: each record's header,
      // ciphertext and tag go out as they are (no output region, no copy of the ciphertext).
      // All or nothing, as with a region: a throw on a later record queues none of this write.
      const mark = this.chunks.length;
      try {
        for (let at = 0; at < n; at += max) for (const part of e.sealParts(type, data.subarray(at, Math.min(n, at + max)))) this.chunks.push(part);
      } catch (err) {
        this.chunks.length = mark;
        throw err;
      }
      this.chunkBytes += total;
      return;
    }
    const out = allocateOutput(total);
    let off = 0;
    for (let i = 0, at = 0; i < count; i++, at += max) {
      off += e.sealInto(type, data.subarray(at, Math.min(n, at + max)), pads === null ? 0 : pads[i]!, out, off);
    }
    this.chunks.push(out);
    this.chunkBytes += total;
  }

  /** Bytes sealed and not yet taken (collected handshake messages not counted). */
  get pendingBytes(): number {
    return this.chunkBytes;
  }

  /** True when there are records to take (after flushing collected handshake messages). */
  get hasOutput(): boolean {
    return this.chunkBytes > 0 || (this.pendingHandshake !== null && this.pendingHandshake.size > 0);
  }

  /**
   * Flushes collected handshake messages and hands over every sealed record, as written: one chunk
   * per write, or — for a large write sealed in parts — three per record (header, ciphertext, tag).
   */
  takeChunks(): Uint8Array[] {
    this.flushHandshake();
    const c = this.chunks;
    this.chunks = [];
    this.chunkBytes = 0;
    return c;
  }
}
