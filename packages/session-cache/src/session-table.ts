/**
 * The internal store: an open-addressing hash table keyed by session id (1..32 bytes) with the LRU
 * order kept beside it, all in typed arrays (spec §4 "Measured here"). No per-entry objects other
 * than the sessions themselves, and no allocation on lookup: the id is hashed and compared word by
 * word against the stored key, never turned into a string.
 *
 * A hit is bound by cache misses, not arithmetic, so the entries live *in* the hash slots: the
 * home slot of an id holds its key, so a lookup's first memory access already compares the key
 * (a separate index would be a second, dependent miss), and `sessions[slot]` and `expiry[slot]`
 * can be fetched in parallel with it.
 *
 * Layout, per slot `s` (`0 <= s < slots`, any size — not a power of two, so the table can be sized
 * to the cache's bound):
 * - `rows` (Int32Array, 12 words = 48 bytes per slot): 0 the tag — 0 empty, else
 *   `(hash & ~63) | idLength` (one compare checks 26 hash bits and the length); 1..8 the id
 *   zero-padded; 9 `prev` / 10 `next` (the LRU list of slots, -1 = none); 11 the expiry's second
 *   `⌊expiresAt / 1000⌋` (clamped to 2^31 - 1), so that a lookup decides "not expired" from the
 *   row it already holds: `now` in an earlier second cannot be past the expiry.
 * - `expiry` (Float64Array): the exact expiry time (ms), read only within the expiry's second;
 *   `sessions[s]`: the session.
 * Linear probing from the home slot `⌊(tag >>> 6) · slots / 2^26⌋`; deletion by backward shift
 * (Knuth 6.4 Algorithm R), so there are no tombstones — but a delete may move other entries to
 * other slots: a slot number from `find` is valid until the next `set` or delete. At most 2/3 of
 * the slots are live; an insert beyond that doubles the table, the last step only up to the size
 * `sizeHint` (the cache's `maxEntries + 1`) asks for, so a full cache has no doubling slack.
 *
 * Invariants: `count` = live slots = entries on the LRU list; `head` is the most recently used slot
 * and `tail` the least.
 */
import type { Session } from './session';

const WORDS = 8; // 32 bytes of id
const STRIDE = 12; // words per row: 48 bytes
const KEY = 1;
const PREV = 9;
const NEXT = 10;
const EXPIRY_SECOND = 11;
const INT32_MAX = 0x7fffffff;
/** Row value for an expiry second outside the int32 range below (or NaN): no fast answer. */
const NO_SECOND = -0x80000000;
const TAG_LEN_BITS = 6; // the id length (1..32) lives in the tag's low bits
const HOME_SCALE = 2 ** -26; // maps the 26 hash bits of a tag onto [0, 1)
const MIN_SLOTS = 64;
/** Slots per live entry at least (load <= 2/3: linear probing stays short). */
const SLOTS_PER_ENTRY = 1.5;

export class SessionTable {
  private slots = 0;
  private rows = new Int32Array(0);
  private expiry = new Float64Array(0);
  private sessions: (Session | undefined)[] = [];
  private head = -1;
  private tail = -1;
  /** Scratch: the words of the id being looked up (filled by `tagOf`). */
  private readonly q = new Int32Array(WORDS);
  /** The tag `find` computed last (reused by `set`). */
  private lastTag = 0;
  count = 0;
  /**
   * The most entries the owner expects to hold at once (0 = no bound): growth stops at the size
   * for it, so a full cache has no doubling slack. Only a hint: the table still grows past it.
   */
  sizeHint = 0;

  /**
   * @param seed the hash seed (the cache draws it from its injected randomness). Lookups use ids a
   *   client chose (a TLS 1.2 ClientHello's session id), but a lookup cannot lengthen a probe run —
   *   only inserts do, and inserted ids are the server's random ones or an application's own — so
   *   the seed is defence in depth against patterned application ids meeting crafted lookups, not a
   *   load-bearing secret.
   */
  constructor(private readonly seed = 0) {}

  /**
   * The tag of `id` (see the layout above): a seeded 32-bit hash of every byte with the length in
   * the low 6 bits; leaves the zero-padded words of `id` in `q`. Mixes every byte (ids are random
   * when the server made them, but the table must not degrade for short or patterned ids that an
   * application adds itself).
   */
  private tagOf(id: Uint8Array): number {
    const q = this.q;
    const len = id.length;
    let h = Math.imul(len ^ this.seed, 0x9e3779b1);
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
    return (h & ~((1 << TAG_LEN_BITS) - 1)) | len;
  }

  /** The home slot of `tag` in a table of `slots` slots. */
  private static home(tag: number, slots: number): number {
    return Math.floor((tag >>> TAG_LEN_BITS) * HOME_SCALE * slots);
  }

  /** True when slot `s` holds the words in `q` (the tag, with the length, already matched). */
  private keyIs(s: number): boolean {
    const k = this.rows, q = this.q, o = s * STRIDE + KEY;
    // All 8 words: the padding is zero on both sides, and a fixed count unrolls well.
    return (
      k[o] === q[0] && k[o + 1] === q[1] && k[o + 2] === q[2] && k[o + 3] === q[3] &&
      k[o + 4] === q[4] && k[o + 5] === q[5] && k[o + 6] === q[6] && k[o + 7] === q[7]
    );
  }

  /** The slot of `id`, or -1. No LRU change. Invalid lengths simply miss. */
  find(id: Uint8Array): number {
    const len = id.length;
    if (len === 0 || len > 32 || this.count === 0) return -1;
    const tag = (this.lastTag = this.tagOf(id));
    const rows = this.rows, slots = this.slots;
    for (let s = SessionTable.home(tag, slots); ; ) {
      const t = rows[s * STRIDE]!;
      if (t === 0) return -1;
      if (t === tag && this.keyIs(s)) return s;
      if (++s === slots) s = 0;
    }
  }

  /** The session in slot `s` (which must be live). */
  at(s: number): Session {
    return this.sessions[s]!;
  }

  /** The expiry time (ms) stored with slot `s`. */
  expiresAt(s: number): number {
    return this.expiry[s]!;
  }

  /**
   * Whether slot `s` is expired at `now` (ms): `now > expiresAt(s)`, exactly. Before the expiry's
   * second only the row is read (the lookup's own cache line); within or after it, the exact time.
   */
  expiredAt(s: number, now: number): boolean {
    const second = this.rows[s * STRIDE + EXPIRY_SECOND]!;
    if (second !== NO_SECOND && Math.floor(now / 1000) < second) return false;
    return now > this.expiry[s]!;
  }

  /** Makes `s` the most recently used entry. */
  touch(s: number): void {
    const head = this.head;
    if (head === s) return;
    const rows = this.rows;
    const o = s * STRIDE;
    const p = rows[o + PREV]!, n = rows[o + NEXT]!;
    // unlink (s is not the head, so p !== -1)
    rows[p * STRIDE + NEXT] = n;
    if (n === -1) this.tail = p;
    else rows[n * STRIDE + PREV] = p;
    // push front
    rows[o + PREV] = -1;
    rows[o + NEXT] = head;
    rows[head * STRIDE + PREV] = s;
    this.head = s;
  }

  /** The session stored under `id`, touched as most recently used, or `undefined`. */
  get(id: Uint8Array): Session | undefined {
    const s = this.find(id);
    if (s < 0) return undefined;
    this.touch(s);
    return this.sessions[s];
  }

  /**
   * Stores `session` under its id as the most recently used entry, with its expiry time (ms).
   * @returns the session it replaced (same id), or `undefined`.
   */
  set(session: Session, expiresAt = Infinity): Session | undefined {
    const id = session.id;
    const s0 = this.find(id);
    if (s0 >= 0) {
      const old = this.sessions[s0];
      this.sessions[s0] = session;
      this.setExpiry(s0, expiresAt);
      this.touch(s0);
      return old;
    }
    // find() hashed id (tag in lastTag, words in q) unless the table was empty
    const tag = this.count === 0 ? this.tagOf(id) : this.lastTag;
    if ((this.count + 1) * SLOTS_PER_ENTRY > this.slots) this.grow();
    // the first empty slot of the probe sequence
    const rows = this.rows, slots = this.slots;
    let s = SessionTable.home(tag, slots);
    while (rows[s * STRIDE] !== 0) if (++s === slots) s = 0;
    this.place(s, tag, this.q, session, expiresAt);
    return undefined;
  }

  /** Writes a new live entry into free slot `s` and links it as the most recently used. */
  private place(s: number, tag: number, key: Int32Array, session: Session, expiresAt: number): void {
    const rows = this.rows;
    const o = s * STRIDE;
    rows[o] = tag;
    rows.set(key, o + KEY);
    rows[o + PREV] = -1;
    rows[o + NEXT] = this.head;
    if (this.head !== -1) rows[this.head * STRIDE + PREV] = s;
    else this.tail = s;
    this.head = s;
    this.setExpiry(s, expiresAt);
    this.sessions[s] = session;
    this.count++;
  }

  /** Stores the expiry of slot `s`: exact (ms) and its second in the row (see the layout). */
  private setExpiry(s: number, expiresAt: number): void {
    this.expiry[s] = expiresAt;
    const second = Math.floor(expiresAt / 1000);
    // The stored second must never exceed the real one: far futures clamp down to INT32_MAX; far
    // pasts (and NaN, never expected) store NO_SECOND, which always takes the exact check.
    this.rows[s * STRIDE + EXPIRY_SECOND] = second >= INT32_MAX ? INT32_MAX : second > NO_SECOND ? second : NO_SECOND;
  }

  /**
   * Moves every live entry into bigger arrays — double, but no further than `sizeHint` asks for
   * when that is ahead (a small cache stays small; one that fills up ends exactly sized) — and
   * keeps the LRU order (links are slot numbers: mapped old → new after the move).
   */
  private grow(): void {
    let slots = Math.max(MIN_SLOTS, this.slots * 2);
    const wanted = Math.ceil(this.sizeHint * SLOTS_PER_ENTRY);
    if (wanted > this.slots && wanted < slots) slots = wanted;
    while ((this.count + 1) * SLOTS_PER_ENTRY > slots) slots *= 2;
    const oldSlots = this.slots, oldRows = this.rows, oldExpiry = this.expiry, oldSessions = this.sessions;
    const rows = new Int32Array(slots * STRIDE);
    const expiry = new Float64Array(slots);
    // An exact-size array, not one grown by push (which leaves up to half its length unused).
    const sessions = new Array<Session | undefined>(slots).fill(undefined);
    const moved = new Int32Array(oldSlots);
    for (let e = 0; e < oldSlots; e++) {
      const tag = oldRows[e * STRIDE]!;
      if (tag === 0) continue;
      let s = SessionTable.home(tag, slots);
      while (rows[s * STRIDE] !== 0) if (++s === slots) s = 0;
      rows.set(oldRows.subarray(e * STRIDE, (e + 1) * STRIDE), s * STRIDE);
      expiry[s] = oldExpiry[e]!;
      sessions[s] = oldSessions[e];
      moved[e] = s;
    }
    for (let e = 0; e < oldSlots; e++) {
      if (oldRows[e * STRIDE] === 0) continue;
      const o = moved[e]! * STRIDE;
      const p = rows[o + PREV]!, n = rows[o + NEXT]!;
      if (p !== -1) rows[o + PREV] = moved[p]!;
      if (n !== -1) rows[o + NEXT] = moved[n]!;
    }
    if (this.head !== -1) {
      this.head = moved[this.head]!;
      this.tail = moved[this.tail]!;
    }
    this.slots = slots;
    this.rows = rows;
    this.expiry = expiry;
    this.sessions = sessions;
  }

  /** Removes slot `s` (which must be live) and returns its session. Other entries may move. */
  deleteEntry(s: number): Session {
    const session = this.sessions[s]!;
    const rows = this.rows, slots = this.slots;
    const o = s * STRIDE;
    // unlink from the LRU list
    const p = rows[o + PREV]!, n = rows[o + NEXT]!;
    if (p === -1) this.head = n;
    else rows[p * STRIDE + NEXT] = n;
    if (n === -1) this.tail = p;
    else rows[n * STRIDE + PREV] = p;
    this.count--;
    // Backward shift: move later members of the probe run whose home is not cyclically within
    // (i, j] into the hole at i, then continue from where they left.
    let i = s;
    for (let j = s; ; ) {
      if (++j === slots) j = 0;
      const tag = rows[j * STRIDE]!;
      if (tag === 0) break;
      const k = SessionTable.home(tag, slots);
      if (i <= j ? i < k && k <= j : i < k || k <= j) continue;
      this.move(j, i);
      i = j;
    }
    rows[i * STRIDE] = 0;
    this.sessions[i] = undefined;
    return session;
  }

  /** Moves the live entry in slot `from` to the free slot `to`, re-pointing its LRU neighbours. */
  private move(from: number, to: number): void {
    const rows = this.rows;
    const f = from * STRIDE, t = to * STRIDE;
    rows.copyWithin(t, f, f + STRIDE);
    this.expiry[to] = this.expiry[from]!;
    this.sessions[to] = this.sessions[from];
    const p = rows[t + PREV]!, n = rows[t + NEXT]!;
    if (p === -1) this.head = to;
    else rows[p * STRIDE + NEXT] = to;
    if (n === -1) this.tail = to;
    else rows[n * STRIDE + PREV] = to;
  }

  /** Removes `id`'s entry; returns its session or `undefined`. */
  delete(id: Uint8Array): Session | undefined {
    const s = this.find(id);
    return s < 0 ? undefined : this.deleteEntry(s);
  }

  /** The least recently used slot, or -1 when empty. */
  get lruEntry(): number {
    return this.tail;
  }

  /** The slot used just before `s` in LRU order (towards the most recent), or -1. */
  newerThan(s: number): number {
    return this.rows[s * STRIDE + PREV]!;
  }

  /** Every live session, most recently used first (a snapshot: safe to mutate the table after). */
  snapshot(): Session[] {
    const out: Session[] = [];
    for (let s = this.head; s !== -1; s = this.rows[s * STRIDE + NEXT]!) out.push(this.sessions[s]!);
    return out;
  }

  /** Drops everything and releases the arrays. */
  clear(): void {
    this.slots = 0;
    this.rows = new Int32Array(0);
    this.expiry = new Float64Array(0);
    this.sessions = [];
    this.head = this.tail = -1;
    this.count = 0;
  }
}
