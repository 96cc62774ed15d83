/**
 * The one vector loader of `@puretls/crypto`'s tests: JSON from the repository's `test-vectors/`
 * folder (see its README.md), Wycheproof files with typed groups, and hex helpers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNobleProvider } from '../src/noble/provider';
import { createNodeProvider } from '../src/node/provider';
import type { CryptoProvider } from '../src/provider';
import type { RandomSource } from '../src/random';
export { bytesToHex, hexToBytes as hex } from '../src/bytes';
import { bytesToHex } from '../src/bytes';

/** Absolute path of the repository's `test-vectors/` folder. */
export const VECTORS_DIR = fileURLToPath(new URL('../../../test-vectors/', import.meta.url));

/** Parsed JSON of `test-vectors/<relativePath>` (e.g. `'rfc8448-section3.json'`, `'wycheproof/x25519_test.json'`). */
export function loadJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(VECTORS_DIR + relativePath, 'utf8')) as T;
}

/** A Wycheproof test case: `tcId`, `comment`, `flags`, `result`, plus the file's own hex fields. */
export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly [field: string]: unknown;
}
export interface WycheproofGroup<T extends WycheproofTest = WycheproofTest> {
  readonly type: string;
  readonly tests: readonly T[];
  readonly [field: string]: unknown;
}
export interface WycheproofFile<T extends WycheproofTest = WycheproofTest> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly notes: Readonly<Record<string, unknown>>;
  readonly testGroups: readonly WycheproofGroup<T>[];
}

/** `test-vectors/wycheproof/<name>.json`, e.g. `wycheproof('aes_gcm_test')`. */
export function wycheproof<T extends WycheproofTest = WycheproofTest>(name: string): WycheproofFile<T> {
  return loadJson<WycheproofFile<T>>(`wycheproof/${name}.json`);
}

/** Every test of a Wycheproof file with its group, in file order. */
export function wycheproofCases<T extends WycheproofTest>(file: WycheproofFile<T>): { group: WycheproofGroup<T>; test: T }[] {
  return file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));
}

/** Hex of `bytes` (for `expect(toHex(x)).toBe('…')`, which prints readable diffs). */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Both providers, by name, for `describe.each(PROVIDERS)`. */
export const PROVIDERS: readonly { readonly name: 'noble' | 'node'; readonly create: (random?: RandomSource) => CryptoProvider }[] = [
  { name: 'noble', create: (random) => createNobleProvider(random ? { random } : {}) },
  { name: 'node', create: (random) => createNodeProvider(random ? { random } : {}) },
];
