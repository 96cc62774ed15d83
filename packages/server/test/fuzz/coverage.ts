/**
 * Coverage feedback without a native addon: V8's precise block coverage through `node:inspector`
 * (the same data `c8` and `vitest --coverage` use). After each input, `newBlocks()` says how many
 * coverage features of the library's own code it showed for the first time — the signal a
 * coverage-guided fuzzer keeps inputs by. Only code of `packages/<pkg>/src/` counts (found through
 * esbuild's `// path` module markers in the bundle); dependencies and test code do not.
 *
 * A feature is one range of one function that ran, marked executed or not. V8 merges a block into
 * its function's range when both ran, and reports a block that did not run as a range of count 0:
 * so a block running for the first time shows as a new shape (a 0-range gone, a new range), and
 * a new path through a function as a new combination — like AFL's edge novelty, not exact blocks.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly Range[] }[];
}

export class BlockCoverage {
  private readonly session = new Session();
  private readonly seen = new Set<number>();
  /** Sorted module start offsets in the bundle, and whether each module is library code. */
  private readonly starts: number[] = [];
  private readonly isLibrary: boolean[] = [];

  constructor(private readonly bundleUrl: string) {
    const text = readFileSync(new URL(bundleUrl), 'utf8');
    const marker = /^\/\/ (\S+)$/gm;
    for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
      this.starts.push(m.index);
      this.isLibrary.push(/^packages\/[^/]+\/src\//.test(m[1]!));
    }
    this.session.connect();
    this.post('Profiler.enable');
    // Counting, not binary, mode: binary coverage reports a block once ever, so a batch that is
    // replayed input by input would show nothing the second time; counts are reset by every take.
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.post('Profiler.takePreciseCoverage');
  }

  /**
   * Features of library code seen for the first time in what ran since the last call (V8 then
   * forgets it). With `record: false` they are only counted, not remembered (to ask whether a
   * batch of inputs found anything before replaying them one by one).
   */
  newBlocks(record = true): number {
    const { result } = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    let fresh = 0;
    for (const script of result) {
      if (script.url !== this.bundleUrl) continue;
      for (const fn of script.functions) {
        const whole = fn.ranges[0];
        if (!whole || whole.count === 0 || !this.library(whole.startOffset)) continue;
        for (const r of fn.ranges) {
          const key = (r.startOffset * 65536 + (r.endOffset - r.startOffset)) * 2 + (r.count > 0 ? 1 : 0);
          if (!this.seen.has(key)) {
            if (record) this.seen.add(key);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }

  /** Distinct coverage features of library code seen so far. */
  get blocks(): number {
    return this.seen.size;
  }

  private library(offset: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || offset < this.starts[0]!) return false;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.isLibrary[lo]!;
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let error: Error | null = null;
    // An in-thread inspector session answers synchronously.
    this.session.post(method, params ?? {}, (e, r) => {
      error = e;
      out = r;
    });
    if (error) throw error;
    return out;
  }
}
