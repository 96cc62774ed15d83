import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isTlsError, type AlertDescriptionName, type Reason } from '@puretls/record-layer';

const VECTORS = fileURLToPath(new URL('../../../../test-vectors/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function unhex(s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(s.trim())) throw new Error(`unhex: bad hex ${s}`);
  return Uint8Array.from(Buffer.from(s.trim(), 'hex'));
}
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Asserts that `fn` throws a `TlsError` with this alert and reason (STYLE.md §8). */
export function expectTlsError(fn: () => unknown, alert: AlertDescriptionName | null, reason: Reason): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail(`expected TlsError ${reason} (${alert}), nothing was thrown`);
  if (!isTlsError(thrown)) throw thrown;
  expect({ reason: thrown.reason, alert: thrown.alert }).toEqual({ reason, alert });
}

const cache = new Map<number, Record<string, string>>();
/** RFC 8448 `values` of one section (hex strings), loaded once; prints the count. */
export function rfc8448(section: 3 | 4 | 5 | 6 | 7): Record<string, string> {
  let v = cache.get(section);
  if (!v) {
    const json = JSON.parse(readFileSync(`${VECTORS}rfc8448-section${section}.json`, 'utf8')) as { values: Record<string, string> };
    v = json.values;
    cache.set(section, v);
    console.log(`rfc8448 §${section}: ${Object.keys(v).length} values`);
  }
  return v;
}
/** One RFC 8448 value as bytes; fails if missing. */
export function vec(section: 3 | 4 | 5 | 6 | 7, key: string): Uint8Array {
  const s = rfc8448(section)[key];
  if (s === undefined) throw new Error(`rfc8448 §${section}: no value ${key}`);
  return unhex(s);
}

/**
 * Real ClientHellos (full handshake messages, hex), captured once on 127.0.0.1 with a `net` server
 * that dumped the first handshake message: `openssl s_client -tls1_3` (OpenSSL 3.0.19), the same
 * default + ALPN, a resumption with `-sess_in`; Node 20.20 `tls.connect` with ALPN, and with a
 * `session` from a previous connection. Neither client sends GREASE or padding; a synthetic
 * Chrome-like ClientHello covers those.
 */
export function fixtures(): Array<{ name: string; bytes: Uint8Array }> {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => ({ name: f.replace(/\.hex$/, ''), bytes: unhex(readFileSync(FIXTURES + f, 'utf8')) }));
}

/** A copy of `b` at an odd byte offset of a larger buffer (noble `unalign`). */
export function unalign(b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(b.length + 3);
  buf.set(b, 1);
  return buf.subarray(1, 1 + b.length);
}
