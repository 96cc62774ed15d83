/**
 * The TLS state of a resumable session and its encoding — the bytes the session store keeps
 * without looking inside (rustls `ServerSessionValue`; Go `ticket.go` `SessionState`). The
 * handshake writes them when it makes a session and reads them, with every resumption rule, when
 * a client offers one back (`resumption.ts`).
 *
 *   struct {
 *     uint8  format_version = 2;
 *     ProtocolVersion version;                 // 0x0303 | 0x0304
 *     CipherSuite cipher_suite;
 *     uint8  flags;                            // 1 = extended_master_secret, 2 = server_name, 4 = alpn,
 *                                              // 8 = a client certificate was requested, 16 = it verified
 *     opaque secret<1..64>;                    // TLS 1.2 master secret / TLS 1.3 resumption PSK
 *     opaque server_name<0..255>;              // empty unless flag 2
 *     opaque alpn<0..255>;                     // empty unless flag 4
 *     opaque context<0..255>;                  // the configuration fingerprint (HandshakeConfig.sessionContext)
 *     uint32 ticket_age_add;                   // TLS 1.3 (RFC 8446 §4.6.1); 0 for TLS 1.2
 *     uint32 max_early_data;                   // TLS 1.3 max_early_data_size when the ticket was made
 *     ASN1Cert peer_certificates<0..2^24-1>;   // the client's chain (DER, leaf first), as it sent it
 *     opaque peer_error<0..255>;               // why it did not verify (flag 8 without 16), else empty
 *   } SessionState;
 *
 * Format 1 had neither the client flags nor peer_error; such a state no longer decodes (a miss).
 */
import { bytesToLatin1, latin1ToBytes } from '@puretls/crypto';
import { Reader, TlsError, Writer, isTlsError } from '@puretls/record-layer';

/** The format version {@link encodeSessionState} writes. */
export const SESSION_STATE_FORMAT = 2;

const FLAG_EMS = 0x01;
const FLAG_SERVER_NAME = 0x02;
const FLAG_ALPN = 0x04;
const FLAG_CLIENT_AUTH = 0x08;
const FLAG_CLIENT_AUTHORIZED = 0x10;
const KNOWN_FLAGS = FLAG_EMS | FLAG_SERVER_NAME | FLAG_ALPN | FLAG_CLIENT_AUTH | FLAG_CLIENT_AUTHORIZED;
/** Upper bound of `secret`: a TLS 1.2 master secret is 48 bytes, a TLS 1.3 PSK 32 or 48. */
const MAX_SECRET_LENGTH = 64;

/** What a session carries for the handshake (decoded; the secret included). */
export interface SessionState {
  readonly version: 0x0303 | 0x0304;
  /** The cipher suite negotiated when the session was made. */
  readonly cipherSuite: number;
  /** TLS 1.2: the master secret. TLS 1.3: the resumption PSK of this ticket (RFC 8446 §4.6.1). */
  readonly secret: Uint8Array;
  /** RFC 7627: the master secret was made with extended_master_secret (always true for TLS 1.3). */
  readonly extendedMasterSecret: boolean;
  /** The SNI host name of the original handshake, or `undefined`. */
  readonly serverName: string | undefined;
  /** The negotiated ALPN protocol, or `undefined`. */
  readonly alpn: string | undefined;
  /** The configuration fingerprint the session is bound to (spec §6). */
  readonly context: Uint8Array;
  /** TLS 1.3 `ticket_age_add` (u32); 0 for TLS 1.2. */
  readonly ticketAgeAdd: number;
  /** TLS 1.3 `max_early_data_size` in force when the ticket was made (only single-use tickets may use it). */
  readonly maxEarlyData: number;
  /** The client's certificate chain (DER, leaf first) as it sent it; empty when it sent none or none was requested. */
  readonly peerCertificates: readonly Uint8Array[];
  /**
   * The verdict on `peerCertificates` when the full handshake requested a client certificate
   * (OpenSSL keeps `verify_result` in the session); absent when it requested none. `error` is
   * set exactly when not authorized.
   */
  readonly peerVerification?: { readonly authorized: boolean; readonly error: string | undefined };
}

/**
 * The bytes of `state`.
 * @throws TlsError Internal for a field over its bound, a verdict with an error although
 *   authorized (or none although not), or certificates without a verdict: our own bug, states
 *   come from the handshake.
 */
export function encodeSessionState(state: SessionState): Uint8Array {
  const w = new Writer(352 + state.secret.length + state.peerCertificates.reduce((n, c) => n + c.length + 3, 0));
  let flags = 0;
  if (state.extendedMasterSecret) flags |= FLAG_EMS;
  if (state.serverName !== undefined) flags |= FLAG_SERVER_NAME;
  if (state.alpn !== undefined) flags |= FLAG_ALPN;
  const v = state.peerVerification;
  if (v !== undefined && v.authorized === (v.error !== undefined && v.error !== '')) throw new TlsError('Internal', 'SessionState.peerVerification: an error exactly when not authorized');
  if (v === undefined && state.peerCertificates.length > 0) throw new TlsError('Internal', 'SessionState.peerCertificates without peerVerification');
  if (v !== undefined) flags |= FLAG_CLIENT_AUTH | (v.authorized ? FLAG_CLIENT_AUTHORIZED : 0);
  w.u8(SESSION_STATE_FORMAT).u16(state.version).u16(state.cipherSuite).u8(flags);
  w.vec8((w) => w.bytes(state.secret));
  w.vec8((w) => w.bytes(latin1ToBytes(state.serverName ?? '')));
  w.vec8((w) => w.bytes(latin1ToBytes(state.alpn ?? '')));
  w.vec8((w) => w.bytes(state.context));
  w.u32(state.ticketAgeAdd);
  w.u32(state.maxEarlyData);
  w.vec24((w) => {
    for (const c of state.peerCertificates) w.vec24((w) => w.bytes(c));
  });
  w.vec8((w) => w.bytes(latin1ToBytes(v !== undefined && !v.authorized ? (v.error ?? '') : '')));
  return w.finish();
}

/**
 * Reads bytes made by {@link encodeSessionState}. The result's byte fields are views into `bytes`.
 * @returns `undefined` for anything that is not such a state (another format, truncated, trailing
 *   bytes, a field out of range): a session that cannot be read is refused, never an alert.
 */
export function decodeSessionState(bytes: Uint8Array): SessionState | undefined {
  try {
    const r = new Reader(bytes, 'SessionState');
    if (r.u8() !== SESSION_STATE_FORMAT) return undefined;
    return r.all('SessionState', (r): SessionState | undefined => {
      const version = r.u16();
      if (version !== 0x0303 && version !== 0x0304) return undefined;
      const cipherSuite = r.u16();
      const flags = r.u8();
      if ((flags & ~KNOWN_FLAGS) !== 0) return undefined;
      const secret = r.vec8({ min: 1, max: MAX_SECRET_LENGTH }).rest();
      const name = r.vec8().rest();
      const alpn = r.vec8().rest();
      if (((flags & FLAG_SERVER_NAME) !== 0) !== name.length > 0 || ((flags & FLAG_ALPN) !== 0) !== alpn.length > 0) return undefined;
      const context = r.vec8().rest();
      const ticketAgeAdd = r.u32();
      const maxEarlyData = r.u32();
      const peerCertificates = r.vec24().list((c) => c.vec24({ min: 1 }).rest());
      const peerError = r.vec8().rest();
      const requested = (flags & FLAG_CLIENT_AUTH) !== 0;
      const authorized = (flags & FLAG_CLIENT_AUTHORIZED) !== 0;
      // Authorized only when requested, with a chain, and then without an error; an error exactly when not.
      if (!requested && (authorized || peerCertificates.length > 0 || peerError.length > 0)) return undefined;
      if (requested && (authorized ? peerCertificates.length === 0 || peerError.length > 0 : peerError.length === 0)) return undefined;
      return {
        version,
        cipherSuite,
        secret,
        extendedMasterSecret: (flags & FLAG_EMS) !== 0,
        serverName: name.length > 0 ? bytesToLatin1(name) : undefined,
        alpn: alpn.length > 0 ? bytesToLatin1(alpn) : undefined,
        context,
        ticketAgeAdd,
        maxEarlyData,
        peerCertificates,
        ...(requested ? { peerVerification: { authorized, error: authorized ? undefined : bytesToLatin1(peerError) } } : {}),
      };
    });
  } catch (e) {
    // The reader's decode errors: not a state of ours.
    if (isTlsError(e)) return undefined;
    throw e;
  }
}
