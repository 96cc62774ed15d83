/**
 * ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4), and the TLS 1.2 ServerHello
 * (RFC 5246 §7.4.1.3). One wire shape; HelloRetryRequest is a ServerHello with a fixed random.
 */
import { Reader, Writer } from '@puretls/record-layer';
import { ExtensionType, HandshakeType, ProtocolVersion } from './enums';
import { findExtension, readExtensions, readSupportedVersionsServerHello, writeExtensions, type Extension } from './extensions';
import { writeHandshake } from './handshake-message';
import { MAX_SESSION_ID_LENGTH } from './client-hello';

/**
 * RFC 8446 §4.1.3: a HelloRetryRequest's `random` is "the SHA-256 of "HelloRetryRequest"":
 * CF 21 AD 74 E5 9A 61 11 BE 1D 8C 02 1E 65 B8 91 C2 A2 11 16 7A BB 8C 5E 07 9E 09 E2 C8 A8 33 9C.
 */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = Uint8Array.of(
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
);

/**
 * RFC 8446 §4.1.3 downgrade protection: a TLS 1.3 server negotiating TLS 1.2 "MUST set the last
 * 8 bytes of their Random value to the bytes: 44 4F 57 4E 47 52 44 01" ("DOWNGRD\x01").
 */
export const DOWNGRADE_SENTINEL_TLS12: Uint8Array = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);
/** RFC 8446 §4.1.3: the same for TLS 1.1 or below: "44 4F 57 4E 47 52 44 00". */
export const DOWNGRADE_SENTINEL_TLS11: Uint8Array = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00);

/**
 * A copy of the 32-byte server `random` with the last 8 bytes set to the RFC 8446 §4.1.3
 * downgrade sentinel for `negotiated` (TLS 1.2 → `…01`, TLS 1.1 or below → `…00`). Use the result
 * both in the ServerHello and in the key derivation (TLS 1.2 `server_random`).
 *
 * @throws RangeError when `random` is not 32 bytes or `negotiated` is TLS 1.3 (no downgrade).
 */
export function withDowngradeSentinel(random: Uint8Array, negotiated: number): Uint8Array {
  if (random.length !== 32) throw new RangeError('withDowngradeSentinel: random must be 32 bytes');
  if (negotiated >= ProtocolVersion.TLSv1_3) throw new RangeError('withDowngradeSentinel: TLS 1.3 is not a downgrade');
  const out = new Uint8Array(random);
  out.set(negotiated === ProtocolVersion.TLSv1_2 ? DOWNGRADE_SENTINEL_TLS12 : DOWNGRADE_SENTINEL_TLS11, 24);
  return out;
}

// RFC 8446 §4.1.3  struct {
//     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//     Random random;
//     opaque legacy_session_id_echo<0..32>;
//     CipherSuite cipher_suite;
//     uint8 legacy_compression_method = 0;
//     Extension extensions<6..2^16-1>;
// } ServerHello;
// RFC 5246 §7.4.1.3: server_version, random, session_id<0..32>, cipher_suite, compression_method,
//   and `extensions<0..2^16-1>` which may be omitted entirely.
/** A decoded ServerHello / HelloRetryRequest. `Uint8Array` fields are views into the body. */
export interface ServerHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  /** Every extension, raw, in wire order. */
  readonly extensions: readonly Extension[];
  /** `random` equals {@link HELLO_RETRY_REQUEST_RANDOM}. */
  readonly isHelloRetryRequest: boolean;
  /** supported_versions' selected_version, if present (TLS 1.3 / HRR). */
  readonly selectedVersion?: number;
}

/**
 * Reads a ServerHello or HelloRetryRequest body. The server never receives one: this serves
 * tests, round trips and a future client. Extension contents other than supported_versions are
 * left raw (decode them with the `read…ServerHello` / `…HelloRetryRequest` readers).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength` (decode_error) for bad lengths;
 *   `DuplicateExtension` (illegal_parameter).
 */
export function readServerHello(body: Uint8Array): ServerHello {
  return new Reader(body, 'ServerHello').all('ServerHello', (r) => {
    const legacyVersion = r.u16();
    const random = r.bytes(32);
    const legacySessionIdEcho = r.vec8({ max: MAX_SESSION_ID_LENGTH }).rest();
    const cipherSuite = r.u16();
    const legacyCompressionMethod = r.u8();
    const extensions = r.done ? [] : readExtensions(r, 'ServerHello');
    const sv = findExtension(extensions, ExtensionType.supported_versions);
    return {
      legacyVersion,
      random,
      legacySessionIdEcho,
      cipherSuite,
      legacyCompressionMethod,
      extensions,
      isHelloRetryRequest: equalBytes(random, HELLO_RETRY_REQUEST_RANDOM),
      selectedVersion: sv === undefined ? undefined : readSupportedVersionsServerHello(sv.data),
    };
  });
}

/** The fields {@link writeServerHello} writes. */
export interface ServerHelloParams {
  /** Default 0x0303 (RFC 8446 §4.1.3 `legacy_version`; the TLS 1.2 `server_version`). */
  readonly legacyVersion?: number;
  /** 32 bytes: from `CryptoProvider.random` (with {@link withDowngradeSentinel} when downgrading). */
  readonly random: Uint8Array;
  /** RFC 8446 §4.1.3: "the contents of the client's legacy_session_id field". TLS 1.2: the session id. */
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  /** In the order to send them. */
  readonly extensions: readonly Extension[];
  /**
   * TLS 1.2 only: omit the extensions block when `extensions` is empty (RFC 5246 §7.4.1.3).
   * TLS 1.3 ServerHellos always carry extensions (supported_versions).
   */
  readonly omitEmptyExtensions?: boolean;
}

/**
 * Writes a ServerHello handshake message (header included), TLS 1.3 or 1.2 by its fields.
 *
 * @throws RangeError when `random` is not 32 bytes or the session id is longer than 32 bytes.
 */
export function writeServerHello(sh: ServerHelloParams): Uint8Array {
  if (sh.random.length !== 32) throw new RangeError('writeServerHello: random must be 32 bytes');
  if (sh.legacySessionIdEcho.length > MAX_SESSION_ID_LENGTH) throw new RangeError('writeServerHello: session id longer than 32');
  return writeHandshake(HandshakeType.server_hello, (w: Writer) => {
    w.u16(sh.legacyVersion ?? ProtocolVersion.TLSv1_2).bytes(sh.random);
    w.vec8((w) => w.bytes(sh.legacySessionIdEcho)).u16(sh.cipherSuite).u8(0);
    if (!(sh.omitEmptyExtensions && sh.extensions.length === 0)) writeExtensions(w, sh.extensions);
  });
}

/** The fields {@link writeHelloRetryRequest} writes. */
export interface HelloRetryRequestParams {
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  /**
   * RFC 8446 §4.1.4: supported_versions (required), key_share (`selected_group`) and/or cookie,
   * in the order to send them.
   */
  readonly extensions: readonly Extension[];
}

/**
 * Writes a HelloRetryRequest: a ServerHello with {@link HELLO_RETRY_REQUEST_RANDOM} (RFC 8446
 * §4.1.4).
 *
 * @throws RangeError when the session id is longer than 32 bytes.
 */
export function writeHelloRetryRequest(hrr: HelloRetryRequestParams): Uint8Array {
  return writeServerHello({ ...hrr, random: HELLO_RETRY_REQUEST_RANDOM });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
