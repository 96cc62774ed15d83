/**
 * `Session`: the immutable value the cache stores (spec §1). One object per TLS 1.2 session id and
 * per TLS 1.3 ticket. Everything derivable (the TLS 1.3 hash from the suite, the expiry time from
 * `createdAt` + `timeout`) is derived, never stored.
 */
import type { HashAlgorithm } from '@puretls/crypto';

/** RFC 5246 §7.4.1.2 `opaque SessionID<0..32>`: a stored session has 1..32 bytes. */
export const MAX_SESSION_ID_LENGTH = 32;
/** Upper bound of `secret` (a TLS 1.2 master secret is 48 bytes, a TLS 1.3 PSK 32 or 48). */
export const MAX_SECRET_LENGTH = 64;
/** RFC 6066 §3 / the handshake's own bound on a host_name. */
export const MAX_SERVER_NAME_LENGTH = 255;
/** RFC 7301 §3.1 `opaque ProtocolName<1..2^8-1>`. */
export const MAX_ALPN_LENGTH = 255;
/** Bound of `contextId` (a configuration fingerprint plus the optional `sessionIdContext`). */
export const MAX_CONTEXT_ID_LENGTH = 255;
/** RFC 8446 §4.6.1 `opaque ticket_nonce<0..255>`. */
export const MAX_TICKET_NONCE_LENGTH = 255;
/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)". */
export const MAX_TICKET_LIFETIME = 604800;
/** Bound of the stored peer certificate chain (RFC 8446 §4.4.2 `certificate_list<0..2^24-1>`). */
export const MAX_PEER_CERTIFICATES_LENGTH = 0xffffff;
/** Largest time value (ms) a session may carry: times must be exact integers. */
export const MAX_TIME_MS = Number.MAX_SAFE_INTEGER;
/** Largest `timeout` in seconds (a u32 on the wire). */
export const MAX_TIMEOUT = 0xffffffff;

/** TLS protocol versions a session can belong to. */
export type SessionVersion = 0x0303 | 0x0304;

/**
 * A resumable session: frozen, with frozen-by-convention byte fields (never mutate them; the cache
 * copies every byte array in {@link createSession} so no caller keeps a writable alias).
 *
 * Invariants (checked by {@link createSession} and {@link decodeSession}):
 * `1 <= id.length <= 32`, `1 <= secret.length <= 64`, times are integers in `[0, 2^53)`,
 * `authTime <= createdAt`, `ticketAgeAdd` and `maxEarlyData` are u32.
 */
export interface Session {
  /** TLS 1.2: the session id. TLS 1.3 stateful: the ticket (32 random bytes). 1..32 bytes. */
  readonly id: Uint8Array;
  readonly version: SessionVersion;
  /** The cipher suite codepoint negotiated when the session was made. */
  readonly cipherSuite: number;
  /** TLS 1.2: the master secret. TLS 1.3: the resumption PSK of this ticket (RFC 8446 §4.6.1). */
  readonly secret: Uint8Array;
  /** When the session (ticket) was created, ms since the epoch of the injected clock. */
  readonly createdAt: number;
  /** Lifetime in seconds, copied from the cache when created (later changes do not touch it). */
  readonly timeout: number;
  /** RFC 7627: the session's master secret was made with extended_master_secret. */
  readonly extendedMasterSecret: boolean;
  /** The SNI host name of the original handshake, or `undefined` when none was sent. */
  readonly serverName: string | undefined;
  /** The negotiated ALPN protocol (raw bytes, RFC 7301 `ProtocolName`), or `undefined`. */
  readonly alpn: Uint8Array | undefined;
  /** Fingerprint of the security-relevant configuration plus `sessionIdContext` (spec §6), 0..255 bytes. */
  readonly contextId: Uint8Array;
  /** TLS 1.3 `ticket_age_add` (u32); 0 for TLS 1.2. */
  readonly ticketAgeAdd: number;
  /** TLS 1.3 `ticket_nonce`; empty for TLS 1.2. */
  readonly ticketNonce: Uint8Array;
  /** TLS 1.3 `max_early_data_size` the ticket allows (0 = no 0-RTT). */
  readonly maxEarlyData: number;
  /** Time (ms) of the original full handshake; resumptions copy it so chains cannot extend it. */
  readonly authTime: number;
  /** The client's certificate chain (DER, leaf first) when the client authenticated; else empty. */
  readonly peerCertificates: readonly Uint8Array[];
}

/** What {@link createSession} takes: the {@link Session} fields, some with defaults. */
export interface SessionInit {
  readonly id: Uint8Array;
  readonly version: SessionVersion;
  readonly cipherSuite: number;
  readonly secret: Uint8Array;
  readonly createdAt: number;
  readonly timeout: number;
  /** Default: `true` for TLS 1.3 (its key schedule always binds the transcript), else required. */
  readonly extendedMasterSecret?: boolean;
  readonly serverName?: string | undefined;
  readonly alpn?: Uint8Array | undefined;
  /** Default: empty. */
  readonly contextId?: Uint8Array;
  /** Default: 0. */
  readonly ticketAgeAdd?: number;
  /** Default: empty. */
  readonly ticketNonce?: Uint8Array;
  /** Default: 0. */
  readonly maxEarlyData?: number;
  /** Default: `createdAt` (a full handshake). */
  readonly authTime?: number;
  /** Default: none. */
  readonly peerCertificates?: readonly Uint8Array[];
}

/** Every session made by {@link createSession} / {@link decodeSession}: lets the cache skip re-validation. */
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
 *   1..32 bytes, unknown version, negative or fractional times, `authTime > createdAt`, a server
 *   name that is not 1..255 printable ASCII characters, an empty ALPN name, …). API misuse only:
 *   peer bytes never reach this function unchecked.
 */
export function createSession(init: SessionInit): Session {
  if (typeof init !== 'object' || init === null) throw new TypeError('createSession: "init" expected an object');
  const version = init.version;
  if (version !== 0x0303 && version !== 0x0304) throw new RangeError(`createSession: "version" must be 0x0303 or 0x0304, got ${String(version)}`);
  const createdAt = intField('createdAt', init.createdAt, MAX_TIME_MS);
  const authTime = init.authTime === undefined ? createdAt : intField('authTime', init.authTime, MAX_TIME_MS);
  if (authTime > createdAt) throw new RangeError(`createSession: "authTime" (${authTime}) is after "createdAt" (${createdAt})`);
  const ems = init.extendedMasterSecret ?? (version === 0x0304 ? true : undefined);
  if (typeof ems !== 'boolean') throw new TypeError('createSession: "extendedMasterSecret" expected boolean');
  const serverName = init.serverName;
  if (serverName !== undefined) checkServerName(serverName);
  const alpn = init.alpn === undefined ? undefined : bytesField('alpn', init.alpn, 1, MAX_ALPN_LENGTH);
  const certs = init.peerCertificates ?? [];
  if (!Array.isArray(certs)) throw new TypeError('createSession: "peerCertificates" expected an array');
  let certBytes = 0;
  const peerCertificates = certs.map((c: unknown, i) => {
    const b = bytesField(`peerCertificates[${i}]`, c, 1, MAX_PEER_CERTIFICATES_LENGTH - 3);
    certBytes += 3 + b.length;
    return b;
  });
  if (certBytes > MAX_PEER_CERTIFICATES_LENGTH) throw new RangeError(`createSession: "peerCertificates" total ${certBytes} bytes exceeds ${MAX_PEER_CERTIFICATES_LENGTH}`);
  const s: Session = {
    id: bytesField('id', init.id, 1, MAX_SESSION_ID_LENGTH),
    version,
    cipherSuite: intField('cipherSuite', init.cipherSuite, 0xffff),
    secret: bytesField('secret', init.secret, 1, MAX_SECRET_LENGTH),
    createdAt,
    timeout: intField('timeout', init.timeout, MAX_TIMEOUT),
    extendedMasterSecret: ems,
    serverName,
    alpn,
    contextId: bytesField('contextId', init.contextId ?? EMPTY, 0, MAX_CONTEXT_ID_LENGTH),
    ticketAgeAdd: intField('ticketAgeAdd', init.ticketAgeAdd ?? 0, 0xffffffff),
    ticketNonce: bytesField('ticketNonce', init.ticketNonce ?? EMPTY, 0, MAX_TICKET_NONCE_LENGTH),
    maxEarlyData: intField('maxEarlyData', init.maxEarlyData ?? 0, 0xffffffff),
    authTime,
    peerCertificates: Object.freeze(peerCertificates),
  };
  Object.freeze(s);
  VALID.add(s);
  return s;
}

const EMPTY = new Uint8Array(0);

function checkServerName(name: unknown): void {
  if (typeof name !== 'string') throw new TypeError('createSession: "serverName" expected string or undefined');
  if (name.length < 1 || name.length > MAX_SERVER_NAME_LENGTH) throw new RangeError(`createSession: "serverName" length ${name.length} not in 1..255`);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // Same alphabet the handshake accepts in a host_name (printable ASCII, no space).
    if (c < 0x21 || c > 0x7e) throw new RangeError(`createSession: "serverName" has character 0x${c.toString(16)} (printable ASCII only)`);
  }
}

/**
 * A copy of `s` with some fields replaced (validated like {@link createSession}). Used for
 * `updateTime` (a new `createdAt`) and by the glue to derive a resumed session's follow-up ticket
 * (keep `authTime`!).
 *
 * @throws like {@link createSession}.
 */
export function withFields(s: Session, changes: Partial<SessionInit>): Session {
  return createSession({ ...s, ...changes });
}

/**
 * TLS 1.3 suite → hash (RFC 8446 §B.4, plus the RFC 9150 integrity-only suites). Only TLS 1.3 needs
 * it: a PSK may be used with any suite of the same hash (RFC 8446 §4.2.11).
 */
const TLS13_SUITE_HASH: ReadonlyMap<number, HashAlgorithm> = new Map<number, HashAlgorithm>([
  [0x1301, 'sha256'], // TLS_AES_128_GCM_SHA256
  [0x1302, 'sha384'], // TLS_AES_256_GCM_SHA384
  [0x1303, 'sha256'], // TLS_CHACHA20_POLY1305_SHA256
  [0x1304, 'sha256'], // TLS_AES_128_CCM_SHA256
  [0x1305, 'sha256'], // TLS_AES_128_CCM_8_SHA256
  [0xc0b4, 'sha256'], // TLS_SHA256_SHA256 (RFC 9150)
  [0xc0b5, 'sha384'], // TLS_SHA384_SHA384 (RFC 9150)
]);

/** The hash of a TLS 1.3 cipher suite, or `undefined` for a suite that is not a TLS 1.3 suite. */
export function tls13SuiteHash(cipherSuite: number): HashAlgorithm | undefined {
  return TLS13_SUITE_HASH.get(cipherSuite);
}

/**
 * The lifetime (seconds) the session is valid for: `timeout`, and for TLS 1.3 at most 7 days
 * (RFC 8446 §4.6.1) — the value to put in NewSessionTicket.ticket_lifetime.
 */
export function sessionLifetime(s: Session): number {
  return s.version === 0x0304 && s.timeout > MAX_TICKET_LIFETIME ? MAX_TICKET_LIFETIME : s.timeout;
}

/**
 * Fixed per-session cost assumed by `maxBytes` accounting: the frozen object and its typed-array
 * headers (V8: ~14 fields + 4 Uint8Array wrappers with their backing stores) plus the cache's
 * table slot. An estimate, measured with `--expose-gc` in the benchmark, rounded up.
 */
export const SESSION_OVERHEAD_BYTES = 512;

/** What a session costs the cache in bytes: {@link SESSION_OVERHEAD_BYTES} + its variable fields. */
export function sessionCost(s: Session): number {
  let n = SESSION_OVERHEAD_BYTES + s.id.length + s.secret.length + s.contextId.length + s.ticketNonce.length;
  if (s.serverName !== undefined) n += s.serverName.length;
  if (s.alpn !== undefined) n += s.alpn.length;
  for (const c of s.peerCertificates) n += c.length + 64;
  return n;
}

/** The time (ms) after which `s` may no longer be resumed under `authTimeoutSec` (spec §4). */
export function sessionExpiresAt(s: Session, authTimeoutSec: number): number {
  const byTimeout = s.createdAt + sessionLifetime(s) * 1000;
  const byAuth = s.authTime + authTimeoutSec * 1000;
  return byTimeout < byAuth ? byTimeout : byAuth;
}

/** Constant-time-ish equality of two byte strings (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
