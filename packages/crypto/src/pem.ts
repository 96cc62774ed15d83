/**
 * PEM (RFC 7468) reading and writing, without `Buffer` or `atob` so it runs in every runtime.
 * Reading is strict about what matters (matching BEGIN/END labels, valid base64) and tolerant of
 * what RFC 7468 §2 allows (surrounding text, any line length, CRLF, whitespace). RFC 1421
 * headers are kept so that `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encryption) can be refused.
 */
import { KeyError } from './errors';

export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `PRIVATE KEY`. */
  readonly label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`), keys as written. */
  readonly headers: ReadonlyMap<string, string>;
  readonly der: Uint8Array;
}

const BEGIN = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----/g;

/** Whether `text` contains a PEM encapsulation boundary. */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/**
 * Every PEM block of `text`, in order. Text outside blocks is ignored (RFC 7468 §5.2 explanatory
 * text).
 * @throws KeyError('NotPem') when no block is present or a block has no matching END line;
 *   KeyError('MalformedDer') for invalid base64.
 */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const label = m[1] ?? '';
    const endMarker = `-----END ${label}-----`;
    const bodyStart = m.index + m[0].length;
    const endIndex = text.indexOf(endMarker, bodyStart);
    if (endIndex < 0) throw new KeyError('NotPem', `PEM block "${label}" has no "${endMarker}" line`);
    const body = text.slice(bodyStart, endIndex);
    const headers = new Map<string, string>();
    let b64 = body;
    // RFC 1421 §4.4: headers, then an empty line, then the base64 text.
    if (/^\s*[A-Za-z-]+:/.test(body)) {
      const lines = body.split(/\r?\n/);
      let i = 0;
      while (i < lines.length && lines[i]!.trim() === '') i++;
      for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        else if (/^\s/.test(line) && headers.size > 0) {
          // continuation line of the previous header
          const lastKey = [...headers.keys()].pop()!;
          headers.set(lastKey, headers.get(lastKey)! + line.trim());
        } else break;
      }
      b64 = lines.slice(i).join('\n');
    }
    blocks.push({ label, headers, der: base64Decode(b64, label) });
    BEGIN.lastIndex = endIndex + endMarker.length;
  }
  if (blocks.length === 0) throw new KeyError('NotPem', 'no PEM block ("-----BEGIN …-----") found');
  return blocks;
}

/** PEM text for `der` under `label`, 64-character lines, trailing newline (RFC 7468 §2). */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${label}-----\n`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with padding (RFC 4648 §4). */
export function base64Encode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!, b = bytes[i + 1], c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    s += ALPHABET[(n >>> 18) & 63]! + ALPHABET[(n >>> 12) & 63]!;
    s += b === undefined ? '=' : ALPHABET[(n >>> 6) & 63]!;
    s += c === undefined ? '=' : ALPHABET[n & 63]!;
  }
  return s;
}

/**
 * Strict base64 decoding, whitespace ignored. Padding must be correct and the unused bits of
 * the last group zero (RFC 4648 §3.5), so each encoding decodes from exactly one text.
 * @throws KeyError('MalformedDer')
 */
export function base64Decode(text: string, label = 'PEM'): Uint8Array {
  const clean = text.replace(/[ \t\r\n]/g, '');
  const bad = (why: string): KeyError => new KeyError('MalformedDer', `invalid base64 in "${label}": ${why}`);
  if (clean.length % 4 !== 0) throw bad('length is not a multiple of 4');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let n = 0;
    const last = i + 4 === clean.length;
    for (let j = 0; j < 4; j++) {
      const ch = clean.charCodeAt(i + j);
      if (last && ch === 61 /* = */ && j >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = ch < 128 ? DECODE[ch]! : -1;
      if (v < 0) throw bad(`unexpected character ${JSON.stringify(clean[i + j])}`);
      n = (n << 6) | v;
    }
    if (last && pad === 2 && n & 0xffff) throw bad('non-zero padding bits');
    if (last && pad === 1 && n & 0xff) throw bad('non-zero padding bits');
    out[o++] = (n >>> 16) & 0xff;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** Text of `input` if it is (bytes of) PEM text, else `undefined` (then it is DER). */
export function pemTextOf(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input;
  // DER starts with a constructed SEQUENCE (0x30 = '0'); PEM text starts with '-' or text.
  if (input.length > 0 && input[0] === 0x30) return undefined;
  let s = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c > 0x7e || (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}
