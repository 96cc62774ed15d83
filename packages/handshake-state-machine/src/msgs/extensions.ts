/**
 * Extension blocks (RFC 8446 §4.2) and the codecs of the small extensions. Larger ones have their
 * own files: `server-name.ts`, `key-share.ts`, `pre-shared-key.ts`.
 *
 * Readers take the extension's `extension_data` and must consume all of it (trailing bytes →
 * `TrailingData`, decode_error). Writers return a ready `Extension` to put in a message's list,
 * so a message writer controls the order (RFC 8448 replays need the exact order).
 */
import { Reader, TlsError, Writer } from '@puretls/record-layer';
import { ExtensionType } from './enums';

// RFC 8446 §4.2  struct {
//   ExtensionType extension_type;
//   opaque extension_data<0..2^16-1>;
// } Extension;
/** One extension as on the wire. `data` is a view into the message (copy it to keep it). */
export interface Extension {
  /** `extension_type`: an `ExtensionType` value, or unknown / GREASE. */
  readonly type: number;
  /** `extension_data`. */
  readonly data: Uint8Array;
}

/** Bounds of the enclosing `Extension extensions<min..max>` vector, which differs per message. */
export interface ExtensionsBounds {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Reads `Extension extensions<min..2^16-1>` at the position of `r`: a 2-byte length then a list
 * of extensions, kept raw and in order (unknown and GREASE types included).
 *
 * RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension
 * block." Linear in the block (up to 16,383 empty extensions fit): one view and one set entry per
 * extension, no per-extension reader.
 *
 * @throws TlsError `DuplicateExtension` (illegal_parameter) for a repeated type;
 *   `Truncated`/`BadVectorLength`/`EmptyVector` (decode_error) for bad lengths.
 */
export function readExtensions(r: Reader, what: string, bounds: ExtensionsBounds = {}): Extension[] {
  const list = r.vec16(bounds);
  const seen = new Set<number>();
  const out: Extension[] = [];
  while (!list.done) {
    const type = list.u16();
    const data = list.bytes(list.u16());
    if (seen.has(type)) throw new TlsError('DuplicateExtension', `${what}: extension ${type} appears twice`);
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

/**
 * Writes `Extension extensions<0..2^16-1>` (the 2-byte length and each extension, in order).
 *
 * @throws TypeError when two extensions share a type (our caller's bug, RFC 8446 §4.2).
 * @throws TlsError `Internal` (internal_error) when the block exceeds 2^16-1 bytes.
 */
export function writeExtensions(w: Writer, extensions: readonly Extension[]): void {
  const seen = new Set<number>();
  w.vec16((w) => {
    for (const e of extensions) {
      if (seen.has(e.type)) throw new TypeError(`writeExtensions: extension ${e.type} appears twice`);
      seen.add(e.type);
      w.u16(e.type).vec16((w) => w.bytes(e.data));
    }
  });
}

/** The first extension of `type` in `extensions`, or `undefined`. */
export function findExtension(extensions: readonly Extension[], type: number): Extension | undefined {
  return extensions.find((e) => e.type === type);
}

/** Builds an `Extension` whose data is what `body` writes. */
export function makeExtension(type: number, body: (w: Writer) => void): Extension {
  const w = new Writer(64);
  body(w);
  return { type, data: w.finish() };
}

/** Runs `f` over a reader on `data` and requires every byte to be consumed. */
function readAll<T>(data: Uint8Array, what: string, f: (r: Reader) => T): T {
  return new Reader(data, what).all(what, f);
}

// ---- empty extensions ----------------------------------------------------------------------

/**
 * Reads an extension whose `extension_data` must be empty: early_data in ClientHello and
 * EncryptedExtensions (RFC 8446 §4.2.10), extended_master_secret (RFC 7627 §5.1),
 * encrypt_then_mac (RFC 7366 §2), post_handshake_auth (RFC 8446 §4.2.6).
 *
 * @throws TlsError `TrailingData` (decode_error) when it is not empty.
 */
export function readEmptyExtension(data: Uint8Array, what: string): true {
  if (data.length !== 0) throw new TlsError('TrailingData', `${what}: extension_data must be empty, has ${data.length} bytes`);
  return true;
}

/** An extension with empty `extension_data` (e.g. early_data in EncryptedExtensions). */
export function writeEmptyExtension(type: number): Extension {
  return { type, data: new Uint8Array(0) };
}

// ---- supported_groups, signature_algorithms(_cert) ----------------------------------------

// RFC 8446 §4.2.7  struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;
/**
 * Reads supported_groups (client's list, in preference order, GREASE kept).
 *
 * @throws TlsError `EmptyVector`/`BadVectorLength`/`TrailingData` (decode_error).
 */
export function readSupportedGroups(data: Uint8Array): number[] {
  return readAll(data, 'supported_groups', (r) => r.vec16({ min: 2, elem: 2 }).u16s());
}

/** Writes supported_groups (sent by a server only in TLS 1.3 EncryptedExtensions). */
export function writeSupportedGroups(groups: readonly number[]): Extension {
  return makeExtension(ExtensionType.supported_groups, (w) => w.vec16((w) => groups.forEach((g) => w.u16(g))));
}

// RFC 8446 §4.2.3  struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
/**
 * Reads signature_algorithms or signature_algorithms_cert (same shape, RFC 8446 §4.2.3; TLS 1.2
 * `SignatureAndHashAlgorithm` pairs share the 16-bit codes, RFC 5246 §7.4.1.4.1).
 *
 * @throws TlsError `EmptyVector`/`BadVectorLength`/`TrailingData` (decode_error).
 */
export function readSignatureSchemeList(data: Uint8Array, what = 'signature_algorithms'): number[] {
  return readAll(data, what, (r) => r.vec16({ min: 2, max: 0xfffe, elem: 2 }).u16s());
}

/** Writes signature_algorithms (`type` = 13) or signature_algorithms_cert (`type` = 50). */
export function writeSignatureSchemeList(
  schemes: readonly number[],
  type: number = ExtensionType.signature_algorithms,
): Extension {
  return makeExtension(type, (w) => w.vec16((w) => schemes.forEach((s) => w.u16(s))));
}

// ---- supported_versions --------------------------------------------------------------------

// RFC 8446 §4.2.1  struct { select (Handshake.msg_type) {
//   case client_hello: ProtocolVersion versions<2..254>;
//   case server_hello: /* and HelloRetryRequest */ ProtocolVersion selected_version; }; } SupportedVersions;
/**
 * Reads the ClientHello form of supported_versions (preference order, GREASE kept).
 *
 * @throws TlsError `EmptyVector`/`BadVectorLength`/`TrailingData` (decode_error).
 */
export function readSupportedVersionsClientHello(data: Uint8Array): number[] {
  return readAll(data, 'supported_versions', (r) => r.vec8({ min: 2, max: 254, elem: 2 }).list((r) => r.u16()));
}

/** Writes the ClientHello form of supported_versions. */
export function writeSupportedVersionsClientHello(versions: readonly number[]): Extension {
  return makeExtension(ExtensionType.supported_versions, (w) => w.vec8((w) => versions.forEach((v) => w.u16(v))));
}

/**
 * Reads the ServerHello / HelloRetryRequest form of supported_versions.
 *
 * @throws TlsError `Truncated`/`TrailingData` (decode_error).
 */
export function readSupportedVersionsServerHello(data: Uint8Array): number {
  return readAll(data, 'supported_versions', (r) => r.u16());
}

/** Writes the ServerHello / HelloRetryRequest form of supported_versions (`0x0304`). */
export function writeSupportedVersionsServerHello(version: number): Extension {
  return makeExtension(ExtensionType.supported_versions, (w) => w.u16(version));
}

// ---- psk_key_exchange_modes ---------------------------------------------------------------

// RFC 8446 §4.2.9  struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
/**
 * Reads psk_key_exchange_modes (unknown and GREASE modes kept).
 *
 * @throws TlsError `EmptyVector`/`TrailingData` (decode_error).
 */
export function readPskKeyExchangeModes(data: Uint8Array): number[] {
  return readAll(data, 'psk_key_exchange_modes', (r) => r.vec8({ min: 1 }).list((r) => r.u8()));
}

/** Writes psk_key_exchange_modes. */
export function writePskKeyExchangeModes(modes: readonly number[]): Extension {
  return makeExtension(ExtensionType.psk_key_exchange_modes, (w) => w.vec8((w) => modes.forEach((m) => w.u8(m))));
}

// ---- early_data ---------------------------------------------------------------------------

// RFC 8446 §4.2.10  struct {} Empty;
//   struct { select (Handshake.msg_type) {
//     case new_session_ticket:   uint32 max_early_data_size;
//     case client_hello:         Empty;
//     case encrypted_extensions: Empty; }; } EarlyDataIndication;
/**
 * Reads the NewSessionTicket form of early_data: `max_early_data_size`. (The ClientHello and
 * EncryptedExtensions forms are empty: {@link readEmptyExtension}.)
 *
 * @throws TlsError `Truncated`/`TrailingData` (decode_error).
 */
export function readEarlyDataNewSessionTicket(data: Uint8Array): number {
  return readAll(data, 'early_data', (r) => r.u32());
}

/** Writes early_data for NewSessionTicket (`max_early_data_size`) or, without argument, the empty form. */
export function writeEarlyData(maxEarlyDataSize?: number): Extension {
  if (maxEarlyDataSize === undefined) return writeEmptyExtension(ExtensionType.early_data);
  return makeExtension(ExtensionType.early_data, (w) => w.u32(maxEarlyDataSize));
}

// ---- cookie ------------------------------------------------------------------------------

// RFC 8446 §4.2.2  struct { opaque cookie<1..2^16-1>; } Cookie;
/**
 * Reads cookie (a view into the message).
 *
 * @throws TlsError `EmptyVector`/`TrailingData` (decode_error).
 */
export function readCookie(data: Uint8Array): Uint8Array {
  return readAll(data, 'cookie', (r) => r.vec16({ min: 1 }).rest());
}

/**
 * Writes cookie (HelloRetryRequest).
 *
 * @throws RangeError when `cookie` is empty or longer than 2^16-3 bytes (API misuse).
 */
export function writeCookie(cookie: Uint8Array): Extension {
  if (cookie.length < 1 || cookie.length > 0xffff - 2) throw new RangeError(`writeCookie: cookie length ${cookie.length} not in 1..65533`);
  return makeExtension(ExtensionType.cookie, (w) => w.vec16((w) => w.bytes(cookie)));
}

// ---- application_layer_protocol_negotiation --------------------------------------------------

// RFC 7301 §3.1  opaque ProtocolName<1..2^8-1>;
//   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
/**
 * Reads ALPN's protocol_name_list (views, in the client's preference order). In ServerHello /
 * EncryptedExtensions the list has exactly one name; the caller checks that.
 *
 * @throws TlsError `EmptyAlpnProtocol` (decode_error) for a zero-length name ("Empty strings MUST
 *   NOT be included", RFC 7301 §3.1); `EmptyVector`/`BadVectorLength`/`Truncated`/`TrailingData`
 *   (decode_error) for bad lengths.
 */
export function readAlpn(data: Uint8Array): Uint8Array[] {
  return readAll(data, 'application_layer_protocol_negotiation', (r) =>
    r.vec16({ min: 2 }).list((r) => {
      const len = r.u8();
      if (len === 0) throw new TlsError('EmptyAlpnProtocol', 'ALPN: empty protocol name');
      return r.bytes(len);
    }),
  );
}

/**
 * Writes ALPN (the server's form has a single name, RFC 7301 §3.1).
 *
 * @throws RangeError when the list is empty or a name is empty or longer than 255 bytes.
 */
export function writeAlpn(protocols: readonly Uint8Array[]): Extension {
  if (protocols.length === 0) throw new RangeError('writeAlpn: no protocols');
  for (const p of protocols) {
    if (p.length < 1 || p.length > 0xff) throw new RangeError(`writeAlpn: protocol name length ${p.length} not in 1..255`);
  }
  return makeExtension(ExtensionType.application_layer_protocol_negotiation, (w) =>
    w.vec16((w) => protocols.forEach((p) => w.vec8((w) => w.bytes(p)))),
  );
}

// ---- record_size_limit -------------------------------------------------------------------

/** RFC 8449 §4: the smallest legal record_size_limit. */
export const MIN_RECORD_SIZE_LIMIT = 64;

// RFC 8449 §4  uint16 RecordSizeLimit;
/**
 * Reads record_size_limit. RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
 * with a value smaller than 64. An endpoint MUST treat receipt of a smaller value as a fatal error
 * and generate an "illegal_parameter" alert." Values above 2^14(+1) are legal; the caller clamps.
 *
 * @throws TlsError `BadRecordSizeLimit` (illegal_parameter) below 64; `Truncated`/`TrailingData`
 *   (decode_error).
 */
export function readRecordSizeLimit(data: Uint8Array): number {
  const v = readAll(data, 'record_size_limit', (r) => r.u16());
  if (v < MIN_RECORD_SIZE_LIMIT) throw new TlsError('BadRecordSizeLimit', `record_size_limit ${v} < ${MIN_RECORD_SIZE_LIMIT}`);
  return v;
}

/**
 * Writes record_size_limit.
 *
 * @throws RangeError when `limit` is not an integer in 64..65535.
 */
export function writeRecordSizeLimit(limit: number): Extension {
  if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > 0xffff) {
    throw new RangeError(`writeRecordSizeLimit: ${limit} not in 64..65535`);
  }
  return makeExtension(ExtensionType.record_size_limit, (w) => w.u16(limit));
}

// ---- max_fragment_length -----------------------------------------------------------------

// RFC 6066 §4  enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength;
/**
 * Reads max_fragment_length (the code 1..4; the length is `2 ** (8 + code)`). RFC 6066 §4: for
 * "a value other than the allowed values, it MUST abort the handshake with an "illegal_parameter"
 * alert".
 *
 * @throws TlsError `BadMaxFragmentLength` (illegal_parameter); `Truncated`/`TrailingData` (decode_error).
 */
export function readMaxFragmentLength(data: Uint8Array): number {
  const v = readAll(data, 'max_fragment_length', (r) => r.u8());
  if (v < 1 || v > 4) throw new TlsError('BadMaxFragmentLength', `max_fragment_length code ${v}`);
  return v;
}

/** Writes max_fragment_length (echoing the client's code). */
export function writeMaxFragmentLength(code: number): Extension {
  return makeExtension(ExtensionType.max_fragment_length, (w) => w.u8(code));
}

// ---- status_request ----------------------------------------------------------------------

// RFC 6066 §8  struct { CertificateStatusType status_type;
//   select (status_type) { case ocsp: OCSPStatusRequest; } request; } CertificateStatusRequest;
//   struct { ResponderID responder_id_list<0..2^16-1>; Extensions request_extensions; } OCSPStatusRequest;
/** A ClientHello status_request, parsed loosely: the type and the raw request. */
export interface CertificateStatusRequest {
  /** `status_type` (1 = ocsp). */
  readonly statusType: number;
  /** The type-specific request, raw and not validated (a view). */
  readonly request: Uint8Array;
}

/**
 * Reads the ClientHello form of status_request loosely (only `status_type` must be present): the
 * request body is not needed to staple a response, and clients disagree on its details.
 *
 * @throws TlsError `Truncated` (decode_error) when empty.
 */
export function readStatusRequest(data: Uint8Array): CertificateStatusRequest {
  const r = new Reader(data, 'status_request');
  return { statusType: r.u8(), request: r.rest() };
}

// RFC 6066 §8 / RFC 8446 §4.4.2.1  struct { CertificateStatusType status_type;
//   select (status_type) { case ocsp: OCSPResponse; } response; } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
/**
 * Writes the status_request extension of a TLS 1.3 CertificateEntry: a `CertificateStatus` with
 * an OCSP response (RFC 8446 §4.4.2.1).
 *
 * @throws RangeError when the response is empty.
 */
export function writeOcspStatus(ocspResponse: Uint8Array): Extension {
  if (ocspResponse.length === 0) throw new RangeError('writeOcspStatus: empty OCSP response');
  return makeExtension(ExtensionType.status_request, (w) => w.u8(1).vec24((w) => w.bytes(ocspResponse)));
}

// ---- renegotiation_info ------------------------------------------------------------------

// RFC 5746 §3.2  struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
/**
 * Reads renegotiation_info (a view; empty on an initial handshake).
 *
 * @throws TlsError `Truncated`/`TrailingData` (decode_error).
 */
export function readRenegotiationInfo(data: Uint8Array): Uint8Array {
  return readAll(data, 'renegotiation_info', (r) => r.vec8().rest());
}

/** Writes renegotiation_info (empty `renegotiated_connection` on an initial handshake). */
export function writeRenegotiationInfo(renegotiatedConnection: Uint8Array = new Uint8Array(0)): Extension {
  return makeExtension(ExtensionType.renegotiation_info, (w) => w.vec8((w) => w.bytes(renegotiatedConnection)));
}

// ---- ec_point_formats --------------------------------------------------------------------

// RFC 8422 §5.1.2  struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
/**
 * Reads ec_point_formats.
 *
 * @throws TlsError `EmptyVector`/`Truncated`/`TrailingData` (decode_error).
 */
export function readEcPointFormats(data: Uint8Array): number[] {
  return readAll(data, 'ec_point_formats', (r) => r.vec8({ min: 1 }).list((r) => r.u8()));
}

/** Writes ec_point_formats (a TLS 1.2 server sends `[uncompressed]`, RFC 8422 §5.2). */
export function writeEcPointFormats(formats: readonly number[] = [0]): Extension {
  return makeExtension(ExtensionType.ec_point_formats, (w) => w.vec8((w) => formats.forEach((f) => w.u8(f))));
}

// ---- certificate_authorities -------------------------------------------------------------

// RFC 8446 §4.2.4  opaque DistinguishedName<1..2^16-1>;
//   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
/**
 * Reads certificate_authorities (DER distinguished names, as views).
 *
 * @throws TlsError `EmptyVector`/`BadVectorLength`/`Truncated`/`TrailingData` (decode_error).
 */
export function readCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  return readAll(data, 'certificate_authorities', (r) => r.vec16({ min: 3 }).list((r) => r.vec16({ min: 1 }).rest()));
}

/** Writes certificate_authorities. */
export function writeCertificateAuthorities(names: readonly Uint8Array[]): Extension {
  return makeExtension(ExtensionType.certificate_authorities, (w) =>
    w.vec16((w) => names.forEach((n) => w.vec16((w) => w.bytes(n)))),
  );
}

// ---- session_ticket ----------------------------------------------------------------------

// RFC 5077 §3.2  the ClientHello SessionTicket extension: the ticket as the whole extension_data
/** Reads session_ticket (TLS 1.2): the opaque ticket, empty when the client asks for a new one. */
export function readSessionTicket(data: Uint8Array): Uint8Array {
  return data;
}

/** Writes the empty session_ticket a TLS 1.2 server sends to promise a NewSessionTicket. */
export function writeSessionTicket(ticket: Uint8Array = new Uint8Array(0)): Extension {
  return { type: ExtensionType.session_ticket, data: ticket };
}
