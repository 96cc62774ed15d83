/**
 * ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): the strict reader, with every extension we
 * know decoded once, eagerly, so that a malformed extension fails the ClientHello (rustls).
 */
import { Reader, TlsError, Writer } from '@puretls/record-layer';
import { ExtensionType, HandshakeType } from './enums';
import {
  readAlpn,
  readCertificateAuthorities,
  readCookie,
  readEcPointFormats,
  readEmptyExtension,
  readExtensions,
  readMaxFragmentLength,
  readPskKeyExchangeModes,
  readRecordSizeLimit,
  readRenegotiationInfo,
  readSessionTicket,
  readSignatureSchemeList,
  readStatusRequest,
  readSupportedGroups,
  readSupportedVersionsClientHello,
  writeExtensions,
  type CertificateStatusRequest,
  type Extension,
} from './extensions';
import { HANDSHAKE_HEADER_LEN, writeHandshake } from './handshake-message';
import { readKeyShareClientHello, type KeyShareEntry } from './key-share';
import { readPreSharedKeyClientHello, type OfferedPsks } from './pre-shared-key';
import { readServerName } from './server-name';

/** RFC 8446 §4.1.2: `opaque legacy_session_id<0..32>`. */
export const MAX_SESSION_ID_LENGTH = 32;

/**
 * The ClientHello extensions we know, decoded. An absent extension is `undefined` (flags:
 * `false`); present-but-unknown ones (GREASE included) are only in `ClientHello.extensions`.
 * Arrays keep the client's order and any GREASE / unknown codes (the caller skips them).
 * `Uint8Array` fields are views into the message.
 */
export interface ClientHelloExtensions {
  /** server_name host_name (RFC 6066 §3); `undefined` when absent or no host_name entry. */
  readonly serverName?: string;
  /** server_name was present (even with no host_name in it). */
  readonly serverNamePresent: boolean;
  /** max_fragment_length code (RFC 6066 §4); `undefined` also when record_size_limit is present (RFC 8449 §5: ignored then). */
  readonly maxFragmentLength?: number;
  readonly statusRequest?: CertificateStatusRequest;
  readonly supportedGroups?: readonly number[];
  readonly ecPointFormats?: readonly number[];
  readonly signatureAlgorithms?: readonly number[];
  readonly signatureAlgorithmsCert?: readonly number[];
  /** ALPN protocol_name_list (RFC 7301). */
  readonly alpn?: readonly Uint8Array[];
  readonly signedCertificateTimestamp: boolean;
  readonly encryptThenMac: boolean;
  readonly extendedMasterSecret: boolean;
  readonly recordSizeLimit?: number;
  /** session_ticket (RFC 5077): the ticket, empty when the client asks for a new one. */
  readonly sessionTicket?: Uint8Array;
  readonly preSharedKey?: OfferedPsks;
  readonly earlyData: boolean;
  readonly supportedVersions?: readonly number[];
  readonly cookie?: Uint8Array;
  readonly pskKeyExchangeModes?: readonly number[];
  readonly certificateAuthorities?: readonly Uint8Array[];
  readonly postHandshakeAuth: boolean;
  /** key_share client_shares (may be empty: the client asks for a HelloRetryRequest). */
  readonly keyShare?: readonly KeyShareEntry[];
  /** renegotiation_info renegotiated_connection (RFC 5746). */
  readonly renegotiationInfo?: Uint8Array;
}

// RFC 8446 §4.1.2  uint16 ProtocolVersion; opaque Random[32]; uint8 CipherSuite[2];
//   struct {
//       ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//       Random random;
//       opaque legacy_session_id<0..32>;
//       CipherSuite cipher_suites<2..2^16-2>;
//       opaque legacy_compression_methods<1..2^8-1>;
//       Extension extensions<8..2^16-1>;
//   } ClientHello;
// RFC 5246 §7.4.1.2: the same, with `extensions<0..2^16-1>` optional ("present" when bytes follow).
/** A decoded ClientHello. Every `Uint8Array` is a view into `body`: copy what must outlive it. */
export interface ClientHello {
  readonly legacyVersion: number;
  /** 32 bytes (view). */
  readonly random: Uint8Array;
  /** 0..32 bytes (view); echoed in ServerHello. */
  readonly legacySessionId: Uint8Array;
  /** In client preference order; GREASE and SCSVs kept. */
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  /** Whether the extensions block was present at all (a TLS 1.2 client may omit it). */
  readonly extensionsPresent: boolean;
  /** Every extension, raw, in wire order (unknown / GREASE included). */
  readonly extensions: readonly Extension[];
  /** The known extensions, decoded. */
  readonly ext: ClientHelloExtensions;
  /**
   * When pre_shared_key is present: the length of Truncate(ClientHello) — the bytes of the full
   * handshake message (4-byte header included) before the binders list (RFC 8446 §4.2.11.2). The
   * binder hash input is `raw.subarray(0, truncatedLength)` (see {@link truncatedClientHello}).
   */
  readonly truncatedLength?: number;
  /** The body as read (a view), e.g. to compare a second ClientHello with the first. */
  readonly body: Uint8Array;
}

/**
 * Reads a ClientHello body (the bytes after the 4-byte handshake header), strictly.
 *
 * - RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type".
 * - RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
 *   ClientHello … Servers MUST check that it is the last extension and otherwise fail the
 *   handshake with an "illegal_parameter" alert."
 * - The extensions block is read as RFC 5246's `<0..2^16-1>` (a TLS 1.2 client may send one
 *   4-byte extension, or none); what a TLS 1.3 ClientHello must contain is the state machine's
 *   check (`MissingExtension`).
 * - Version-dependent rules (legacy_version, compression = [0] in TLS 1.3) are also the state
 *   machine's: the codec accepts any value that decodes.
 *
 * @throws TlsError `TrailingData`, `Truncated`, `BadVectorLength`, `EmptyVector` (decode_error) for
 *   bad lengths (session id > 32, odd or empty cipher_suites, empty compression methods);
 *   `DuplicateExtension`, `PskNotLastExtension` (illegal_parameter); and every error of the typed
 *   extension readers (`DuplicateKeyShare`, `PskIdentityBinderMismatch`, `BadRecordSizeLimit`,
 *   `DuplicateServerName`, `BadServerName`, `BadMaxFragmentLength` → illegal_parameter;
 *   `EmptyAlpnProtocol` → decode_error). Linear in the size of the body.
 */
export function readClientHello(body: Uint8Array): ClientHello {
  return new Reader(body, 'ClientHello').all('ClientHello', (r) => {
    const legacyVersion = r.u16();
    const random = r.bytes(32);
    const legacySessionId = r.vec8({ max: MAX_SESSION_ID_LENGTH }).rest();
    const cipherSuites = r.vec16({ min: 2, max: 0xfffe, elem: 2 }).u16s();
    const legacyCompressionMethods = r.vec8({ min: 1 }).rest();
    const extensionsPresent = !r.done;
    const extensions = extensionsPresent ? readExtensions(r, 'ClientHello') : [];
    const { ext, pskExtension } = decodeClientHelloExtensions(extensions);
    let truncatedLength: number | undefined;
    if (pskExtension !== undefined && ext.preSharedKey !== undefined) {
      if (extensions[extensions.length - 1] !== pskExtension) {
        throw new TlsError('PskNotLastExtension', 'ClientHello: pre_shared_key is not the last extension');
      }
      // The extension data is a view into `body`: its offset locates the binders in the message.
      truncatedLength = HANDSHAKE_HEADER_LEN + (pskExtension.data.byteOffset - body.byteOffset) + ext.preSharedKey.bindersOffset;
    }
    return {
      legacyVersion,
      random,
      legacySessionId,
      cipherSuites,
      legacyCompressionMethods,
      extensionsPresent,
      extensions,
      ext,
      truncatedLength,
      body,
    };
  });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Decodes each known extension exactly once. */
function decodeClientHelloExtensions(extensions: readonly Extension[]): {
  ext: ClientHelloExtensions;
  pskExtension: Extension | undefined;
} {
  const ext: Mutable<ClientHelloExtensions> = {
    serverNamePresent: false,
    signedCertificateTimestamp: false,
    encryptThenMac: false,
    extendedMasterSecret: false,
    earlyData: false,
    postHandshakeAuth: false,
  };
  let pskExtension: Extension | undefined;
  let maxFragmentLength: Uint8Array | undefined;
  for (const e of extensions) {
    const d = e.data;
    switch (e.type) {
      case ExtensionType.server_name:
        ext.serverName = readServerName(d);
        ext.serverNamePresent = true;
        break;
      case ExtensionType.max_fragment_length:
        maxFragmentLength = d; // decoded below, unless record_size_limit overrides it
        break;
      case ExtensionType.status_request:
        ext.statusRequest = readStatusRequest(d);
        break;
      case ExtensionType.supported_groups:
        ext.supportedGroups = readSupportedGroups(d);
        break;
      case ExtensionType.ec_point_formats:
        ext.ecPointFormats = readEcPointFormats(d);
        break;
      case ExtensionType.signature_algorithms:
        ext.signatureAlgorithms = readSignatureSchemeList(d, 'signature_algorithms');
        break;
      case ExtensionType.signature_algorithms_cert:
        ext.signatureAlgorithmsCert = readSignatureSchemeList(d, 'signature_algorithms_cert');
        break;
      case ExtensionType.application_layer_protocol_negotiation:
        ext.alpn = readAlpn(d);
        break;
      case ExtensionType.signed_certificate_timestamp:
        ext.signedCertificateTimestamp = readEmptyExtension(d, 'signed_certificate_timestamp');
        break;
      case ExtensionType.encrypt_then_mac:
        ext.encryptThenMac = readEmptyExtension(d, 'encrypt_then_mac');
        break;
      case ExtensionType.extended_master_secret:
        ext.extendedMasterSecret = readEmptyExtension(d, 'extended_master_secret');
        break;
      case ExtensionType.record_size_limit:
        ext.recordSizeLimit = readRecordSizeLimit(d);
        break;
      case ExtensionType.session_ticket:
        ext.sessionTicket = readSessionTicket(d);
        break;
      case ExtensionType.pre_shared_key:
        ext.preSharedKey = readPreSharedKeyClientHello(d);
        pskExtension = e;
        break;
      case ExtensionType.early_data:
        ext.earlyData = readEmptyExtension(d, 'early_data');
        break;
      case ExtensionType.supported_versions:
        ext.supportedVersions = readSupportedVersionsClientHello(d);
        break;
      case ExtensionType.cookie:
        ext.cookie = readCookie(d);
        break;
      case ExtensionType.psk_key_exchange_modes:
        ext.pskKeyExchangeModes = readPskKeyExchangeModes(d);
        break;
      case ExtensionType.certificate_authorities:
        ext.certificateAuthorities = readCertificateAuthorities(d);
        break;
      case ExtensionType.post_handshake_auth:
        ext.postHandshakeAuth = readEmptyExtension(d, 'post_handshake_auth');
        break;
      case ExtensionType.key_share:
        ext.keyShare = readKeyShareClientHello(d);
        break;
      case ExtensionType.renegotiation_info:
        ext.renegotiationInfo = readRenegotiationInfo(d);
        break;
      default:
        // padding (RFC 7685: contents ignored), GREASE (RFC 8701) and anything unknown: kept raw
        // in `extensions`, ignored here (RFC 8446 §4.2: unknown extensions are ignored).
        break;
    }
  }
  // RFC 8449 §5: "A server that supports the "record_size_limit" extension MUST ignore a
  // "max_fragment_length" that appears in a ClientHello if both extensions appear."
  if (maxFragmentLength !== undefined && ext.recordSizeLimit === undefined) ext.maxFragmentLength = readMaxFragmentLength(maxFragmentLength);
  return { ext, pskExtension };
}

/**
 * Truncate(ClientHello) of RFC 8446 §4.2.11.2: the full message `raw` (header included) up to the
 * binders list — the input of the PSK binder hash. A view into `raw`.
 *
 * @throws TypeError when `ch` has no pre_shared_key or `raw` is not the message `ch` was read
 *   from (API misuse).
 */
export function truncatedClientHello(raw: Uint8Array, ch: ClientHello): Uint8Array {
  if (ch.truncatedLength === undefined) throw new TypeError('truncatedClientHello: no pre_shared_key');
  if (raw.length !== HANDSHAKE_HEADER_LEN + ch.body.length) throw new TypeError('truncatedClientHello: raw is not this ClientHello');
  return raw.subarray(0, ch.truncatedLength);
}

/** The fields {@link writeClientHello} writes. */
export interface ClientHelloParams {
  readonly legacyVersion?: number;
  readonly random: Uint8Array;
  readonly legacySessionId?: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods?: Uint8Array;
  /** `undefined`: no extensions block (TLS 1.2 only). */
  readonly extensions?: readonly Extension[];
}

/**
 * Writes a ClientHello handshake message (header included). The server never sends one: this is
 * for tests, fuzzing and round trips.
 *
 * @throws RangeError when `random` is not 32 bytes or the session id is longer than 32.
 */
export function writeClientHello(ch: ClientHelloParams): Uint8Array {
  if (ch.random.length !== 32) throw new RangeError('writeClientHello: random must be 32 bytes');
  const sid = ch.legacySessionId ?? new Uint8Array(0);
  if (sid.length > MAX_SESSION_ID_LENGTH) throw new RangeError('writeClientHello: legacy_session_id longer than 32');
  return writeHandshake(HandshakeType.client_hello, (w: Writer) => {
    w.u16(ch.legacyVersion ?? 0x0303).bytes(ch.random).vec8((w) => w.bytes(sid));
    w.vec16((w) => ch.cipherSuites.forEach((s) => w.u16(s)));
    w.vec8((w) => w.bytes(ch.legacyCompressionMethods ?? new Uint8Array([0])));
    if (ch.extensions !== undefined) writeExtensions(w, ch.extensions);
  });
}
