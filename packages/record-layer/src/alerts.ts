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
/** An alert description by its RFC 8446 §6 name (`unexpected_message`, `decode_error`, …). */
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
 * looked up, never passed in. `null`: no alert is sent (the peer's own alert ended the connection).
 * Each row was checked against the alert definitions of RFC 8446 §6.2 and RFC 5246 §7.2; where an
 * RFC sentence names the alert it is cited, elsewhere the §6.2 definition that fits is. Each
 * reason's stable `TlsError.code` is `ERR_TLS_` + its name in upper snake case ({@link reasonCode}).
 * Keep each group sorted by topic; README.md lists the table.
 */
export const REASON_ALERT = {
  // ---- decoding: RFC 8446 §6.2 decode_error "A message could not be decoded because some field
  //      was out of the specified range or the length of the message was incorrect. This alert is
  //      used for errors where the message does not conform to the formal protocol syntax." ------
  TrailingData: 'decode_error',
  Truncated: 'decode_error',
  BadLength: 'decode_error',
  BadVectorLength: 'decode_error',
  EmptyVector: 'decode_error',
  // A handshake message longer than its type's syntax allows (a ClientHello over 131,396 bytes, a
  // Finished over 48, a header claiming 2^24-1), or than a bound the operator configured below it.
  // Nothing that long can conform to the formal syntax: decode_error, not OpenSSL's
  // illegal_parameter, which §6.2 reserves for "errors which conform to the formal protocol syntax".
  MessageTooLarge: 'decode_error',
  // An alert record of one or three or more bytes, or a level other than warning(1) / fatal(2):
  // RFC 8446 §5.1 "a record with an Alert type MUST contain exactly one message".
  BadAlertMessage: 'decode_error',
  // RFC 7301 §3.1: "Empty strings MUST NOT be included" — outside `opaque ProtocolName<1..2^8-1>`.
  EmptyAlpnProtocol: 'decode_error',
  // ---- records ------------------------------------------------------------------------------
  // RFC 8446 §5.4: "Implementations MUST NOT send Handshake and Alert records that have a
  // zero-length TLSInnerPlaintext.content; if such a message is received, the receiving
  // implementation MUST terminate the connection with an "unexpected_message" alert." TLS 1.2
  // forbids them too (RFC 5246 §6.2.1) without naming an alert; we send the same (as OpenSSL).
  EmptyAlertRecord: 'unexpected_message',
  EmptyHandshakeRecord: 'unexpected_message',
  // RFC 8446 §5: a change_cipher_spec record other than the single byte 0x01, or a protected one,
  // "MUST abort the handshake with an "unexpected_message" alert". TLS 1.2's ChangeCipherSpec is
  // the same single byte (RFC 5246 §7.1): unexpected_message too, as OpenSSL sends.
  BadChangeCipherSpec: 'unexpected_message',
  // RFC 8446 §5: "If a TLS implementation receives an unexpected record type, it MUST terminate
  // the connection with an "unexpected_message" alert."
  UnknownContentType: 'unexpected_message',
  UnexpectedPlaintextRecord: 'unexpected_message',
  // RFC 5246 §6.2.1 / RFC 8446 §5.1: the record version; protocol_version "The protocol version
  // the peer has attempted to negotiate is recognized but not supported" (RFC 8446 §6.2).
  BadRecordVersion: 'protocol_version',
  // RFC 8446 §5.1: a TLSPlaintext over 2^14 bytes; §5.2: a TLSCiphertext over 2^14 + 256; §5.4 and
  // RFC 8449 §4: an inner plaintext over 2^14 + 1 or our record_size_limit — "MUST terminate the
  // connection with a "record_overflow" alert".
  RecordOverflow: 'record_overflow',
  CiphertextOverflow: 'record_overflow',
  PlaintextOverflow: 'record_overflow',
  // RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the connection with a
  // "bad_record_mac" alert."
  DecryptFailed: 'bad_record_mac',
  // RFC 8446 §5.4: "If a receiving implementation does not find a non-zero octet in the cleartext,
  // it MUST terminate the connection with an "unexpected_message" alert."
  AllZeroInnerPlaintext: 'unexpected_message',
  // RFC 8446 §5.1: messages before a key change must end at a record boundary, "If not, then it
  // MUST terminate the connection with an "unexpected_message" alert."
  MessageSpansKeyChange: 'unexpected_message',
  // RFC 8446 §5.1: "if a handshake message is split over two or more records, there MUST NOT be
  // any other records between them" — an inappropriate message (§6.2 unexpected_message).
  InterleavedHandshakeData: 'unexpected_message',
  // RFC 8446 §6.2 unexpected_message: "An inappropriate message (e.g., the wrong handshake
  // message, premature Application Data, etc.) was received."
  UnexpectedChangeCipherSpec: 'unexpected_message',
  UnexpectedApplicationData: 'unexpected_message',
  // RFC 8446 §4.2.10: "A server receiving more than max_early_data_size bytes of 0-RTT data SHOULD
  // terminate the connection with an "unexpected_message" alert."
  TooMuchEarlyData: 'unexpected_message',
  // ---- floods: valid messages, too many of them (the same alert OpenSSL sends for each) ------
  // Records without content in a row (OpenSSL MAX_EMPTY_RECORDS, SSL_R_RECORD_TOO_SMALL).
  TooManyEmptyRecords: 'unexpected_message',
  // Warning alerts in a row (OpenSSL MAX_WARN_ALERT_COUNT, SSL_R_TOO_MANY_WARN_ALERTS; CVE-2016-8610).
  TooManyWarningAlerts: 'unexpected_message',
  // KeyUpdates without application data in between (OpenSSL SSL_R_TOO_MANY_KEY_UPDATES).
  TooManyKeyUpdates: 'unexpected_message',
  // More bytes than a ClientHello flight while the handshake waits for the session store.
  TooMuchDataWhileWaiting: 'unexpected_message',
  // More than MAX_REFUSED_RENEGOTIATIONS TLS 1.2 renegotiation attempts, each refused with a
  // no_renegotiation warning (RFC 5746 §4.4).
  RenegotiationAttempted: 'unexpected_message',
  // ---- handshake: unexpected messages -------------------------------------------------------
  // RFC 8446 §6.2 unexpected_message (a message of the wrong type for the state, or one no server
  // state accepts); RFC 8446 §4.1.2 for a ClientHello after the handshake.
  UnexpectedHandshakeMessage: 'unexpected_message',
  // ---- handshake: a field the syntax allows but the rules do not (RFC 8446 §6.2 illegal_parameter
  //      "A field in the handshake was incorrect or inconsistent with other fields.") --------------
  // RFC 8446 §4.2 "There MUST NOT be more than one extension of the same type in a given extension block."
  DuplicateExtension: 'illegal_parameter',
  // A generic field error of the peer (a ServerKeyExchange curve type other than named_curve).
  IllegalParameter: 'illegal_parameter',
  // RFC 8446 §4.2.8.2 / RFC 8422 §5.11: a public value that is not a valid point (or of the wrong
  // length for its group), §7.4.2 an all-zero X25519 secret.
  InvalidKeyShare: 'illegal_parameter',
  // RFC 8446 §4.2.8: "Servers MAY check for violations of these rules and abort the handshake with
  // an "illegal_parameter" alert if one is violated." (one share per group; groups offered)
  DuplicateKeyShare: 'illegal_parameter',
  KeyShareGroupNotOffered: 'illegal_parameter',
  // RFC 8446 §4.1.2: "If a TLS 1.3 ClientHello is received with any other value in this field, the
  // server MUST abort the handshake with an "illegal_parameter" alert."; RFC 5246 §7.4.1.2 requires
  // null in TLS 1.2.
  InvalidCompressionMethods: 'illegal_parameter',
  // RFC 8446 §4.2.11: "Servers MUST check that it is the last extension and otherwise fail the
  // handshake with an "illegal_parameter" alert."
  PskNotLastExtension: 'illegal_parameter',
  // RFC 8446 §4.2.11: identities and binders must pair up (one binder per identity).
  PskIdentityBinderMismatch: 'illegal_parameter',
  // RFC 8446 §4.1.2: the second ClientHello is the first "without modification, except" the
  // listed changes; §4.1.4 the same cipher suite; §4.2.8 the one share the HelloRetryRequest named;
  // §4.2.2 our cookie echoed (and none when we sent none).
  SecondClientHelloChanged: 'illegal_parameter',
  HrrKeyShareNotFixed: 'illegal_parameter',
  BadCookie: 'illegal_parameter',
  // RFC 8446 §4.6.3: "If an implementation receives any other value [of request_update], it MUST
  // terminate the connection with an "illegal_parameter" alert."
  KeyUpdateBadValue: 'illegal_parameter',
  // RFC 5246 §7.4.1.2: a resuming client "MUST include at least the cipher_suite from that session".
  ResumedSuiteNotOffered: 'illegal_parameter',
  // RFC 8449 §4: "An endpoint MUST treat receipt of a smaller value as a fatal error and generate
  // an "illegal_parameter" alert."
  BadRecordSizeLimit: 'illegal_parameter',
  // RFC 6066 §3: HostName is "the fully qualified DNS hostname of the server … represented as a byte
  // string using ASCII encoding without a trailing dot"; control characters, non-ASCII bytes, a
  // trailing dot or more than 253 bytes conform to `opaque HostName<1..2^16-1>` but not to that.
  BadServerName: 'illegal_parameter',
  // RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."
  DuplicateServerName: 'illegal_parameter',
  // RFC 6066 §4: for a value other than the allowed values the server "MUST abort the handshake
  // with an "illegal_parameter" alert".
  BadMaxFragmentLength: 'illegal_parameter',
  // RFC 8422 §5.1.2: without the uncompressed point format "the server MUST abort the handshake and
  // return an illegal_parameter alert".
  NoPointFormat: 'illegal_parameter',
  // ---- handshake: versions ------------------------------------------------------------------
  // RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
  // … set to 0x0300 MUST abort the handshake with a "protocol_version" alert." (and below).
  InvalidLegacyVersion: 'protocol_version',
  // RFC 8446 §4.2.1: "If the "supported_versions" extension in the ClientHello contains no
  // versions acceptable to the server, the server MUST abort the handshake with a
  // "protocol_version" alert."; RFC 5246 §E.1 likewise for client_version.
  NoCommonVersion: 'protocol_version',
  // RFC 7507 §3: "the server MUST respond with a fatal inappropriate_fallback alert".
  InappropriateFallback: 'inappropriate_fallback',
  // ---- handshake: cryptographic checks failed -----------------------------------------------
  // RFC 8446 §4.4.4: "… if incorrect MUST terminate the connection with a "decrypt_error" alert."
  BadFinished: 'decrypt_error',
  // RFC 8446 §4.2.11: "If the server cannot validate the binder … it MUST abort the handshake with
  // a "decrypt_error" alert."
  BadBinder: 'decrypt_error',
  // ---- handshake: nothing in common (RFC 8446 §6.2 handshake_failure "unable to negotiate an
  //      acceptable set of security parameters given the options available") ------------------
  // RFC 8446 §4.1.1: "If the server is unable to negotiate a supported set of parameters … it MUST
  // abort the handshake with either a "handshake_failure" or "insufficient_security" fatal alert".
  NoCommonCipherSuite: 'handshake_failure',
  NoCommonGroup: 'handshake_failure',
  // RFC 8446 §4.4.2.2 / RFC 5246 §7.4.1.4.1: no certificate the client's signature_algorithms (or,
  // in TLS 1.2 without the extension, its implied {sha1,rsa}/{sha1,ecdsa}) lets us sign with.
  NoCommonSignatureScheme: 'handshake_failure',
  // RFC 7301 §3.2: "the server MUST respond with a fatal "no_application_protocol" alert".
  NoApplicationProtocol: 'no_application_protocol',
  // RFC 8446 §9.2: "If an implementation receives a ClientHello without these mandatory extensions
  // it MUST abort the handshake with a "missing_extension" alert." (signature_algorithms,
  // supported_groups with key_share, or pre_shared_key)
  MissingExtension: 'missing_extension',
  MissingKeyShareOrPsk: 'missing_extension',
  // RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
  // extension, servers MUST abort the handshake."; missing_extension per §9.2.
  PskWithoutKeyExchangeModes: 'missing_extension',
  // RFC 7627 §5.2: a server that requires the extension "MUST abort the handshake"; §5.3 resuming
  // an EMS session without it: "the server MUST abort the abbreviated handshake" (handshake_failure).
  ExtendedMasterSecretRequired: 'handshake_failure',
  ExtendedMasterSecretMismatch: 'handshake_failure',
  // RFC 5746 §3.6: a non-empty renegotiated_connection: "the server MUST abort the handshake"
  // ("by sending a fatal handshake_failure alert").
  BadRenegotiationInfo: 'handshake_failure',
  // ---- client authentication (RFC 8446 §4.3.2, §4.4.2–§4.4.3; RFC 5246 §7.4.4, §7.4.6, §7.4.8) ---
  // RFC 8446 §4.4.2.4: "If the client does not send any certificates (i.e., it sends an empty
  // Certificate message), the server MAY at its discretion either continue the handshake without
  // client authentication or abort the handshake with a "certificate_required" alert."
  ClientCertificateRequired: 'certificate_required',
  // RFC 5246 §7.4.6: "If the client does not send any certificates, the server MAY at its
  // discretion either continue the handshake without client authentication, or respond with a
  // fatal handshake_failure alert."
  NoClientCertificate: 'handshake_failure',
  // RFC 8446 §4.4.2.4 / RFC 5246 §7.4.6: "if some aspect of the certificate chain was unacceptable
  // (e.g., it was not signed by a known, trusted CA), the server MAY at its discretion either
  // continue the handshake (considering the client unauthenticated) or abort the handshake." The
  // alert is the RFC 8446 §6.2 definition that fits the first verification error, as OpenSSL's
  // `ssl_x509err2alert` chooses it (one reason per alert; the error itself is in the message).
  ClientCertificateBad: 'bad_certificate',
  ClientCertificateUnsupported: 'unsupported_certificate',
  ClientCertificateRevoked: 'certificate_revoked',
  ClientCertificateExpired: 'certificate_expired',
  ClientCertificateUnknown: 'certificate_unknown',
  ClientCertificateUnknownCa: 'unknown_ca',
  ClientCertificateBadSignature: 'decrypt_error',
  ClientCertificateUnverifiable: 'internal_error',
  // A client certificate that is not DER (RFC 8446 §6.2 decode_error "A message could not be
  // decoded"; OpenSSL: d2i_X509 failure → decode_error).
  MalformedClientCertificate: 'decode_error',
  // RFC 8446 §4.4.2: certificate_request_context "If this message is in response to a
  // CertificateRequest, the value of certificate_request_context in that message" (empty in the
  // handshake) — a field inconsistent with another (§6.2 illegal_parameter; OpenSSL's too).
  ClientCertificateContextMismatch: 'illegal_parameter',
  // RFC 8446 §4.4.2: "The extensions in the Certificate message from the client MUST correspond to
  // extensions in the CertificateRequest message from the server"; §4.2: an extension not
  // requested → "it MUST abort the handshake with an "unsupported_extension" alert".
  UnrequestedCertificateExtension: 'unsupported_extension',
  // RFC 8446 §4.4.3: "If the verification fails, the receiver MUST terminate the handshake with a
  // "decrypt_error" alert."; RFC 5246 §7.4.8 (the client's CertificateVerify) likewise (§7.2.2
  // decrypt_error "a signature could not be correctly verified").
  BadCertificateVerify: 'decrypt_error',
  // RFC 8446 §4.4.3 / RFC 5246 §7.4.8: the algorithm "MUST be one of those present in the
  // supported_signature_algorithms field" of our CertificateRequest, and usable with the
  // certificate's key (RFC 8446 §4.2.3: ECDSA schemes name their curve) — a field inconsistent
  // with another (§6.2 illegal_parameter, as OpenSSL's tls12_check_peer_sigalg).
  CertificateVerifySchemeNotOffered: 'illegal_parameter',
  CertificateVerifySchemeKeyMismatch: 'illegal_parameter',
  // ---- external PSKs (RFC 4279, RFC 5489; RFC 8446 §4.2.11) ---------------------------------
  // RFC 4279 §2: "If the server does not recognize the PSK identity, it MAY respond with an
  // "unknown_psk_identity" alert message." (TLS 1.2 PSK suites; OpenSSL sends it.)
  UnknownPskIdentity: 'unknown_psk_identity',
  // RFC 4279 §5.3: identities up to 2^16-1 bytes, but OpenSSL reads at most PSK_MAX_IDENTITY_LEN
  // (256) and answers a longer one with handshake_failure; so do we.
  PskIdentityTooLong: 'handshake_failure',
  // The application's external PSK lookup threw or answered with something that is no key.
  ExternalPskCallbackFailed: 'internal_error',
  // ---- not the peer's fault: RFC 8446 §6.2 internal_error "An internal error unrelated to the peer
  //      or the correctness of the protocol" --------------------------------------------------
  Internal: 'internal_error',
  // RFC 8446 §5.5 / §5.3: a key that may protect no more records, a sequence number about to wrap.
  SequenceNumberExhausted: 'internal_error',
  KeyUsageLimitReached: 'internal_error',
  // ---- no alert to send ---------------------------------------------------------------------
  // RFC 8446 §6: "Upon receiving an error alert, the TLS implementation … MUST NOT allow any
  // further data to be sent or received on the connection."
  AlertReceived: null,
  // close_notify during the handshake (answered with our own close_notify, no error alert).
  PeerClosed: null,
} as const satisfies Record<string, AlertDescriptionName | null>;

/** Why a connection failed: a row of `REASON_ALERT`, which names the alert each reason sends (one place). */
export type Reason = keyof typeof REASON_ALERT;

/**
 * The stable code of a reason: `ERR_TLS_` + the reason in upper snake case
 * (`TrailingData` → `ERR_TLS_TRAILING_DATA`), like undici's `UND_ERR_*`.
 */
export function reasonCode(reason: Reason): `ERR_TLS_${string}` {
  return `ERR_TLS_${reason.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c).toUpperCase()}`;
}
