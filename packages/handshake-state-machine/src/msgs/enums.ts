/**
 * Wire enums of the handshake protocol (RFC 8446 §4, RFC 5246 §7.4 and the IANA "TLS Parameters"
 * registries). Each is an `as const` object keyed by the RFC name with plain-number values, never a
 * TS `enum`: decoded fields are typed `number`, so GREASE and codes we do not know survive a decode
 * and can be compared, logged or ignored (rustls `enum_builder!`).
 */

/**
 * RFC 8446 §4 `enum { … (255) } HandshakeType;` plus the TLS 1.2 messages of RFC 5246 §7.4,
 * RFC 5077 (new_session_ticket) and RFC 6066 §8 (certificate_status).
 */
export const HandshakeType = {
  hello_request: 0, // TLS 1.2 only (RFC 5246 §7.4.1.1)
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12, // TLS 1.2 only
  certificate_request: 13,
  server_hello_done: 14, // TLS 1.2 only
  certificate_verify: 15,
  client_key_exchange: 16, // TLS 1.2 only
  finished: 20,
  certificate_status: 22, // TLS 1.2 only (RFC 6066 §8)
  key_update: 24,
  message_hash: 254, // synthetic, never on the wire (RFC 8446 §4.4.1)
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/**
 * RFC 8446 §4.2 `enum { … (65535) } ExtensionType;` plus the TLS 1.2-era extensions a server
 * meets in practice (IANA "TLS ExtensionType Values").
 */
export const ExtensionType = {
  server_name: 0, // RFC 6066 §3
  max_fragment_length: 1, // RFC 6066 §4
  status_request: 5, // RFC 6066 §8
  supported_groups: 10, // RFC 8422 §5.1.1, RFC 7919
  ec_point_formats: 11, // RFC 8422 §5.1.2
  signature_algorithms: 13, // RFC 8446 §4.2.3
  use_srtp: 14, // RFC 5764
  heartbeat: 15, // RFC 6520
  application_layer_protocol_negotiation: 16, // RFC 7301
  signed_certificate_timestamp: 18, // RFC 6962
  client_certificate_type: 19, // RFC 7250
  server_certificate_type: 20, // RFC 7250
  padding: 21, // RFC 7685
  encrypt_then_mac: 22, // RFC 7366
  extended_master_secret: 23, // RFC 7627
  compress_certificate: 27, // RFC 8879
  record_size_limit: 28, // RFC 8449
  delegated_credential: 34, // RFC 9345
  session_ticket: 35, // RFC 5077
  pre_shared_key: 41, // RFC 8446 §4.2.11
  early_data: 42, // RFC 8446 §4.2.10
  supported_versions: 43, // RFC 8446 §4.2.1
  cookie: 44, // RFC 8446 §4.2.2
  psk_key_exchange_modes: 45, // RFC 8446 §4.2.9
  certificate_authorities: 47, // RFC 8446 §4.2.4
  oid_filters: 48, // RFC 8446 §4.2.5
  post_handshake_auth: 49, // RFC 8446 §4.2.6
  signature_algorithms_cert: 50, // RFC 8446 §4.2.3
  key_share: 51, // RFC 8446 §4.2.8
  quic_transport_parameters: 57, // RFC 9001
  encrypted_client_hello: 0xfe0d, // draft-ietf-tls-esni
  renegotiation_info: 0xff01, // RFC 5746 §3.2
} as const;
export type ExtensionType = (typeof ExtensionType)[keyof typeof ExtensionType];

/**
 * RFC 8446 §B.4 (TLS 1.3 suites) and the TLS 1.2 ECDHE AEAD suites (RFC 5289, RFC 7905), plus the
 * two signalling values: RFC 5746 §3.3 `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` and RFC 7507 §2
 * `TLS_FALLBACK_SCSV`.
 */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
export type CipherSuite = (typeof CipherSuite)[keyof typeof CipherSuite];

/** RFC 8446 §4.2.7 `enum { … (0xFFFF) } NamedGroup;` plus the hybrid ML-KEM groups (IANA). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;
export type NamedGroup = (typeof NamedGroup)[keyof typeof NamedGroup];

/** RFC 8446 §4.2.3 `enum { … (0xFFFF) } SignatureScheme;` (the TLS 1.2 pairs share the codes). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** `uint16 ProtocolVersion;` values (RFC 8446 §4.2.1, RFC 5246 §6.2.1, RFC 8996). */
export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion];

/** RFC 8446 §4.2.9 `enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;` */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export type PskKeyExchangeMode = (typeof PskKeyExchangeMode)[keyof typeof PskKeyExchangeMode];

/** RFC 8446 §4.6.3 `enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;` */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;
export type KeyUpdateRequest = (typeof KeyUpdateRequest)[keyof typeof KeyUpdateRequest];

/** RFC 8422 §5.1.2 `enum { uncompressed (0), deprecated (1..2), reserved (248..255) } ECPointFormat;` */
export const ECPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const;
export type ECPointFormat = (typeof ECPointFormat)[keyof typeof ECPointFormat];

/** RFC 8422 §5.4 `enum { explicit_prime(1), explicit_char2(2), named_curve(3), (255) } ECCurveType;` */
export const ECCurveType = { named_curve: 3 } as const;

/** RFC 6066 §8 `enum { ocsp(1), (255) } CertificateStatusType;` */
export const CertificateStatusType = { ocsp: 1 } as const;

/** RFC 6066 §3 `enum { host_name(0), (255) } NameType;` */
export const NameType = { host_name: 0 } as const;

/** RFC 5246 §7.4.1.2 `enum { null(0), (255) } CompressionMethod;` */
export const CompressionMethod = { null: 0 } as const;

/** RFC 5246 §7.4.4 `enum { rsa_sign(1), …, ecdsa_sign(64), (255) } ClientCertificateType;` */
export const ClientCertificateType = { rsa_sign: 1, dss_sign: 2, ecdsa_sign: 64 } as const;

/**
 * RFC 8701 §2 GREASE check for the 16-bit code spaces (cipher suites, extensions, named groups,
 * signature algorithms, versions): the 16 values `0x?A?A` whose two bytes are equal
 * (0x0A0A, 0x1A1A, …, 0xFAFA). "Servers MUST NOT negotiate any GREASE value when offered".
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >>> 8 === (value & 0xff);
}

/**
 * RFC 8701 §2 GREASE values of the 8-bit `PskKeyExchangeMode` space: 0x0B, 0x2A, 0x49, 0x68, 0x87,
 * 0xA6, 0xC5, 0xE4 (`0x1F * n + 0x0B`).
 */
export function isGreasePskMode(value: number): boolean {
  return value >= 0x0b && value <= 0xe4 && (value - 0x0b) % 0x1f === 0;
}

/**
 * The RFC name of `value` in one of the enum objects above, or `unknown(0x…)` (with `GREASE`
 * for GREASE values), for logs and error messages.
 */
export function enumName(table: Readonly<Record<string, number>>, value: number): string {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  const hex = `0x${value.toString(16).padStart(4, '0')}`;
  return isGrease(value) ? `GREASE(${hex})` : `unknown(${hex})`;
}
