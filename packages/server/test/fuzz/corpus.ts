/**
 * The fuzz corpus: `corpus/<target>/*.bin`, one input per file, each replayed by the vitest run
 * (`fuzz.test.ts`) and by `pnpm fuzz` before it generates new inputs. The runner names files by
 * what found them (`crash-`, `hang-`, `oom-`, `cov-`) and the SHA-1 of their bytes; a finding, once
 * fixed, is renamed after what it reproduces.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `packages/server/test/fuzz/corpus` (the bundled runner passes it explicitly). */
export function defaultCorpusDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'corpus');
}

/** The inputs kept for `target`, sorted by file name. */
export function readCorpus(target: string, dir = defaultCorpusDir()): { file: string; bytes: Uint8Array }[] {
  const d = join(dir, target);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => ({ file: join(d, f), bytes: new Uint8Array(readFileSync(join(d, f))) }));
}

/** Keeps `bytes` as `<prefix>-<sha1>.bin` under `target`; returns the path. */
export function saveToCorpus(target: string, prefix: string, bytes: Uint8Array, dir = defaultCorpusDir()): string {
  const d = join(dir, target);
  mkdirSync(d, { recursive: true });
  const file = join(d, `${prefix}-${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, bytes);
  return file;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
