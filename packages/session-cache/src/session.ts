/**
 * `Session`: the immutable value the cache stores (spec §1) — opaque session bytes plus the
 * metadata the cache needs for its own job (rustls `StoresServerSessions`: the store sees
 * `Vec<u8>`). What the bytes mean (version, suite, secret, server name, …) is the handshake's
 * business: it encodes them, and it checks every TLS rule when a session comes back. The cache
 * only knows ids, times, sizes and whether a session may be used once only.
 */

/** RFC 5246 §7.4.1.2 `opaque SessionID<0..32>`: a stored session has 1..32 bytes. */
export const MAX_SESSION_ID_LENGTH = 32;
/** Bound of the opaque session state (a TLS session with a client certificate chain fits easily). */
export const MAX_SESSION_STATE_LENGTH = 0xffffff;
/** Largest time value (ms) a session may carry: times must be exact integers. */
export const MAX_TIME_MS = Number.MAX_SAFE_INTEGER;
/** Largest `timeout` in seconds (a u32 on the wire). */
export const MAX_TIMEOUT = 0xffffffff;

/**
 * A resumable session: frozen, with frozen-by-convention byte fields (never mutate them; the cache
 * copies every byte array in {@link createSession} so no caller keeps a writable alias).
 *
 * Invariants (checked by {@link createSession} and `decodeSession`): `1 <= id.length <= 32`,
 * `1 <= state.length < 2^24`, times are integers in `[0, 2^53)`, `authTime <= createdAt`,
 * `timeout` is a u32.
 */
export interface Session {
  /** TLS 1.2: the session id. TLS 1.3 stateful: the ticket (32 random bytes). 1..32 bytes. */
  readonly id: Uint8Array;
  /** When the session (ticket) was created, ms since the epoch of the injected clock. */
  readonly createdAt: number;
  /** Lifetime in seconds, set when the session is created (later changes of the cache's do not touch it). */
  readonly timeout: number;
  /** Time (ms) of the original full handshake; resumptions copy it so chains cannot extend it. */
  readonly authTime: number;
  /** A TLS 1.3 stateful ticket (spec §6): resumed at most once, taken atomically. */
  readonly singleUse: boolean;
  /**
   * The session's TLS state, opaque to the cache (the handshake's encoding; it holds the secret:
   * seal it with `sealSession` before it leaves the process).
   */
  readonly state: Uint8Array;
}

/** What {@link createSession} takes: the {@link Session} fields, some with defaults. */
export interface SessionInit {
  readonly id: Uint8Array;
  readonly createdAt: number;
  readonly timeout: number;
  /** Default: `createdAt` (a full handshake). */
  readonly authTime?: number;
  /** Default: `false`. */
  readonly singleUse?: boolean;
  readonly state: Uint8Array;
}

/** Every session made by {@link createSession} / `decodeSession`: lets the cache skip re-validation. */
const VALID = new WeakSet<Session>();

/** True when `s` was made (and validated, frozen) by {@link createSession}. */
export function isSession(s: unknown): s is Session {
  return typeof s === 'object' && s !== null && VALID.has(s as Session);
}

function bytesField(name: string, v: unknown, min: number, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`createSession: "${name}" expected Uint8Array`);
  if (v.length < min || v.length > max) throw new RangeError(`createSession: "${name}" length ${v.length} not in ${min}..${max}`);
  return v.slice(); // our own copy: the caller's buffer may be a view into a record
}
function intField(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`createSession: "${name}" must be an integer in 0..${max}, got ${String(v)}`);
  }
  return v;
}

/**
 * Validates `init`, copies its byte fields and returns a frozen {@link Session}.
 *
 * @throws TypeError for a field of the wrong type; RangeError for a value out of range (id not
 *   1..32 bytes, an empty state, negative or fractional times, `authTime > createdAt`). API misuse
 *   only: peer bytes never reach this function unchecked.
 */
export function createSession(init: SessionInit): Session {
  if (typeof init !== 'object' || init === null) throw new TypeError('createSession: "init" expected an object');
  const createdAt = intField('createdAt', init.createdAt, MAX_TIME_MS);
  const authTime = init.authTime === undefined ? createdAt : intField('authTime', init.authTime, MAX_TIME_MS);
  if (authTime > createdAt) throw new RangeError(`createSession: "authTime" (${authTime}) is after "createdAt" (${createdAt})`);
  const singleUse = init.singleUse ?? false;
  if (typeof singleUse !== 'boolean') throw new TypeError('createSession: "singleUse" expected boolean');
  const s: Session = {
    id: bytesField('id', init.id, 1, MAX_SESSION_ID_LENGTH),
    createdAt,
    timeout: intField('timeout', init.timeout, MAX_TIMEOUT),
    authTime,
    singleUse,
    state: bytesField('state', init.state, 1, MAX_SESSION_STATE_LENGTH),
  };
  Object.freeze(s);
  VALID.add(s);
  return s;
}

/**
 * A copy of `s` with some fields replaced (validated like {@link createSession}). Used for
 * `updateTime` (a new `createdAt`).
 *
 * @throws like {@link createSession}.
 */
export function withFields(s: Session, changes: Partial<SessionInit>): Session {
  return createSession({ ...s, ...changes });
}

/**
 * Fixed per-session cost assumed by `maxBytes` accounting: the frozen object and its two typed
 * arrays (V8: 6 fields + 2 Uint8Array wrappers with their backing stores) plus the cache's table
 * slot. An estimate, measured with `--expose-gc` in the benchmark, rounded up.
 */
export const SESSION_OVERHEAD_BYTES = 512;

/** What a session costs the cache in bytes: {@link SESSION_OVERHEAD_BYTES} + its id and state. */
export function sessionCost(s: Session): number {
  return SESSION_OVERHEAD_BYTES + s.id.length + s.state.length;
}

/**
 * The time (ms) after which `s` may no longer be resumed: `createdAt + timeout`, or earlier
 * `authTime + authTimeoutSec` (spec §4: chained resumptions cannot extend the original
 * authentication). At the exact boundary it is still valid, as in OpenSSL.
 */
export function sessionExpiresAt(s: Session, authTimeoutSec: number): number {
  const byTimeout = s.createdAt + s.timeout * 1000;
  const byAuth = s.authTime + authTimeoutSec * 1000;
  return byTimeout < byAuth ? byTimeout : byAuth;
}

/** Equality of two byte strings (ids: not secret, but compared without an early exit anyway). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
