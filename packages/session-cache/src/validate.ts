/**
 * The checks a found session must pass before it is resumed (spec §3 "A returned session is
 * validated before use, exactly as an internal hit"). Pure: no cache, no statistics.
 */
import type { Reason } from '@puretls/record-layer';
import { equalBytes, sessionLifetime, tls13SuiteHash, type Session, type SessionVersion } from './session';

/**
 * What the new handshake offers, as far as resumption cares. The glue fills it from the
 * ClientHello and the server's own choices.
 */
export interface ResumptionContext {
  /** The version negotiated for this connection. */
  readonly version: SessionVersion;
  /** This context's configuration fingerprint (+ `sessionIdContext`), compared with `Session.contextId`. */
  readonly contextId: Uint8Array;
  /** SNI host name of the new ClientHello, or `undefined`. */
  readonly serverName: string | undefined;
  /** TLS 1.2: the ClientHello's cipher_suites. Required for 0x0303. */
  readonly clientCipherSuites?: readonly number[];
  /** TLS 1.2: whether the ClientHello carries extended_master_secret (RFC 7627). Required for 0x0303. */
  readonly extendedMasterSecret?: boolean;
  /** TLS 1.3: the cipher suite the server selected. Required for 0x0304. */
  readonly cipherSuite?: number;
}

/** Why a lookup did not produce a session (the handshake continues as a full one). */
export type MissReason =
  /** Not in the internal cache and not returned by the get callback. */
  | 'notFound'
  /** `createdAt + timeout` passed (counted in `stats.timeouts`, removed with reason `expired`). */
  | 'expired'
  /** `authTime + authTimeout` passed: chained resumptions cannot extend the original authentication. */
  | 'authExpired'
  /** The session is for another protocol version. */
  | 'versionMismatch'
  /** The session was made under another configuration (`stats.contextMismatches`). */
  | 'contextMismatch'
  /** The new ClientHello names another server (or one names a server and the other does not). */
  | 'serverNameMismatch'
  /** TLS 1.3: the session's suite hash differs from the negotiated suite's (RFC 8446 §4.2.11). */
  | 'hashMismatch'
  /** TLS 1.2: the new hello has extended_master_secret, the session was made without (RFC 7627 §5.3). */
  | 'emsMismatch'
  /** The session was invalidated before (a remove reason was delivered for it). */
  | 'notResumable'
  /** The get callback returned a session with another id, or a value that is not a valid session. */
  | 'invalidSession'
  /** The async get (or take) callback missed the `lookupTimeoutMs` deadline (`stats.lookupTimeouts`). */
  | 'lookupTimeout'
  /** The get callback threw or rejected (`stats.callbackErrors`). */
  | 'callbackError'
  /** The cache was closed. */
  | 'closed';

/**
 * Reasons a lookup aborts the handshake (names from the record layer's reason → alert table):
 * `ResumedSuiteNotOffered` → illegal_parameter, `ExtendedMasterSecretMismatch` → handshake_failure.
 */
export type AbortReason = Extract<Reason, 'ResumedSuiteNotOffered' | 'ExtendedMasterSecretMismatch'>;

/** Outcome of checking one session against a {@link ResumptionContext}. */
export type Verdict = 'ok' | MissReason | AbortReason;

/** Whether `v` is one of the {@link AbortReason}s. */
export function isAbortVerdict(v: Verdict): v is AbortReason {
  return v === 'ResumedSuiteNotOffered' || v === 'ExtendedMasterSecretMismatch';
}

/**
 * Checks `s` against the new handshake. Order: expiry (timeout, then authTimeout), version,
 * contextId, SNI, then the version-specific rules — so a session that would not be used anyway
 * is a miss, never an abort.
 *
 * @param now the current time (ms); a session is expired when `now > createdAt + lifetime * 1000`
 *   (at the exact boundary it is still valid, as in OpenSSL).
 * @param authTimeoutSec the cache's `authTimeout`.
 * @throws TypeError when `ctx` lacks the fields its version requires (API misuse).
 */
export function validateSession(s: Session, ctx: ResumptionContext, now: number, authTimeoutSec: number): Verdict {
  if (now > s.createdAt + sessionLifetime(s) * 1000) return 'expired';
  if (now > s.authTime + authTimeoutSec * 1000) return 'authExpired';
  if (s.version !== ctx.version) return 'versionMismatch';
  if (!equalBytes(s.contextId, ctx.contextId)) return 'contextMismatch';
  if (!sameServerName(s.serverName, ctx.serverName)) return 'serverNameMismatch';
  if (ctx.version === 0x0304) {
    if (ctx.cipherSuite === undefined) throw new TypeError('validateSession: TLS 1.3 context needs "cipherSuite"');
    const h = tls13SuiteHash(s.cipherSuite);
    if (h === undefined || h !== tls13SuiteHash(ctx.cipherSuite)) return 'hashMismatch';
    return 'ok';
  }
  if (ctx.clientCipherSuites === undefined || ctx.extendedMasterSecret === undefined) {
    throw new TypeError('validateSession: TLS 1.2 context needs "clientCipherSuites" and "extendedMasterSecret"');
  }
  // RFC 7627 §5.3: "If the original session used the "extended_master_secret" extension but the
  // new ClientHello does not contain it, the server MUST abort the abbreviated handshake."
  if (s.extendedMasterSecret && !ctx.extendedMasterSecret) return 'ExtendedMasterSecretMismatch';
  // RFC 7627 §5.3: "If the original session did not use the "extended_master_secret" extension
  // but the new ClientHello contains the extension, then the server MUST NOT perform the
  // abbreviated handshake. Instead, it SHOULD continue with a full handshake".
  if (!s.extendedMasterSecret && ctx.extendedMasterSecret) return 'emsMismatch';
  // RFC 5246 §7.4.1.2: the client "MUST include at least the cipher_suite from that session".
  if (!ctx.clientCipherSuites.includes(s.cipherSuite)) return 'ResumedSuiteNotOffered';
  return 'ok';
}

/** Host names compare ASCII case-insensitively (RFC 6066 §3: DNS names). */
function sameServerName(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}
