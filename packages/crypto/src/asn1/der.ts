/**
 * A strict DER reader and a small DER writer (ITU-T X.690 §8 and §10), just enough for keys,
 * certificates and ECDSA signatures. The reader rejects every BER liberty: indefinite or
 * non-minimal lengths, non-minimal INTEGERs, non-zero unused bits where they are meaningless,
 * trailing bytes. Values are `subarray` views of the input (no copies).
 */
import { KeyError } from '../errors';

/** Universal tags used by puretls (X.690 §8.1.2, single-octet identifiers only). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Largest DER object we accept (16 MiB): far above any key or certificate, well below memory limits. */
export const MAX_DER_LENGTH = 1 << 24;

/** One tag-length-value element. `content` and `raw` (the whole TLV) are views of the input. */
export interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly raw: Uint8Array;
}

function malformed(what: string): KeyError {
  return new KeyError('MalformedDer', `malformed DER: ${what}`);
}

/**
 * Reads DER elements from `bytes` in order.
 * Invariant: `0 <= pos <= bytes.length`; every method either consumes a whole element or throws
 * `KeyError('MalformedDer')`.
 */
export class DerReader {
  private pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly context = 'DER',
  ) {}

  /** Whether every byte has been consumed. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The tag of the next element, or `undefined` at the end. */
  peekTag(): number | undefined {
    return this.pos < this.bytes.length ? this.bytes[this.pos] : undefined;
  }

  /** @throws KeyError('MalformedDer') when bytes remain. */
  end(): void {
    if (!this.done) throw malformed(`${this.bytes.length - this.pos} trailing bytes after ${this.context}`);
  }

  /** The next element, whatever its tag. @throws KeyError('MalformedDer') */
  any(): DerElement {
    const b = this.bytes;
    const start = this.pos;
    if (start >= b.length) throw malformed(`${this.context} is truncated (expected an element)`);
    const tag = b[start]!;
    // X.690 §8.1.2.4: tag number 31 means a multi-octet tag, which nothing we parse uses.
    if ((tag & 0x1f) === 0x1f) throw malformed(`multi-octet tag in ${this.context}`);
    let p = start + 1;
    if (p >= b.length) throw malformed(`${this.context} is truncated (no length)`);
    const first = b[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const count = first & 0x7f;
      // X.690 §10.1: "The definite form of length encoding shall be used" (0x80 is indefinite).
      if (count === 0) throw malformed(`indefinite length in ${this.context}`);
      if (count > 4) throw malformed(`length of ${count} octets in ${this.context}`);
      if (p + count > b.length) throw malformed(`${this.context} is truncated (in a length)`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + b[p++]!;
      // X.690 §10.1: lengths are encoded in the minimum number of octets.
      if (length < 0x80 || (count > 1 && b[p - count] === 0)) throw malformed(`non-minimal length in ${this.context}`);
    }
    if (length > MAX_DER_LENGTH) throw malformed(`element of ${length} bytes in ${this.context}`);
    if (p + length > b.length) throw malformed(`${this.context} is truncated (element needs ${length} bytes, ${b.length - p} left)`);
    this.pos = p + length;
    return { tag, content: b.subarray(p, p + length), raw: b.subarray(start, p + length) };
  }

  /** The next element, which must carry `tag`. @throws KeyError('MalformedDer') */
  element(tag: number, what: string): DerElement {
    const next = this.peekTag();
    if (next !== tag) {
      throw malformed(`expected ${what} (tag 0x${hex2(tag)}) in ${this.context}, found ${next === undefined ? 'end of input' : `tag 0x${hex2(next)}`}`);
    }
    return this.any();
  }

  /** The next element if it carries `tag`, else `undefined` (nothing consumed). */
  optional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.any() : undefined;
  }

  /** A SEQUENCE: a reader over its content. */
  sequence(what: string): DerReader {
    return new DerReader(this.element(Tag.SEQUENCE, what).content, what);
  }

  /** A constructed element with `tag` (e.g. 0xa0 for `[0] EXPLICIT`): a reader over its content. */
  explicit(tag: number, what: string): DerReader {
    return new DerReader(this.element(tag, what).content, what);
  }

  /** A non-negative INTEGER as a bigint. @throws KeyError('MalformedDer') for a negative value. */
  uint(what: string): bigint {
    const c = this.uintBytes(what);
    return bytesToBigInt(c);
  }

  /** A small non-negative INTEGER (versions). */
  smallUint(what: string): number {
    const v = this.uint(what);
    if (v > 0xffffn) throw malformed(`${what} too large`);
    return Number(v);
  }

  /**
   * A non-negative INTEGER's magnitude: the content without the sign octet (a view).
   * @throws KeyError('MalformedDer') for an empty, non-minimal or negative INTEGER.
   */
  uintBytes(what: string): Uint8Array {
    const c = checkInteger(this.element(Tag.INTEGER, what).content, what);
    if (c[0]! & 0x80) throw malformed(`negative ${what}`);
    return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
  }

  /** An OBJECT IDENTIFIER in dotted form. */
  oid(what: string): string {
    return decodeOid(this.element(Tag.OID, what).content, what);
  }

  /** NULL (empty content). */
  null(what: string): void {
    if (this.element(Tag.NULL, what).content.length !== 0) throw malformed(`non-empty NULL in ${what}`);
  }

  octetString(what: string): Uint8Array {
    return this.element(Tag.OCTET_STRING, what).content;
  }

  /** A BIT STRING whose length is a whole number of octets (keys, signatures): its bytes. */
  bitStringOctets(what: string): Uint8Array {
    const c = this.element(Tag.BIT_STRING, what).content;
    if (c.length === 0) throw malformed(`empty BIT STRING in ${what}`);
    if (c[0] !== 0) throw malformed(`BIT STRING with unused bits in ${what}`);
    return c.subarray(1);
  }

  /** BOOLEAN: DER requires 0x00 or 0xff (X.690 §11.1). */
  boolean(what: string): boolean {
    const c = this.element(Tag.BOOLEAN, what).content;
    if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) throw malformed(`invalid BOOLEAN in ${what}`);
    return c[0] === 0xff;
  }
}

/** Checks X.690 §8.3.2 minimality: no redundant leading 0x00 / 0xff octet. Returns `c`. */
export function checkInteger(c: Uint8Array, what: string): Uint8Array {
  if (c.length === 0) throw malformed(`empty INTEGER ${what}`);
  if (c.length > 1 && ((c[0] === 0 && !(c[1]! & 0x80)) || (c[0] === 0xff && c[1]! & 0x80))) {
    throw malformed(`non-minimal INTEGER ${what}`);
  }
  return c;
}

/** Dotted-decimal form of an OID's content octets (X.690 §8.19). */
export function decodeOid(c: Uint8Array, what = 'OID'): string {
  if (c.length === 0) throw malformed(`empty OID in ${what}`);
  const arcs: string[] = [];
  let value = 0n;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    // §8.19.2: "the leading octet of the subidentifier shall not have the value 0x80".
    if (!started && b === 0x80) throw malformed(`non-minimal OID arc in ${what}`);
    started = true;
    value = (value << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80n ? value / 40n : 2n;
        arcs.push(String(first), String(value - first * 40n));
      } else {
        arcs.push(String(value));
      }
      value = 0n;
      started = false;
    }
  }
  if (started) throw malformed(`truncated OID in ${what}`);
  return arcs.join('.');
}

/** Content octets of a dotted OID. @throws TypeError for a malformed string (our bug). */
export function encodeOidContent(oid: string): Uint8Array {
  const parts = oid.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new TypeError(`encodeOid(oid): invalid OID ${JSON.stringify(oid)}`);
    return BigInt(s);
  });
  if (parts.length < 2) throw new TypeError(`encodeOid(oid): invalid OID ${JSON.stringify(oid)}`);
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) bytes.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

// ---- integers ----------------------------------------------------------------------------------

/** Big-endian unsigned bytes to bigint (`0n` for an empty array). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * `v` as exactly `length` big-endian bytes (left-padded with zeros); without `length`, the minimal
 * length (at least one byte).
 * @throws RangeError when `v` is negative or does not fit.
 */
export function bigIntToBytes(v: bigint, length?: number): Uint8Array {
  if (v < 0n) throw new RangeError('bigIntToBytes(v): negative value');
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const min = hex.length / 2;
  const len = length ?? min;
  if (min > len && !(v === 0n && len === 0)) throw new RangeError(`bigIntToBytes(v): value needs ${min} bytes, ${len} allowed`);
  const out = new Uint8Array(len);
  const off = len - min;
  for (let i = 0; i < min && off + i >= 0; i++) out[off + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bit length of a non-negative bigint (0 for 0). */
export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

// ---- writer ------------------------------------------------------------------------------------

/** A complete TLV with `tag` around `content`. */
export function derTlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of content) len += c.length;
  const header: number[] = [tag];
  if (len < 0x80) header.push(len);
  else {
    const lb: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) lb.unshift(l & 0xff);
    header.push(0x80 | lb.length, ...lb);
  }
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  let off = header.length;
  for (const c of content) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export const derSequence = (...content: Uint8Array[]): Uint8Array => derTlv(Tag.SEQUENCE, ...content);
export const derSet = (...content: Uint8Array[]): Uint8Array => derTlv(Tag.SET, ...content);
export const derOid = (oid: string): Uint8Array => derTlv(Tag.OID, encodeOidContent(oid));
export const derNull = (): Uint8Array => Uint8Array.of(Tag.NULL, 0);
export const derOctetString = (c: Uint8Array): Uint8Array => derTlv(Tag.OCTET_STRING, c);
/** A BIT STRING of whole octets (unused-bits octet 0). */
export const derBitString = (c: Uint8Array): Uint8Array => derTlv(Tag.BIT_STRING, Uint8Array.of(0), c);
export const derBoolean = (v: boolean): Uint8Array => Uint8Array.of(Tag.BOOLEAN, 1, v ? 0xff : 0);

/** A non-negative INTEGER from a bigint or from big-endian unsigned bytes (minimal encoding). */
export function derUint(v: bigint | Uint8Array): Uint8Array {
  let b = typeof v === 'bigint' ? bigIntToBytes(v) : v;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Uint8Array.of(0);
  if (b[0]! & 0x80) {
    const p = new Uint8Array(b.length + 1);
    p.set(b, 1);
    b = p;
  }
  return derTlv(Tag.INTEGER, b);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
