/**
 * Randomness sources. Everything random in puretls (server random, session ids, ticket nonces,
 * ticket_age_add, ephemeral private keys, RSA-PSS salts) is drawn through one `RandomSource`, so a
 * deterministic source can replay a published trace (RFC 8448) byte for byte.
 */
import { CryptoError } from './errors';

/** Where random bytes come from: every random byte of the engine is drawn through one of these. */
export interface RandomSource {
  /** Fresh `n` bytes. `purpose` is informational; scripted sources may check it. */
  random(n: number, purpose?: string): Uint8Array;
}

/** Upper bound of one `getRandomValues` call (Web Crypto spec: 65536 bytes). */
const GET_RANDOM_VALUES_MAX = 65536;

/** The default source: the platform CSPRNG, `crypto.getRandomValues`. */
export function systemRandom(): RandomSource {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  const getRandomValues = c?.getRandomValues?.bind(c);
  if (!getRandomValues) {
    throw new CryptoError('Unsupported', 'crypto.getRandomValues is not available in this runtime');
  }
  return {
    random(n: number): Uint8Array {
      checkLength(n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += GET_RANDOM_VALUES_MAX) {
        getRandomValues(out.subarray(i, Math.min(n, i + GET_RANDOM_VALUES_MAX)));
      }
      return out;
    },
  };
}

/** One scripted answer: the bytes, and optionally the purpose the caller must name. */
export type ScriptedEntry = Uint8Array | { readonly bytes: Uint8Array; readonly purpose?: string };

/** Options of {@link scriptedRandom}. */
export interface ScriptedRandomOptions {
  /**
   * What to do when the script is used up: `'throw'` (default, a test that asks for more random
   * bytes than scripted is a test bug) or a fallback source.
   */
  readonly whenExhausted?: 'throw' | RandomSource;
}

/**
 * A queue of byte strings, answered in order. Each call must ask for exactly the length of the
 * next entry (and, if the entry names a purpose, for that purpose): a mismatch throws
 * `CryptoError('RandomSourceExhausted')` naming both, so a replay that drifts fails loudly.
 */
export function scriptedRandom(entries: Iterable<ScriptedEntry>, options: ScriptedRandomOptions = {}): RandomSource & {
  readonly remaining: number;
} {
  const queue = [...entries].map((e) => (e instanceof Uint8Array ? { bytes: e, purpose: undefined } : e));
  let next = 0;
  return {
    get remaining() {
      return queue.length - next;
    },
    random(n: number, purpose?: string): Uint8Array {
      checkLength(n);
      const entry = queue[next];
      if (entry === undefined) {
        if (options.whenExhausted && options.whenExhausted !== 'throw') return options.whenExhausted.random(n, purpose);
        throw new CryptoError('RandomSourceExhausted', `scripted randomness used up: asked for ${n} bytes (${purpose ?? 'no purpose'})`);
      }
      if (entry.bytes.length !== n || (entry.purpose !== undefined && purpose !== undefined && entry.purpose !== purpose)) {
        throw new CryptoError(
          'RandomSourceExhausted',
          `scripted randomness mismatch at entry ${next}: scripted ${entry.bytes.length} bytes for ${entry.purpose ?? 'any purpose'}, ` +
            `asked for ${n} bytes for ${purpose ?? 'no purpose'}`,
        );
      }
      next++;
      return new Uint8Array(entry.bytes);
    },
  };
}

/**
 * A deterministic, seeded source for tests and benchmarks (NOT for production): a xoshiro128**
 * generator seeded through splitmix32 from a 32-bit seed. Fast, reproducible, not cryptographic.
 */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    random(n: number): Uint8Array {
      checkLength(n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const v = nextU32();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
      }
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function checkLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`random(n): n must be a non-negative integer, got ${n}`);
}
