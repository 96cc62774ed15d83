/**
 * The ticket key ring (spec §6 "stateless"): AES-256-GCM keys named by 16 random bytes, one
 * `current` key that seals, `previous` keys that still open, an optional `next` key already known
 * (so a fleet can distribute it before it is used), rotation on a schedule checked against the
 * injected clock on every call (no timers), and JSON import/export so several servers share keys.
 *
 * Ticket layout (RFC 5077 §4's recommended shape, with GCM instead of CBC+HMAC):
 *   struct {
 *     opaque key_name[16];
 *     opaque nonce[12];
 *     opaque encrypted_state<..>;   // AES-256-GCM ciphertext ‖ tag(16), aad = key_name ‖ aad
 *   } Ticket;
 */
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, bytesToHex, hexToBytes, type AeadKey, type CryptoProvider } from '@puretls/crypto';

/** Length of a key name, the first bytes of every ticket. */
export const TICKET_KEY_NAME_LENGTH = 16;
/** AES-256-GCM key length. */
export const TICKET_KEY_LENGTH = 32;
/** Bytes a ticket adds to its plaintext: name + nonce + tag. */
export const TICKET_OVERHEAD = TICKET_KEY_NAME_LENGTH + AEAD_NONCE_LENGTH + AEAD_TAG_LENGTH;
/** Default rotation interval: 12 hours. */
export const DEFAULT_ROTATION_INTERVAL_MS = 12 * 3600 * 1000;
/**
 * Default number of previous keys kept for opening: tickets up to 24 h old open at the default
 * 12 h rotation. Keep `keepPrevious × rotationIntervalMs` ≥ the ticket lifetime (7 days → 14).
 */
export const DEFAULT_KEEP_PREVIOUS = 2;

/** A key's role in the ring. */
export type TicketKeyRole = 'next' | 'current' | 'previous';

/** One key as exported to JSON: hex strings and ms times. */
export interface TicketKeyJson {
  readonly role: TicketKeyRole;
  /** 16 bytes, hex. */
  readonly name: string;
  /** 32 bytes, hex. Secret: protect the JSON like a private key. */
  readonly key: string;
  /** When the key was made (ms). */
  readonly createdAt: number;
  /** When it became (or becomes, for `next`) the current key (ms). */
  readonly activatedAt: number;
}

/** The exported ring. */
export interface TicketKeyRingJson {
  readonly format: 'puretls-ticket-keys/1';
  readonly rotationIntervalMs: number;
  readonly keys: readonly TicketKeyJson[];
}

/** Options of {@link TicketKeyRing}. */
export interface TicketKeyRingOptions {
  /** The clock (ms). Rotation happens when a call sees `now() >= current.activatedAt + rotationIntervalMs`. */
  readonly now: () => number;
  /** Default {@link DEFAULT_ROTATION_INTERVAL_MS}. */
  readonly rotationIntervalMs?: number;
  /** How many previous keys still open tickets (default {@link DEFAULT_KEEP_PREVIOUS}). Older keys are wiped. */
  readonly keepPrevious?: number;
  /**
   * Whether this ring makes keys itself (default `true`). A fleet member that only imports keys
   * sets `false`: at rotation time it promotes the imported `next` key, and without one it keeps
   * sealing with the current key rather than diverge from the fleet.
   */
  readonly generate?: boolean;
}

/** What {@link TicketKeyRing.open} returns for a ticket it could open. */
export interface OpenedTicket {
  readonly plaintext: Uint8Array;
  /** True when a non-current key opened it: send the client a fresh ticket. */
  readonly needsReissue: boolean;
}

interface TicketKey {
  readonly name: Uint8Array;
  readonly key: Uint8Array;
  readonly createdAt: number;
  activatedAt: number;
  aead: AeadKey | undefined;
}

/**
 * A ring of ticket keys. Not a timer: every `seal`/`open`/`export` first applies the rotations
 * that are due at `now()`.
 */
export class TicketKeyRing {
  private readonly provider: CryptoProvider;
  private readonly now: () => number;
  /** The schedule; set at construction, changed only by {@link replaceKeys} (the fleet's ring rules). */
  private interval: number;
  readonly keepPrevious: number;
  private readonly generate: boolean;
  private nextKey: TicketKey | undefined;
  private current: TicketKey;
  /** Newest first; length <= keepPrevious. */
  private previous: TicketKey[] = [];

  /**
   * A ring with a fresh current key (and a fresh next key when `generate`), from `provider.random`.
   * @throws RangeError for a non-positive rotation interval or a negative `keepPrevious`.
   */
  constructor(provider: CryptoProvider, options: TicketKeyRingOptions, imported?: TicketKeyRingJson) {
    if (typeof options?.now !== 'function') throw new TypeError('TicketKeyRing: "options.now" must be a function');
    this.provider = provider;
    this.now = options.now;
    this.interval = imported?.rotationIntervalMs ?? options.rotationIntervalMs ?? DEFAULT_ROTATION_INTERVAL_MS;
    if (!Number.isFinite(this.interval) || this.interval <= 0) throw new RangeError('TicketKeyRing: "rotationIntervalMs" must be > 0');
    this.keepPrevious = options.keepPrevious ?? DEFAULT_KEEP_PREVIOUS;
    if (!Number.isInteger(this.keepPrevious) || this.keepPrevious < 0) throw new RangeError('TicketKeyRing: "keepPrevious" must be an integer >= 0');
    this.generate = options.generate ?? true;
    if (imported) {
      const { current, next, previous } = parseRing(imported);
      this.current = current;
      this.nextKey = next;
      this.previous = previous.slice(0, this.keepPrevious);
      for (const k of previous.slice(this.keepPrevious)) wipe(k);
    } else {
      const t = this.now();
      this.current = this.makeKey(t, t);
      if (this.generate) this.nextKey = this.makeKey(t, t + this.rotationIntervalMs);
    }
  }

  /** Rotation interval, ms. */
  get rotationIntervalMs(): number {
    return this.interval;
  }

  /**
   * A ring from JSON made by {@link TicketKeyRing.export} on this or another server.
   * @throws TypeError / RangeError for malformed JSON (wrong format tag, bad hex, lengths, times,
   *   not exactly one current key, more than one next key, duplicate names).
   */
  static import(provider: CryptoProvider, json: TicketKeyRingJson | string, options: TicketKeyRingOptions): TicketKeyRing {
    const parsed = typeof json === 'string' ? (JSON.parse(json) as TicketKeyRingJson) : json;
    return new TicketKeyRing(provider, options, parsed);
  }

  private makeKey(createdAt: number, activatedAt: number): TicketKey {
    const name = this.provider.random(TICKET_KEY_NAME_LENGTH, 'ticket_key_name');
    const key = this.provider.random(TICKET_KEY_LENGTH, 'ticket_key');
    return { name, key, createdAt, activatedAt, aead: undefined };
  }

  private aead(k: TicketKey): AeadKey {
    return (k.aead ??= this.provider.createAead('aes-256-gcm', k.key));
  }

  /** Applies every rotation due at `now()` (called by every public method). */
  private tick(): void {
    const t = this.now();
    // Bounded: after keepPrevious + 2 steps every old key is gone anyway.
    for (let steps = 0; steps < this.keepPrevious + 3 && t >= this.current.activatedAt + this.rotationIntervalMs; steps++) {
      if (!this.rotateOnce(this.current.activatedAt + this.rotationIntervalMs)) break;
    }
    if (t >= this.current.activatedAt + this.rotationIntervalMs && this.generate) {
      // Slept through many intervals: start afresh from now.
      this.rotateOnce(t);
    }
  }

  private rotateOnce(at: number): boolean {
    let incoming = this.nextKey;
    if (incoming === undefined) {
      if (!this.generate) return false; // keep sealing with the current key: the fleet owns generation
      incoming = this.makeKey(at, at);
    }
    incoming.activatedAt = at;
    this.previous.unshift(this.current);
    this.current = incoming;
    this.nextKey = this.generate ? this.makeKey(at, at + this.rotationIntervalMs) : undefined;
    while (this.previous.length > this.keepPrevious) wipe(this.previous.pop()!);
    return true;
  }

  /** Rotates now, whatever the schedule (e.g. after a suspected key leak: also call {@link dropPrevious}). */
  rotate(): void {
    this.tick();
    this.rotateOnce(this.now());
  }

  /**
   * Replaces every key with those of `json` (exported here or by a fleet member, e.g. fetched from
   * a shared store), in place: whoever holds this instance (a `ServerContext`) seals and opens with
   * the new keys from the next call on. Keys that `json` does not name are wiped; previous keys
   * beyond `keepPrevious` too. The ring's rotation interval becomes `json`'s (the shared schedule).
   * Validated before anything changes (a bad `json` leaves the ring as it was).
   * @throws TypeError / RangeError like {@link TicketKeyRing.import}.
   */
  replaceKeys(json: TicketKeyRingJson): void {
    const { current, next, previous } = parseRing(json);
    if (!Number.isFinite(json.rotationIntervalMs) || json.rotationIntervalMs <= 0) {
      for (const k of [current, ...(next ? [next] : []), ...previous]) wipe(k);
      throw new RangeError('TicketKeyRing.replaceKeys: "rotationIntervalMs" must be > 0');
    }
    this.interval = json.rotationIntervalMs;
    const old = [this.current, ...(this.nextKey ? [this.nextKey] : []), ...this.previous];
    this.current = current;
    this.nextKey = next;
    this.previous = previous.slice(0, this.keepPrevious);
    for (const k of previous.slice(this.keepPrevious)) wipe(k);
    for (const k of old) wipe(k);
  }

  /** Wipes and forgets every previous key: every ticket not sealed by the current (or next) key stops opening. */
  dropPrevious(): void {
    for (const k of this.previous) wipe(k);
    this.previous = [];
  }

  /** The current key's name (tickets it seals start with it), as a copy. */
  currentKeyName(): Uint8Array {
    this.tick();
    return this.current.name.slice();
  }

  /**
   * Seals `plaintext` under the current key: key_name(16) ‖ nonce(12) ‖ ciphertext ‖ tag(16).
   * The nonce is random (`provider.random(12, 'ticket_nonce')`); rotation bounds the number of
   * tickets per key far below the 2^32 random-nonce limit of GCM.
   * `aad` (optional) is bound too and must be given again to {@link open}.
   */
  seal(plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    this.tick();
    const k = this.current;
    const out = new Uint8Array(TICKET_OVERHEAD + plaintext.length);
    out.set(k.name, 0);
    const nonce = this.provider.random(AEAD_NONCE_LENGTH, 'ticket_nonce');
    out.set(nonce, TICKET_KEY_NAME_LENGTH);
    const body = out.subarray(TICKET_KEY_NAME_LENGTH + AEAD_NONCE_LENGTH);
    body.set(this.aead(k).seal(nonce, concat(k.name, aad), plaintext));
    return out;
  }

  /**
   * Opens a ticket made by {@link seal} here or by a server sharing the keys.
   * @returns the plaintext and whether to re-issue, or `null` for anything that does not open:
   *   too short, unknown or dropped key name, wrong tag or `aad` (a miss, never an error).
   */
  open(ticket: Uint8Array, aad: Uint8Array = EMPTY): OpenedTicket | null {
    this.tick();
    if (!(ticket instanceof Uint8Array) || ticket.length < TICKET_OVERHEAD) return null;
    const name = ticket.subarray(0, TICKET_KEY_NAME_LENGTH);
    const k = this.find(name);
    if (k === undefined) return null;
    const nonce = ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + AEAD_NONCE_LENGTH);
    const plaintext = this.aead(k).open(nonce, concat(k.name, aad), ticket.subarray(TICKET_KEY_NAME_LENGTH + AEAD_NONCE_LENGTH));
    if (plaintext === null) return null;
    return { plaintext, needsReissue: k !== this.current };
  }

  private find(name: Uint8Array): TicketKey | undefined {
    if (sameName(this.current.name, name)) return this.current;
    if (this.nextKey && sameName(this.nextKey.name, name)) return this.nextKey;
    for (const k of this.previous) if (sameName(k.name, name)) return k;
    return undefined;
  }

  /**
   * The ring as JSON-able data (including the secret keys: protect it like a private key), after
   * applying due rotations. Import it elsewhere with {@link TicketKeyRing.import}.
   */
  export(): TicketKeyRingJson {
    this.tick();
    const j = (role: TicketKeyRole, k: TicketKey): TicketKeyJson => ({
      role,
      name: bytesToHex(k.name),
      key: bytesToHex(k.key),
      createdAt: k.createdAt,
      activatedAt: k.activatedAt,
    });
    const keys: TicketKeyJson[] = [];
    if (this.nextKey) keys.push(j('next', this.nextKey));
    keys.push(j('current', this.current));
    for (const k of this.previous) keys.push(j('previous', k));
    return { format: 'puretls-ticket-keys/1', rotationIntervalMs: this.rotationIntervalMs, keys };
  }

  /** Number of keys that open tickets (current + next + previous). */
  get size(): number {
    return 1 + (this.nextKey ? 1 : 0) + this.previous.length;
  }

  /** Wipes every key (`fill(0)`); the ring is unusable afterwards. */
  clean(): void {
    wipe(this.current);
    if (this.nextKey) wipe(this.nextKey);
    this.dropPrevious();
    this.nextKey = undefined;
  }
}

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  // Key names are public (they are sent in the clear); a plain compare is fine.
  for (let i = 0; i < TICKET_KEY_NAME_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}

function wipe(k: TicketKey): void {
  k.key.fill(0);
  k.aead?.clean();
  k.aead = undefined;
}

function parseRing(json: TicketKeyRingJson): { current: TicketKey; next: TicketKey | undefined; previous: TicketKey[] } {
  if (typeof json !== 'object' || json === null || json.format !== 'puretls-ticket-keys/1') throw new TypeError('TicketKeyRing.import: not a puretls-ticket-keys/1 object');
  if (!Array.isArray(json.keys)) throw new TypeError('TicketKeyRing.import: "keys" must be an array');
  let current: TicketKey | undefined;
  let next: TicketKey | undefined;
  const previous: TicketKey[] = [];
  const seen = new Set<string>();
  for (const [i, kj] of json.keys.entries()) {
    const where = `TicketKeyRing.import: keys[${i}]`;
    if (typeof kj !== 'object' || kj === null) throw new TypeError(`${where} must be an object`);
    const name = hexField(where, 'name', kj.name, TICKET_KEY_NAME_LENGTH);
    const key = hexField(where, 'key', kj.key, TICKET_KEY_LENGTH);
    for (const t of ['createdAt', 'activatedAt'] as const) {
      if (!Number.isSafeInteger(kj[t]) || kj[t] < 0) throw new RangeError(`${where}.${t} must be an integer >= 0`);
    }
    if (seen.has(kj.name.toLowerCase())) throw new RangeError(`${where}: duplicate key name`);
    seen.add(kj.name.toLowerCase());
    const k: TicketKey = { name, key, createdAt: kj.createdAt, activatedAt: kj.activatedAt, aead: undefined };
    if (kj.role === 'current') {
      if (current) throw new RangeError(`${where}: more than one current key`);
      current = k;
    } else if (kj.role === 'next') {
      if (next) throw new RangeError(`${where}: more than one next key`);
      next = k;
    } else if (kj.role === 'previous') {
      previous.push(k);
    } else throw new RangeError(`${where}.role must be next, current or previous`);
  }
  if (!current) throw new RangeError('TicketKeyRing.import: no current key');
  previous.sort((a, b) => b.activatedAt - a.activatedAt);
  return { current, next, previous };
}

function hexField(where: string, field: string, v: unknown, len: number): Uint8Array {
  if (typeof v !== 'string' || v.length !== 2 * len || !/^[0-9a-fA-F]*$/.test(v)) throw new RangeError(`${where}.${field} must be ${len} bytes of hex`);
  return hexToBytes(v);
}
