/**
 * Small byte helpers shared by the providers, the TLS KDFs and the tests. `Uint8Array` only (no
 * `Buffer`), so they run in every JS runtime.
 */

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`, no separators. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX_DIGITS[b >>> 4]! + HEX_DIGITS[b & 15]!;
  return s;
}

/**
 * Bytes of a hex string (either case, no separators; `''` is zero bytes).
 * @throws TypeError for an odd length or a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError(`hexToBytes(hex): odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new TypeError(`hexToBytes(hex): invalid hex at offset ${2 * i}: ${JSON.stringify(hex.slice(2 * i, 2 * i + 2))}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** A fresh array holding `parts` one after another. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Whether `a` and `b` hold the same bytes, in time that depends only on the lengths (for MACs,
 * Finished and binders: RFC 8446 §4.4.4). Different lengths return `false` at once: lengths are
 * public in TLS.
 */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Bytes of an ASCII string (TLS labels such as `"tls13 key"`, `"master secret"`).
 * @throws TypeError for a character above 0x7f (labels are ASCII by definition, RFC 8446 §7.1).
 */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new TypeError(`asciiBytes(s): non-ASCII character at offset ${i} in ${JSON.stringify(s)}`);
    out[i] = c;
  }
  return out;
}

/**
 * Bytes of a Latin-1 string, one byte per character (TLS opaque names such as ALPN protocol names,
 * RFC 7301 §3.1, which puretls carries as strings).
 * @throws RangeError for a character above 0xff.
 */
export function latin1ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`latin1ToBytes(s): character 0x${c.toString(16)} at offset ${i} is not Latin-1`);
    out[i] = c;
  }
  return out;
}

/** The Latin-1 string of `bytes` (one character per byte): the inverse of {@link latin1ToBytes}. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Whether every byte is zero, in time that depends only on the length. */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

/** Best-effort wipe ("JS provides no guarantees", noble): fills every array with zeros. */
export function wipe(...arrays: readonly (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}
