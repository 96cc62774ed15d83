/**
 * A `CryptoProvider` wrapper that records every crypto call a handshake makes (on the provider
 * and on the objects it returns: hash contexts, AEAD keys, key pairs), so the bare cost of exactly
 * those operations can be replayed and timed beside the whole handshake.
 */
import type { CryptoProvider } from '@puretls/crypto';

export interface Call {
  /** -1: the provider; otherwise the id of an object an earlier call returned. */
  readonly target: number;
  readonly method: string;
  readonly args: unknown[];
  /** Id given to the returned object, when it has methods. */
  readonly resultId: number | undefined;
}

export class CallRecorder {
  readonly calls: Call[] = [];
  private nextId = 0;
  recording = false;

  wrap(provider: CryptoProvider): CryptoProvider {
    return this.wrapObject(provider, -1) as CryptoProvider;
  }

  private wrapObject(obj: object, id: number): object {
    const rec = this;
    return new Proxy(obj, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || typeof prop !== 'string') return v;
        return function (this: unknown, ...args: unknown[]) {
          const result = (v as (...a: unknown[]) => unknown).apply(target, args);
          if (!rec.recording) return result;
          const wrapsResult = result !== null && typeof result === 'object' && !(result instanceof Uint8Array);
          const resultId = wrapsResult ? rec.nextId++ : undefined;
          rec.calls.push({ target: id, method: prop, args: args.map(copyArg), resultId });
          // Calls returning `this` (e.g. hash.update) keep the same id.
          if (wrapsResult && result === target) return receiver;
          return wrapsResult ? rec.wrapObject(result as object, resultId!) : result;
        };
      },
    });
  }

  /** Records the crypto calls `fn` makes and returns them (the recorder is empty again after). */
  record(fn: () => void): readonly Call[] {
    this.calls.length = 0;
    this.recording = true;
    try {
      fn();
    } finally {
      this.recording = false;
    }
    return this.calls.splice(0);
  }

  /** Replays recorded calls on `provider` (fresh objects for every returned one). */
  replay(provider: CryptoProvider, calls: readonly Call[] = this.calls): void {
    const objects = new Map<number, unknown>();
    for (const c of calls) {
      const target = (c.target === -1 ? provider : objects.get(c.target)) as Record<string, (...a: unknown[]) => unknown>;
      const args = c.args.map((a) => (a instanceof Uint8Array ? a.slice() : a));
      const r = target[c.method]!.apply(target, args);
      if (c.resultId !== undefined) objects.set(c.resultId, r);
    }
  }

  /** Counts of calls by method, for the report. */
  summary(calls: readonly Call[] = this.calls): string {
    const counts = new Map<string, number>();
    for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
    return [...counts].map(([k, v]) => `${k}×${v}`).join(' ');
  }
}

function copyArg(a: unknown): unknown {
  return a instanceof Uint8Array ? a.slice() : a;
}
