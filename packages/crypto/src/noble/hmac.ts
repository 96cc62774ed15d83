/**
 * HMAC (RFC 2104) and HKDF (RFC 5869) for the noble provider, on `@noble/hashes` compression
 * functions but without its per-call objects.
 *
 * Why: a TLS 1.3 handshake runs about thirty HMACs (HKDF-Expand-Label, Derive-Secret, binders,
 * Finished). `@noble/hashes`' `hmac` and `hkdf.expand` build a fresh HMAC object, two to four hash
 * objects (each with its own block buffer and DataView) and clones per call; in a `psk_ke`
 * resumption that object churn cost more than the compressions themselves. Here each algorithm has
 * one engine with two reusable hash states that are reset from a pristine one, so a call allocates
 * only its result. JS is single-threaded and nothing here calls out, so sharing the scratch is safe.
 *
 * Every call ends by wiping the scratch it keyed (best effort: "JS provides no guarantees").
 */
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { HashAlgorithm } from '../provider';

/** The part of a noble SHA-2 state this engine uses (public API of `@noble/hashes` 2.x). */
interface MdState {
  update(data: Uint8Array): unknown;
  digestInto(out: Uint8Array): void;
  _cloneInto(to?: MdState): MdState;
  destroy(): void;
}

const IPAD = 0x36;
const OPAD = 0x5c;

class HmacEngine {
  readonly blockLen: number;
  readonly outLen: number;
  /** A state at the IV, never updated: the source every reset clones from. */
  private readonly initial: MdState;
  private readonly inner: MdState;
  private readonly outer: MdState;
  /** K ⊕ ipad, then K ⊕ opad (RFC 2104 §2). */
  private readonly pad: Uint8Array;
  /**
   * `pad` in two parts. noble's `update` wraps an input of a whole block in a new DataView; fed in
   * two parts the pad goes through the state's own block buffer instead (no allocation).
   */
  private readonly padHead: Uint8Array;
  private readonly padTail: Uint8Array;
  /** The inner digest. */
  private readonly mid: Uint8Array;
  /** The counter byte of HKDF-Expand. */
  private readonly counter = new Uint8Array(1);

  constructor(create: () => MdState, blockLen: number, outLen: number) {
    this.blockLen = blockLen;
    this.outLen = outLen;
    this.initial = create();
    this.inner = create();
    this.outer = create();
    this.pad = new Uint8Array(blockLen);
    this.padHead = this.pad.subarray(0, blockLen - 1);
    this.padTail = this.pad.subarray(blockLen - 1);
    this.mid = new Uint8Array(outLen);
  }

  /** HMAC(key, parts[0] ‖ parts[1] ‖ …) into `out[0, outLen)`. */
  mac(key: Uint8Array, parts: readonly Uint8Array[], out: Uint8Array): void {
    this.keyed(key);
    const inner = this.inner;
    for (const p of parts) inner.update(p);
    this.finish(out);
    this.wipe();
  }

  /** RFC 5869 §2.3: OKM = T(1) ‖ T(2) ‖ … (first `length` bytes), T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i). */
  expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    const n = this.outLen;
    const blocks = Math.ceil(length / n);
    const okm = new Uint8Array(blocks * n);
    this.keyed(prk);
    // The keyed states (after the one pad block each) are the starting point of every block:
    // keep them in scratch instances of their own only when there is more than one block.
    const keyedInner = blocks > 1 ? this.inner._cloneInto() : undefined;
    const keyedOuter = blocks > 1 ? this.outer._cloneInto() : undefined;
    for (let i = 1; i <= blocks; i++) {
      if (i > 1) {
        keyedInner!._cloneInto(this.inner);
        keyedOuter!._cloneInto(this.outer);
        this.inner.update(okm.subarray((i - 2) * n, (i - 1) * n));
      }
      this.inner.update(info);
      this.counter[0] = i;
      this.inner.update(this.counter);
      this.finish(okm.subarray((i - 1) * n));
    }
    keyedInner?.destroy();
    keyedOuter?.destroy();
    this.counter[0] = 0;
    this.wipe();
    return okm.length === length ? okm : okm.slice(0, length);
  }

  /** Resets `inner`/`outer` and absorbs K ⊕ ipad / K ⊕ opad (a key longer than a block is hashed first). */
  private keyed(key: Uint8Array): void {
    const pad = this.pad;
    pad.fill(0);
    if (key.length > this.blockLen) {
      this.initial._cloneInto(this.inner);
      this.inner.update(key);
      this.inner.digestInto(this.mid);
      pad.set(this.mid);
    } else {
      pad.set(key);
    }
    for (let i = 0; i < pad.length; i++) pad[i]! ^= IPAD;
    this.initial._cloneInto(this.inner).update(this.padHead);
    this.inner.update(this.padTail);
    for (let i = 0; i < pad.length; i++) pad[i]! ^= IPAD ^ OPAD;
    this.initial._cloneInto(this.outer).update(this.padHead);
    this.outer.update(this.padTail);
    pad.fill(0);
  }

  /** Finishes inner, feeds it to outer, writes outer's digest to `out[0, outLen)`. */
  private finish(out: Uint8Array): void {
    this.inner.digestInto(this.mid);
    this.outer.update(this.mid);
    if (out.length === this.outLen) {
      this.outer.digestInto(out);
    } else {
      // noble's digestInto takes any out of at least outLen bytes; a longer one (a view into OKM)
      // would be fine, but it must not be shorter: the last HKDF block may be.
      this.outer.digestInto(this.mid);
      out.set(this.mid.subarray(0, Math.min(out.length, this.outLen)));
    }
  }

  /** Best-effort wipe of the keyed scratch; leaves both states reusable. */
  private wipe(): void {
    this.inner.destroy();
    this.outer.destroy();
    this.mid.fill(0);
  }
}

const ENGINES: Record<HashAlgorithm, HmacEngine> = {
  sha256: new HmacEngine(() => sha256.create() as unknown as MdState, sha256.blockLen, sha256.outputLen),
  sha384: new HmacEngine(() => sha384.create() as unknown as MdState, sha384.blockLen, sha384.outputLen),
};

/** The HMAC engine of `algorithm`. @throws RangeError for an unknown algorithm. */
export function hmacEngine(algorithm: HashAlgorithm): HmacEngine {
  const e = ENGINES[algorithm] as HmacEngine | undefined;
  if (e === undefined) throw new RangeError(`hmac(algorithm): unknown hash algorithm ${JSON.stringify(algorithm)}`);
  return e;
}

/** RFC 2104 HMAC of `data` under `key`. */
export function hmacOnce(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  const e = hmacEngine(algorithm);
  const out = new Uint8Array(e.outLen);
  e.mac(key, [data], out);
  return out;
}
