/** Loads RFC 8448 vector files from the repo's test-vectors/ folder. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../test-vectors/', import.meta.url));

export interface Rfc8448Section {
  readonly values: Record<string, string>;
  readonly derived: Record<string, string>;
}

export function loadRfc8448(section: number): Rfc8448Section {
  return JSON.parse(readFileSync(`${ROOT}rfc8448-section${section}.json`, 'utf8')) as Rfc8448Section;
}

export function hex(s: string): Uint8Array {
  if (s.length % 2) throw new Error('odd hex');
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The value `name` of the section, as bytes (throws on a missing name: a typo is a test bug). */
export function value(sec: Rfc8448Section, name: string): Uint8Array {
  const v = sec.values[name];
  if (v === undefined) throw new Error(`no value ${name}`);
  return hex(v);
}
