/**
 * Record-layer wire constants and limits (RFC 8446 §5.1, RFC 5246 §6.2).
 *
 * ```
 * struct {
 *     ContentType type;
 *     ProtocolVersion legacy_record_version;
 *     uint16 length;
 *     opaque fragment[TLSPlaintext.length];
 * } TLSPlaintext;
 * ```
 */

/** RFC 8446 §5.1 `enum { invalid(0), change_cipher_spec(20), alert(21), handshake(22), application_data(23) } ContentType`. */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** True for the four content types this layer knows (heartbeat(24) and anything else are unknown). */
export function isKnownContentType(t: number): t is ContentType {
  return t >= 20 && t <= 23;
}

/** The protocol versions the engine speaks, by the names used throughout puretls. */
export type TlsVersion = 'tls12' | 'tls13';

/** `ProtocolVersion` codepoints that appear in record headers. */
export const ProtocolVersion = { TLSv1_0: 0x0301, TLSv1_2: 0x0303, TLSv1_3: 0x0304 } as const;

/** Size of `TLSPlaintext` / `TLSCiphertext` headers: type(1) ‖ legacy_record_version(2) ‖ length(2). */
export const RECORD_HEADER_LENGTH = 5;
/** RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes." (RFC 5246 §6.2.1 likewise.) */
export const MAX_PLAINTEXT = 2 ** 14;
/** RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes." */
export const MAX_CIPHERTEXT_TLS13 = 2 ** 14 + 256;
/** RFC 5246 §6.2.3: "The length MUST NOT exceed 2^14 + 2048." */
export const MAX_CIPHERTEXT_TLS12 = 2 ** 14 + 2048;
/** The largest record this layer ever buffers (header included). */
export const MAX_RECORD_LENGTH = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_TLS12;
/** Size of a handshake message header: msg_type(1) ‖ length(3) (RFC 8446 §4). */
export const HANDSHAKE_HEADER_LENGTH = 4;
/**
 * The largest handshake message body the `uint24 length` field can announce (RFC 8446 §4): the
 * record layer's default bound. A server bounds each message type far lower, by what its syntax
 * allows (`RecordLayerOptions.handshakeMessageLimit`).
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 2 ** 24 - 1;
/**
 * Consecutive records that produce nothing (empty application data, TLS 1.3 compatibility CCS,
 * ignored warnings) before the peer is considered to be spinning us (Go `maxUselessRecords` = 16).
 */
export const MAX_USELESS_RECORDS = 32;
/** Consecutive non-close_notify warning alerts tolerated (RFC 5246 §7.2 allows warnings; a flood is not). */
export const MAX_WARNING_ALERTS = 4;
/** RFC 8449 §4: "… a value less than 64 MUST be treated as a fatal error". Upper bound: 2^14 (+1 in TLS 1.3). */
export const MIN_RECORD_SIZE_LIMIT = 64;

/**
 * One record as framed on the wire. All three arrays are views into the received chunk (or into a
 * buffer the reader allocated for a record that spanned chunks): nothing is copied.
 */
export interface TlsRecord {
  /** `ContentType` of the header (the outer type for protected TLS 1.3 records). */
  readonly type: ContentType;
  /** `legacy_record_version` as received. */
  readonly version: number;
  /** The 5-byte header (TLS 1.3 uses it as the AEAD additional data). */
  readonly header: Uint8Array;
  /** `TLSPlaintext.fragment` / `TLSCiphertext.encrypted_record`. */
  readonly fragment: Uint8Array;
}
