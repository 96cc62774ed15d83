/**
 * The internal store: an open-addressing hash table keyed by session id (1..32 bytes) with the LRU
 * order kept beside it, all in typed arrays (spec §4 "Measured here"). No per-entry objects other
 * than the sessions themselves, and no allocation on lookup: the id is hashed and compared word by
 * word against the stored key, never turned into a string.
 *
 * Layout:
 * - `index`: Int32Array of `2 * slots` — per slot `[hash, entry + 1]` (0 = empty). Linear
 *   probing; deletion by backward shift, so there are no tombstones. `slots` is a power of two and
 *   `count * 2 <= slots` (load <= 1/2) — doubled (rehash) when an insert would break that.
 * - dense entries `0 <= e < capacity`, one 64-byte row (a cache line) each in `ent` (Int32Array,
 *   stride 16 words): words 0..7 the id zero-padded, 8 `prev` / 9 `next` (the LRU list, -1 =
 *   none; `next` doubles as the free-list link), 10 the id length (0 = free), 12..13 the expiry
 *   time as a float64 (through `expiry`, a Float64Array view of the same buffer). A hit touches
 *   its slot, its row and its neighbours' rows — and never the Session object. `sessions[e]`
 *   holds the session. Capacity doubles when the free list is empty.
 *
 * Invariants: `count` = entries with a non-zero length word = entries on the LRU list = occupied slots;
 * `head` is the most recently used entry and `tail` the least.
 */
import type { Session } from './session';

const WORDS = 8; // 32 bytes of id per entry
const STRIDE = 16; // words per row: 64 bytes
const PREV = 8;
const NEXT = 9;
const LEN = 10;
const EXP = 6; // float64 index within the row (words 12..13)
const MIN_SLOTS = 64;
const MIN_CAPACITY = 32;

export class SessionTable {
  private slots = MIN_SLOTS;
  private mask = MIN_SLOTS - 1;
  private index = new Int32Array(2 * MIN_SLOTS);
  private capacity = 0;
  private ent = new Int32Array(0);
  private expiry = new Float64Array(0);
  private sessions: (Session | undefined)[] = [];
  /** First free dense entry, -1 when none; chained through `next`. */
  private free = -1;
  /** Dense entries ever handed out (`0 <= used <= capacity`); entries >= used are fresh. */
  private used = 0;
  private head = -1;
  private tail = -1;
  /** Scratch: the words of the id being looked up (filled by `hash`). */
  private readonly q = new Int32Array(WORDS);
  /** The hash `find` computed last (reused by `set`). */
  private lastHash = 0;
  count = 0;

  /**
   * Hashes `id` into a 32-bit value and leaves its zero-padded words in `q`. Mixes every byte
   * (ids are random when the server made them, but the table must not degrade for short or
   * patterned ids that an application adds itself).
   */
  private hash(id: Uint8Array): number {
    const q = this.q;
    const len = id.length;
    let h = Math.imul(len, 0x9e3779b1);
    let w = 0;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const x = id[i]! | (id[i + 1]! << 8) | (id[i + 2]! << 16) | (id[i + 3]! << 24);
      q[w++] = x;
      h = Math.imul(h ^ x, 0x85ebca6b);
      h ^= h >>> 15;
    }
    if (i < len) {
      let x = 0;
      for (let s = 0; i < len; i++, s += 8) x |= id[i]! << s;
      q[w++] = x;
      h = Math.imul(h ^ x, 0x85ebca6b);
      h ^= h >>> 15;
    }
    while (w < WORDS) q[w++] = 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h;
  }

  /** True when dense entry `e` holds the id whose words are in `q` and whose length is `len`. */
  private keyIs(e: number, len: number): boolean {
    const k = this.ent, q = this.q, o = e * STRIDE;
    if (k[o + LEN] !== len) return false;
    const n = (len + 3) >>> 2;
    for (let i = 0; i < n; i++) if (k[o + i] !== q[i]) return false;
    return true;
  }

  /** The dense entry of `id`, or -1. No LRU change. Invalid lengths simply miss. */
  find(id: Uint8Array): number {
    const len = id.length;
    if (len === 0 || len > 32) return -1;
    const h = (this.lastHash = this.hash(id));
    const index = this.index, mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e1 = index[2 * s + 1]!;
      if (e1 === 0) return -1;
      if (index[2 * s] === h && this.keyIs(e1 - 1, len)) return e1 - 1;
    }
  }

  /** The session in dense entry `e` (which must be live). */
  at(e: number): Session {
    return this.sessions[e]!;
  }

  /** The expiry time (ms) stored with entry `e`. */
  expiresAt(e: number): number {
    return this.expiry[e * (STRIDE / 2) + EXP]!;
  }

  /** Makes `e` the most recently used entry. */
  touch(e: number): void {
    const head = this.head;
    if (head === e) return;
    const ent = this.ent;
    const o = e * STRIDE;
    const p = ent[o + PREV]!, n = ent[o + NEXT]!;
    // unlink (e is not the head, so p !== -1)
    ent[p * STRIDE + NEXT] = n;
    if (n === -1) this.tail = p;
    else ent[n * STRIDE + PREV] = p;
    // push front
    ent[o + PREV] = -1;
    ent[o + NEXT] = head;
    ent[head * STRIDE + PREV] = e;
    this.head = e;
  }

  /** The session stored under `id`, touched as most recently used, or `undefined`. */
  get(id: Uint8Array): Session | undefined {
    const e = this.find(id);
    if (e < 0) return undefined;
    this.touch(e);
    return this.sessions[e];
  }

  /**
   * Stores `session` under its id as the most recently used entry, with its expiry time (ms).
   * @returns the session it replaced (same id), or `undefined`.
   */
  set(session: Session, expiresAt = Infinity): Session | undefined {
    const id = session.id;
    const e0 = this.find(id); // also fills q with id's words and lastHash
    if (e0 >= 0) {
      const old = this.sessions[e0];
      this.sessions[e0] = session;
      this.expiry[e0 * (STRIDE / 2) + EXP] = expiresAt;
      this.touch(e0);
      return old;
    }
    if ((this.count + 1) * 2 > this.slots) this.grow();
    const h = this.lastHash; // find() hashed id and left its words in q
    const e = this.allocate();
    const ent = this.ent;
    const o = e * STRIDE;
    ent.set(this.q, o);
    ent[o + LEN] = id.length;
    this.expiry[e * (STRIDE / 2) + EXP] = expiresAt;
    this.sessions[e] = session;
    // link at the front
    ent[o + PREV] = -1;
    ent[o + NEXT] = this.head;
    if (this.head !== -1) ent[this.head * STRIDE + PREV] = e;
    else this.tail = e;
    this.head = e;
    // claim the first empty slot of the probe sequence
    const index = this.index, mask = this.mask;
    let s = h & mask;
    while (index[2 * s + 1] !== 0) s = (s + 1) & mask;
    index[2 * s] = h;
    index[2 * s + 1] = e + 1;
    this.count++;
    return undefined;
  }

  private allocate(): number {
    if (this.free !== -1) {
      const e = this.free;
      this.free = this.ent[e * STRIDE + NEXT]!;
      return e;
    }
    if (this.used === this.capacity) this.growEntries();
    return this.used++;
  }

  private growEntries(): void {
    const cap = Math.max(MIN_CAPACITY, this.capacity * 2);
    const ent = new Int32Array(cap * STRIDE);
    ent.set(this.ent);
    this.ent = ent;
    this.expiry = new Float64Array(ent.buffer, ent.byteOffset, (cap * STRIDE) / 2);
    for (let i = this.capacity; i < cap; i++) this.sessions.push(undefined);
    this.capacity = cap;
  }

  /** Doubles the slot array and re-inserts every live entry. */
  private grow(): void {
    const slots = this.slots * 2;
    const index = new Int32Array(2 * slots);
    const mask = slots - 1;
    const old = this.index;
    for (let s = 0; s < this.slots; s++) {
      const e1 = old[2 * s + 1]!;
      if (e1 === 0) continue;
      const h = old[2 * s]!;
      let t = h & mask;
      while (index[2 * t + 1] !== 0) t = (t + 1) & mask;
      index[2 * t] = h;
      index[2 * t + 1] = e1;
    }
    this.index = index;
    this.slots = slots;
    this.mask = mask;
  }

  /** Removes dense entry `e` (which must be live) and returns its session. */
  deleteEntry(e: number): Session {
    const session = this.sessions[e]!;
    // Locate e's slot: re-hash its id.
    const h = this.hash(session.id);
    const index = this.index, mask = this.mask;
    let i = h & mask;
    while (index[2 * i + 1] !== e + 1) i = (i + 1) & mask;
    // Backward-shift deletion (Knuth 6.4 Algorithm R): move later members of the cluster whose
    // home slot is not cyclically within (i, j] into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e1 = index[2 * j + 1]!;
      if (e1 === 0) break;
      const k = index[2 * j]! & mask;
      const between = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!between) {
        index[2 * i] = index[2 * j]!;
        index[2 * i + 1] = e1;
        i = j;
      }
    }
    index[2 * i] = 0;
    index[2 * i + 1] = 0;
    // unlink from the LRU list
    const ent = this.ent;
    const o = e * STRIDE;
    const p = ent[o + PREV]!, n = ent[o + NEXT]!;
    if (p === -1) this.head = n;
    else ent[p * STRIDE + NEXT] = n;
    if (n === -1) this.tail = p;
    else ent[n * STRIDE + PREV] = p;
    // free the entry
    ent[o + LEN] = 0;
    this.sessions[e] = undefined;
    ent[o + NEXT] = this.free;
    this.free = e;
    this.count--;
    return session;
  }

  /** Removes `id`'s entry; returns its session or `undefined`. */
  delete(id: Uint8Array): Session | undefined {
    const e = this.find(id);
    return e < 0 ? undefined : this.deleteEntry(e);
  }

  /** The least recently used entry, or -1 when empty. */
  get lruEntry(): number {
    return this.tail;
  }

  /** The entry used just before `e` in LRU order (towards the most recent), or -1. */
  newerThan(e: number): number {
    return this.ent[e * STRIDE + PREV]!;
  }

  /** Every live session, most recently used first (a snapshot: safe to mutate the table after). */
  snapshot(): Session[] {
    const out: Session[] = [];
    for (let e = this.head; e !== -1; e = this.ent[e * STRIDE + NEXT]!) out.push(this.sessions[e]!);
    return out;
  }

  /** Drops everything and releases the arrays. */
  clear(): void {
    this.slots = MIN_SLOTS;
    this.mask = MIN_SLOTS - 1;
    this.index = new Int32Array(2 * MIN_SLOTS);
    this.capacity = 0;
    this.ent = new Int32Array(0);
    this.expiry = new Float64Array(0);
    this.sessions = [];
    this.free = -1;
    this.used = 0;
    this.head = this.tail = -1;
    this.count = 0;
  }
}
