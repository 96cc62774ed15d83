/**
 * Alert protocol values (RFC 8446 §6, RFC 5246 §7.2) and THE one table mapping an error reason to
 * the alert it sends. Call sites name reasons, never alerts, so the two cannot drift apart.
 */

/** RFC 8446 §6 `enum { warning(1), fatal(2) } AlertLevel`. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** RFC 8446 §6 `AlertDescription` (plus no_renegotiation(100) from RFC 5246 §7.2.2). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
export type AlertDescriptionName = keyof typeof AlertDescription;
export type AlertDescription = (typeof AlertDescription)[AlertDescriptionName];

const ALERT_NAMES = new Map<number, AlertDescriptionName>(
  Object.entries(AlertDescription).map(([k, v]) => [v, k as AlertDescriptionName]),
);
/** The RFC name of an alert code, or `unknown(N)`. */
export function alertName(code: number): string {
  return ALERT_NAMES.get(code) ?? `unknown(${code})`;
}

/**
 * THE reason → alert table. Every `TlsError` is made from a reason listed here; its alert is
 * looked up, never passed in. `null`: no alert is sent (the peer's own alert, or a local close).
 * Keep each group sorted by reason name.
 */
export const REASON_ALERT = {
  // ---- decoding (RFC 8446 §6: decode_error "a message could not be decoded …") --------------
  TrailingData: 'decode_error',
  Truncated: 'decode_error',
  BadLength: 'decode_error',
  BadVectorLength: 'decode_error',
  EmptyVector: 'decode_error',
  MessageTooLarge: 'decode_error',
  InvalidEnumValue: 'decode_error',
  BadAlertMessage: 'decode_error',
  BadChangeCipherSpec: 'unexpected_message', // TLS 1.3: RFC 8446 §5 names unexpected_message
  MalformedChangeCipherSpec: 'decode_error', // TLS 1.2: RFC 5246 §7.1 "a single byte of value 1" (Go, rustls)
  EmptyHandshakeRecord: 'decode_error',
  EmptyAlertRecord: 'decode_error',
  // ---- record layer -----------------------------------------------------------------------
  UnknownContentType: 'unexpected_message',
  BadRecordVersion: 'protocol_version',
  RecordOverflow: 'record_overflow',
  CiphertextOverflow: 'record_overflow',
  PlaintextOverflow: 'record_overflow',
  DecryptFailed: 'bad_record_mac',
  AllZeroInnerPlaintext: 'unexpected_message',
  SequenceNumberExhausted: 'internal_error',
  MessageSpansKeyChange: 'unexpected_message',
  UnexpectedChangeCipherSpec: 'unexpected_message',
  UnexpectedApplicationData: 'unexpected_message',
  InterleavedHandshakeData: 'unexpected_message',
  TooManyEmptyRecords: 'unexpected_message',
  TooManyWarningAlerts: 'unexpected_message',
  UnexpectedPlaintextRecord: 'unexpected_message',
  TooMuchEarlyData: 'unexpected_message',
  // More bytes than a ClientHello flight while the handshake waits for the session store.
  TooMuchDataWhileWaiting: 'unexpected_message',
  // Too many KeyUpdates without application data in between: like OpenSSL's too-many-KeyUpdates
  // check (SSL_R_TOO_MANY_KEY_UPDATES → unexpected_message); the messages are valid, their number is not.
  TooManyKeyUpdates: 'unexpected_message',
  // ClientHello resource limits: a vector longer than we accept is "out of the specified range"
  // (RFC 8446 §6 decode_error), as for any `<min..max>` vector bound.
  ClientHelloTooLarge: 'decode_error',
  TooManyExtensions: 'decode_error',
  KeyUsageLimitReached: 'internal_error',
  // ---- handshake: unexpected messages ------------------------------------------------------
  UnexpectedMessage: 'unexpected_message',
  UnexpectedHandshakeMessage: 'unexpected_message',
  RenegotiationAttempted: 'unexpected_message',
  // ---- handshake: the peer sent something forbidden ----------------------------------------
  DuplicateExtension: 'illegal_parameter',
  IllegalParameter: 'illegal_parameter',
  InvalidKeyShare: 'illegal_parameter',
  DuplicateKeyShare: 'illegal_parameter',
  KeyShareGroupNotOffered: 'illegal_parameter',
  InvalidCompressionMethods: 'illegal_parameter',
  InvalidLegacyVersion: 'protocol_version',
  InvalidSessionId: 'illegal_parameter',
  PskNotLastExtension: 'illegal_parameter',
  PskIdentityBinderMismatch: 'illegal_parameter',
  SecondClientHelloChanged: 'illegal_parameter',
  HrrKeyShareNotFixed: 'illegal_parameter',
  KeyUpdateBadValue: 'illegal_parameter',
  UnsolicitedExtension: 'unsupported_extension',
  ExtensionNotAllowedHere: 'illegal_parameter',
  BadEarlyDataExtension: 'illegal_parameter',
  ResumedSuiteNotOffered: 'illegal_parameter',
  BadRecordSizeLimit: 'illegal_parameter',
  BadServerName: 'decode_error',
  EmptyAlpnProtocol: 'decode_error',
  DuplicateServerName: 'illegal_parameter', // RFC 6066 §3: one name per name_type
  BadMaxFragmentLength: 'illegal_parameter', // RFC 6066 §4
  // ---- handshake: cryptographic checks failed ----------------------------------------------
  BadFinished: 'decrypt_error',
  BadBinder: 'decrypt_error',
  BadSignature: 'decrypt_error',
  BadCookie: 'illegal_parameter',
  // ---- handshake: nothing in common --------------------------------------------------------
  NoCommonVersion: 'protocol_version',
  NoCommonCipherSuite: 'handshake_failure',
  NoCommonGroup: 'handshake_failure',
  NoCommonSignatureScheme: 'handshake_failure',
  NoCertificate: 'handshake_failure',
  NoApplicationProtocol: 'no_application_protocol',
  UnrecognizedName: 'unrecognized_name',
  MissingExtension: 'missing_extension',
  MissingKeyShareOrPsk: 'missing_extension',
  PskWithoutKeyExchangeModes: 'missing_extension',
  NoPskKeyExchangeMode: 'handshake_failure',
  ExtendedMasterSecretRequired: 'handshake_failure',
  ExtendedMasterSecretMismatch: 'handshake_failure',
  InsecureRenegotiation: 'handshake_failure',
  BadRenegotiationInfo: 'handshake_failure',
  InappropriateFallback: 'inappropriate_fallback',
  NoPointFormat: 'illegal_parameter',
  InsufficientSecurity: 'insufficient_security',
  HandshakeTimeout: null,
  // ---- not the peer's fault ----------------------------------------------------------------
  Internal: 'internal_error',
  CallbackFailed: 'internal_error',
  // ---- no alert to send --------------------------------------------------------------------
  AlertReceived: null,
  PeerClosed: null,
  LocalClose: null,
} as const satisfies Record<string, AlertDescriptionName | null>;

export type Reason = keyof typeof REASON_ALERT;
