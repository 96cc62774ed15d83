/**
 * Reader / Writer for TLS presentation-language structures (RFC 8446 §3), after rustls `Codec`
 * and Go's `cryptobyte`. A `Reader` walks a `Uint8Array` and hands out `subarray` views (no
 * copies); every failure throws a `TlsError` (decode_error by default) — nothing returns
 * `undefined`. A `Writer` appends into a growable buffer and patches length prefixes afterwards.
 */
import { TlsError, internalError } from './errors';
import type { Reason } from './alerts';

/** Bounds of a length-prefixed vector: `min`/`max` bytes and the element size `elem` (the length must be a multiple). */
export interface VecOptions {
  /** Minimum body length in bytes (RFC `<min..max>`); shorter → decode_error. */
  readonly min?: number;
  /** Maximum body length in bytes; longer → decode_error. */
  readonly max?: number;
  /** Element size: the body length must be a multiple of it. */
  readonly elem?: number;
}

/**
 * Reads wire structures from bytes (rustls `Codec`, Go `cryptobyte`): `u8`…`u32`, `bytes(n)` (views,
 * not copies), `vec8/16/24` sub-readers; every failure throws a `decode_error` `TlsError` naming
 * the structure.
 */
export class Reader {
  /** Invariant: 0 <= offset <= bytes.length. */
  private offset = 0;

  constructor(
    private readonly input: Uint8Array,
    /** What is being read, for error messages. */
    readonly what = 'message',
  ) {}

  get remaining(): number {
    return this.input.length - this.offset;
  }
  get position(): number {
    return this.offset;
  }
  /** True when every byte has been consumed. */
  get done(): boolean {
    return this.offset === this.input.length;
  }

  private need(n: number): void {
    if (this.input.length - this.offset < n) {
      throw new TlsError('Truncated', `${this.what}: need ${n} bytes, ${this.remaining} left`);
    }
  }

  u8(): number {
    this.need(1);
    return this.input[this.offset++]!;
  }
  u16(): number {
    this.need(2);
    const b = this.input, o = this.offset;
    this.offset = o + 2;
    return (b[o]! << 8) | b[o + 1]!;
  }
  u24(): number {
    this.need(3);
    const b = this.input, o = this.offset;
    this.offset = o + 3;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  }
  u32(): number {
    this.need(4);
    const b = this.input, o = this.offset;
    this.offset = o + 4;
    return ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }
  /** `n` bytes as a view into the input (not a copy: copy if it must outlive the input). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** The rest of the input as a view. */
  rest(): Uint8Array {
    const v = this.input.subarray(this.offset);
    this.offset = this.input.length;
    return v;
  }

  private vec(lenBytes: 1 | 2 | 3, opts: VecOptions | undefined): Reader {
    const len = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    if (opts) {
      if (opts.min !== undefined && len < opts.min) {
        throw new TlsError(len === 0 ? 'EmptyVector' : 'BadVectorLength', `${this.what}: vector of ${len} bytes, at least ${opts.min} required`);
      }
      if (opts.max !== undefined && len > opts.max) {
        throw new TlsError('BadVectorLength', `${this.what}: vector of ${len} bytes, at most ${opts.max} allowed`);
      }
      if (opts.elem !== undefined && len % opts.elem !== 0) {
        throw new TlsError('BadVectorLength', `${this.what}: vector of ${len} bytes is not a multiple of ${opts.elem}`);
      }
    }
    return new Reader(this.bytes(len), this.what);
  }
  /** `opaque x<min..2^8-1>` → a sub-reader over the body. */
  vec8(opts?: VecOptions): Reader {
    return this.vec(1, opts);
  }
  vec16(opts?: VecOptions): Reader {
    return this.vec(2, opts);
  }
  vec24(opts?: VecOptions): Reader {
    return this.vec(3, opts);
  }

  /**
   * The rest of the input as big-endian uint16 values — a vector of 2-byte elements (cipher suites,
   * groups, signature schemes), read in one tight loop (no call per element).
   * @throws TlsError `Truncated` (decode_error) when an odd byte remains.
   */
  u16s(): number[] {
    const b = this.input;
    const start = this.offset;
    if ((b.length - start) % 2 !== 0) throw new TlsError('Truncated', `${this.what}: a 2-byte element cut short`);
    // Sized once (growing by push costs twice as much for the 32,767 entries a vector can hold).
    const out = new Array<number>((b.length - start) / 2);
    for (let o = start, i = 0; o < b.length; o += 2, i++) out[i] = (b[o]! << 8) | b[o + 1]!;
    this.offset = b.length;
    return out;
  }

  /** Reads elements with `f` until the reader is exhausted. */
  list<T>(f: (r: Reader) => T): T[] {
    const out: T[] = [];
    while (!this.done) out.push(f(this));
    return out;
  }

  /** Runs `f`, then requires every byte to be consumed (trailing bytes → decode_error). */
  all<T>(what: string, f: (r: Reader) => T): T {
    const v = f(this);
    this.expectEnd(what);
    return v;
  }

  /** Throws `TrailingData` unless the input is fully consumed. */
  expectEnd(what = this.what): void {
    if (!this.done) throw new TlsError('TrailingData', `${what}: ${this.remaining} trailing bytes`);
  }

  /** Throws `reason` (default `IllegalParameter`) with `message` — for semantic checks while reading. */
  fail(reason: Reason, message: string): never {
    throw new TlsError(reason, `${this.what}: ${message}`);
  }
}

/** Growable output buffer with length-prefix patching (rustls `LengthPrefixedBuffer`). */
export class Writer {
  private buf: Uint8Array;
  /** Invariant: 0 <= length <= buf.length. */
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get size(): number {
    return this.length;
  }

  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2 || 64;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u24(v: number): this {
    this.ensure(3);
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  private vec(lenBytes: 1 | 2 | 3, body: (w: this) => void): this {
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    this.ensure(lenBytes);
    const at = this.length;
    this.length += lenBytes; // placeholder, patched below
    body(this);
    const len = this.length - at - lenBytes;
    if (len > max) throw internalError(`Writer: vector of ${len} bytes exceeds its ${lenBytes}-byte length prefix`);
    for (let i = 0; i < lenBytes; i++) this.buf[at + i] = (len >>> (8 * (lenBytes - 1 - i))) & 0xff;
    return this;
  }
  vec8(body: (w: this) => void): this {
    return this.vec(1, body);
  }
  vec16(body: (w: this) => void): this {
    return this.vec(2, body);
  }
  vec24(body: (w: this) => void): this {
    return this.vec(3, body);
  }

  /** The bytes written so far, as a fresh copy owned by the caller. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  /** The bytes written so far as a view (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Zeroes what was written and empties the writer (its buffer is kept for the next use). */
  wipe(): void {
    this.buf.fill(0, 0, this.length);
    this.length = 0;
  }

  /** Bytes the buffer holds before it has to grow. */
  get capacity(): number {
    return this.buf.length;
  }
}

/**
 * Writers lent by {@link takeScratchWriter}: a stack, so nested and interleaved uses each get their
 * own. Allocating a buffer of more than 64 bytes costs far more than filling it (V8 puts it outside
 * the heap), and most writers live for one message.
 */
const SCRATCH_WRITERS: Writer[] = [];
/** At most this many writers wait in the stack, none larger than {@link SCRATCH_MAX_CAPACITY}. */
const SCRATCH_MAX_WRITERS = 16;
const SCRATCH_MAX_CAPACITY = 32 * 1024;

/**
 * An empty writer to use and hand back with {@link returnScratchWriter}. Nothing written to it may
 * outlive the return except through {@link Writer.finish} (a copy): its buffer is reused.
 */
export function takeScratchWriter(): Writer {
  return SCRATCH_WRITERS.pop() ?? new Writer(1024);
}

/** Hands a writer from {@link takeScratchWriter} back: what it holds is wiped first. */
export function returnScratchWriter(w: Writer): void {
  w.wipe();
  if (SCRATCH_WRITERS.length < SCRATCH_MAX_WRITERS && w.capacity <= SCRATCH_MAX_CAPACITY) SCRATCH_WRITERS.push(w);
}
