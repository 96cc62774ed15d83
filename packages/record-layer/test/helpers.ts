/** Shared test helpers for the record layer. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AeadAlgorithm, CryptoProvider } from '@puretls/crypto';
import { concatBytes, createNobleProvider, createNodeProvider } from '@puretls/crypto';
import { isTlsError, type AlertDescriptionName, type Reason, type TlsError } from '../src/index';

/**
 * Runs `fn` and asserts it throws a `TlsError` with exactly this alert and reason.
 * Returns the error for further checks.
 */
export function expectTlsError(fn: () => unknown, alert: AlertDescriptionName | null, reason: Reason): TlsError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail(`expected TlsError ${reason} (${alert}), nothing was thrown`);
  if (!isTlsError(thrown)) throw thrown;
  expect({ reason: thrown.reason, alert: thrown.alert }).toEqual({ reason, alert });
  return thrown;
}

export function hex(s: string): Uint8Array {
  if (s.length % 2) throw new Error('odd hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Concatenation (the crypto package's `concatBytes`). */
export const concat = concatBytes;

/** A plaintext record: type ‖ version ‖ length ‖ body. */
export function plainRecord(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  return concat(new Uint8Array([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]), body);
}

/** A handshake message: type ‖ uint24 length ‖ body. */
export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return concat(new Uint8Array([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body);
}

/** Deterministic bytes (no randomness in tests unless fast-check drives it). */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Both crypto providers, by name. */
export const PROVIDERS: ReadonlyArray<readonly [string, CryptoProvider]> = [
  ['noble', createNobleProvider()],
  ['node', createNodeProvider()],
];

export const AEADS: readonly AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
export const KEY_LENGTH: Readonly<Record<AeadAlgorithm, number>> = { 'aes-128-gcm': 16, 'aes-256-gcm': 32, 'chacha20-poly1305': 32 };

const here = dirname(fileURLToPath(import.meta.url));
/** `values` of an RFC 8448 vector file (`test-vectors/rfc8448-sectionN.json`). */
export function loadRfc8448(section: number): Record<string, string> {
  const file = join(here, '../../../test-vectors', `rfc8448-section${section}.json`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { values: Record<string, string> };
  return json.values;
}
