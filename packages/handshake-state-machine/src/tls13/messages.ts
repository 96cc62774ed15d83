/**
 * The TLS 1.3 server's message layer: decode the ClientHello into the server's view
 * ({@link ClientHelloInfo}) and encode the messages the server sends (RFC 8446 §4). Strict
 * decoding: trailing bytes and bad lengths → decode_error, duplicate extensions and forbidden
 * values → illegal_parameter.
 */
import { NAMED_GROUP_CODEPOINT, type NamedGroup } from '@puretls/crypto';
import { Reader, TlsError, Writer } from '@puretls/record-layer';
import type { ClientHelloInfo, PskOffer } from '../client-hello-info';
import type { KeyShareEntry } from '../msgs/key-share';
import { HandshakeType, type HandshakeMessage } from '../handshake-message';

/** RFC 8446 §4.2 ExtensionType values used here. */
export const Ext = {
  server_name: 0,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  alpn: 16,
  padding: 21,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;

/** RFC 8446 §4.1.3: the HelloRetryRequest random, SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = hex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');

/** An extension to send: type and encoded `extension_data`. */
export interface Ext {
  readonly type: number;
  readonly data: Uint8Array;
}

export function groupCode(g: NamedGroup): number {
  return NAMED_GROUP_CODEPOINT[g];
}

// ------------------------------------------------------------------------------------------------
// ClientHello (RFC 8446 §4.1.2)
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id<0..32>;
//       CipherSuite cipher_suites<2..2^16-2>;
//       opaque legacy_compression_methods<1..2^8-1>;
//       Extension extensions<8..2^16-1>;
//   } ClientHello;
// ------------------------------------------------------------------------------------------------

/**
 * Decodes a ClientHello handshake message into the server's view.
 * @throws TlsError decode_error (lengths, trailing data, bad extension bodies), illegal_parameter
 *   (duplicate extensions, pre_shared_key not last, duplicate key shares, …).
 */
export function clientHelloInfo(msg: HandshakeMessage): ClientHelloInfo {
  const r = new Reader(msg.body, 'ClientHello');
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const legacySessionId = r.vec8({ max: 32 }).rest();
  const cipherSuites = r.vec16({ min: 2, max: 0xfffe, elem: 2 }).list((s) => s.u16());
  const compressionMethods = r.vec8({ min: 1 }).rest();
  const extensions: { type: number; data: Uint8Array }[] = [];
  let extensionsStart = 0;
  if (!r.done) {
    const er = r.vec16();
    extensionsStart = 4 + r.position - er.remaining;
    const seen = new Set<number>();
    while (!er.done) {
      const type = er.u16();
      const data = er.vec16().rest();
      // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
      if (seen.has(type)) throw new TlsError('DuplicateExtension', `ClientHello: extension ${type} twice`);
      seen.add(type);
      extensions.push({ type, data });
    }
  }
  r.expectEnd('ClientHello');
  void extensionsStart;

  const find = (t: number) => extensions.find((e) => e.type === t)?.data;
  const pskIndex = extensions.findIndex((e) => e.type === Ext.pre_shared_key);
  // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
  // ClientHello … Servers MUST check that it is the last extension and otherwise fail the
  // handshake with an "illegal_parameter" alert."
  if (pskIndex !== -1 && pskIndex !== extensions.length - 1) throw new TlsError('PskNotLastExtension', 'pre_shared_key is not the last extension');

  const sv = find(Ext.supported_versions);
  const ks = find(Ext.key_share);
  const psk = find(Ext.pre_shared_key);
  return {
    raw: msg.raw,
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    compressionMethods,
    extensionTypes: extensions.map((e) => e.type),
    supportedVersions: sv && parseAll(sv, 'supported_versions', (x) => x.vec8({ min: 2, max: 254, elem: 2 }).list((v) => v.u16())),
    serverName: mapOpt(find(Ext.server_name), parseServerName),
    supportedGroups: mapOpt(find(Ext.supported_groups), (d) => parseAll(d, 'supported_groups', (x) => x.vec16({ min: 2, elem: 2 }).list((v) => v.u16()))),
    keyShares: ks ? parseKeyShares(ks) : [],
    hasKeyShareExtension: ks !== undefined,
    signatureAlgorithms: mapOpt(find(Ext.signature_algorithms), (d) => parseSchemes(d, 'signature_algorithms')),
    signatureAlgorithmsCert: mapOpt(find(Ext.signature_algorithms_cert), (d) => parseSchemes(d, 'signature_algorithms_cert')),
    alpn: mapOpt(find(Ext.alpn), parseAlpn),
    pskKeyExchangeModes: mapOpt(find(Ext.psk_key_exchange_modes), (d) => parseAll(d, 'psk_key_exchange_modes', (x) => [...x.vec8({ min: 1 }).rest()])),
    preSharedKey: psk ? parsePsk(psk, msg.raw.length) : undefined,
    earlyData: mapOpt(find(Ext.early_data), (d) => {
      if (d.length !== 0) throw new TlsError('BadLength', 'ClientHello early_data must be empty');
      return true;
    }) ?? false,
    cookie: mapOpt(find(Ext.cookie), (d) => parseAll(d, 'cookie', (x) => x.vec16({ min: 1 }).rest())),
    recordSizeLimit: mapOpt(find(Ext.record_size_limit), (d) => {
      const v = parseAll(d, 'record_size_limit', (x) => x.u16());
      // RFC 8449 §4: "Endpoints MUST NOT send a value lower than 64 … MUST treat receipt of a smaller value as a fatal error … "illegal_parameter"".
      if (v < 64) throw new TlsError('BadRecordSizeLimit', `record_size_limit ${v} < 64`);
      return v;
    }),
    extendedMasterSecret: mapOpt(find(Ext.extended_master_secret), (d) => {
      if (d.length !== 0) throw new TlsError('BadLength', 'extended_master_secret must be empty');
      return true;
    }) ?? false,
    renegotiationInfo: mapOpt(find(Ext.renegotiation_info), (d) => parseAll(d, 'renegotiation_info', (x) => x.vec8().rest())),
    ecPointFormats: mapOpt(find(Ext.ec_point_formats), (d) => parseAll(d, 'ec_point_formats', (x) => x.vec8({ min: 1 }).rest())),
    sessionTicket: find(Ext.session_ticket),
    extensions,
  };
}

function mapOpt<T, U>(v: T | undefined, f: (v: T) => U): U | undefined {
  return v === undefined ? undefined : f(v);
}

function parseAll<T>(data: Uint8Array, what: string, f: (r: Reader) => T): T {
  const r = new Reader(data, what);
  return r.all(what, f);
}

/**
 * RFC 6066 §3: `ServerName server_name_list<1..2^16-1>`, name_type host_name(0) with
 * `HostName<1..2^16-1>`. "The ServerNameList MUST NOT contain more than one name of the same
 * name_type." Literal IP addresses are not permitted; no trailing dot.
 */
function parseServerName(data: Uint8Array): string | undefined {
  return parseAll(data, 'server_name', (r) => {
    const list = r.vec16({ min: 1 });
    let host: string | undefined;
    while (!list.done) {
      const type = list.u8();
      const name = list.vec16({ min: 1 }).rest();
      if (type !== 0) continue; // unknown name types are skipped
      if (host !== undefined) throw new TlsError('BadServerName', 'two host_name entries');
      let s = '';
      for (const b of name) {
        if (b <= 0x20 || b >= 0x7f) throw new TlsError('BadServerName', 'host_name is not printable ASCII');
        s += String.fromCharCode(b);
      }
      if (s.endsWith('.')) throw new TlsError('BadServerName', 'host_name ends with a dot');
      host = s.toLowerCase();
    }
    return host;
  });
}

/** RFC 8446 §4.2.8 `KeyShareEntry client_shares<0..2^16-1>`; duplicate groups → illegal_parameter. */
function parseKeyShares(data: Uint8Array): KeyShareEntry[] {
  return parseAll(data, 'key_share', (r) => {
    const entries = r.vec16().list((e) => ({ group: e.u16(), keyExchange: e.vec16({ min: 1 }).rest() }));
    const seen = new Set<number>();
    for (const e of entries) {
      // §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group."
      if (seen.has(e.group)) throw new TlsError('DuplicateKeyShare', `two key shares for group 0x${e.group.toString(16)}`);
      seen.add(e.group);
    }
    return entries;
  });
}

function parseSchemes(data: Uint8Array, what: string): number[] {
  return parseAll(data, what, (r) => r.vec16({ min: 2, elem: 2 }).list((v) => v.u16()));
}

/** RFC 7301 §3.1 `ProtocolName protocol_name_list<2..2^16-1>`, `opaque ProtocolName<1..2^8-1>`. */
function parseAlpn(data: Uint8Array): string[] {
  return parseAll(data, 'application_layer_protocol_negotiation', (r) =>
    r.vec16({ min: 2 }).list((p) => {
      const name = p.vec8({ min: 1 }).rest();
      return String.fromCharCode(...name);
    }),
  );
}

/**
 * RFC 8446 §4.2.11 OfferedPsks { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; }.
 * The binders are the last bytes of the ClientHello, so the truncated ClientHello is everything
 * before the binders list (its 2-byte length included in neither).
 */
function parsePsk(data: Uint8Array, messageLength: number): PskOffer {
  return parseAll(data, 'pre_shared_key', (r) => {
    const identities = r.vec16({ min: 7 }).list((i) => ({ identity: i.vec16({ min: 1 }).rest(), obfuscatedTicketAge: i.u32() }));
    const bindersStart = r.position;
    const binders = r.vec16({ min: 33 }).list((b) => b.vec8({ min: 32 }).rest());
    if (binders.length !== identities.length) throw new TlsError('PskIdentityBinderMismatch', `${identities.length} identities, ${binders.length} binders`);
    // pre_shared_key is the last extension, so the extension data ends where the message ends.
    return { identities, binders, truncatedLength: messageLength - (data.length - bindersStart) };
  });
}

// ------------------------------------------------------------------------------------------------
// Messages the server sends
// ------------------------------------------------------------------------------------------------

/** Frames a handshake message: `msg_type ‖ uint24 length ‖ body`. */
export function handshake(type: number, body: (w: Writer) => void): Uint8Array {
  const w = new Writer();
  w.u8(type).vec24(body);
  return w.finish();
}

function writeExtensions(w: Writer, exts: readonly Ext[]): void {
  w.vec16((w) => {
    for (const e of exts) w.u16(e.type).vec16((w) => w.bytes(e.data));
  });
}

/**
 * RFC 8446 §4.1.3 ServerHello (also the HelloRetryRequest, whose random is
 * {@link HELLO_RETRY_REQUEST_RANDOM}).
 */
export function encodeServerHello(random: Uint8Array, sessionId: Uint8Array, cipherSuite: number, exts: readonly Ext[]): Uint8Array {
  return handshake(HandshakeType.server_hello, (w) => {
    w.u16(0x0303).bytes(random).vec8((w) => w.bytes(sessionId)).u16(cipherSuite).u8(0);
    writeExtensions(w, exts);
  });
}

/** RFC 8446 §4.3.1 `struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;` */
export function encodeEncryptedExtensions(exts: readonly Ext[]): Uint8Array {
  return handshake(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, exts));
}

/**
 * RFC 8446 §4.4.2 `struct { opaque certificate_request_context<0..2^8-1>;
 * CertificateEntry certificate_list<0..2^24-1>; } Certificate;` with no per-entry extensions.
 */
export function encodeCertificate13(chain: readonly Uint8Array[], context: Uint8Array = new Uint8Array(0)): Uint8Array {
  return handshake(HandshakeType.certificate, (w) => {
    w.vec8((w) => w.bytes(context));
    w.vec24((w) => {
      for (const der of chain) w.vec24((w) => w.bytes(der)).u16(0);
    });
  });
}

/** RFC 8446 §4.4.3 `struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } CertificateVerify;` */
export function encodeCertificateVerify(scheme: number, signature: Uint8Array): Uint8Array {
  return handshake(HandshakeType.certificate_verify, (w) => w.u16(scheme).vec16((w) => w.bytes(signature)));
}

const CV_SERVER = 'TLS 1.3, server CertificateVerify';
const CV_CLIENT = 'TLS 1.3, client CertificateVerify';

/**
 * RFC 8446 §4.4.3: the signed content is 64 bytes of 0x20, the context string, a zero byte, and
 * the transcript hash.
 */
export function certificateVerifyContent(server: boolean, transcriptHash: Uint8Array): Uint8Array {
  const label = server ? CV_SERVER : CV_CLIENT;
  const out = new Uint8Array(64 + label.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  for (let i = 0; i < label.length; i++) out[64 + i] = label.charCodeAt(i);
  out.set(transcriptHash, 64 + label.length + 1);
  return out;
}

/** RFC 8446 §4.4.4 `struct { opaque verify_data[Hash.length]; } Finished;` */
export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return handshake(HandshakeType.finished, (w) => w.bytes(verifyData));
}

/** The Finished body is exactly the verify_data; its length is checked by the comparison. */
export function decodeFinished(body: Uint8Array): Uint8Array {
  return body;
}

/** RFC 8446 §4.6.3 `enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;` */
export function encodeKeyUpdate(requestUpdate: boolean): Uint8Array {
  return handshake(HandshakeType.key_update, (w) => w.u8(requestUpdate ? 1 : 0));
}

/**
 * @returns whether the peer requested an update.
 * @throws TlsError KeyUpdateBadValue (illegal_parameter) for a value other than 0 or 1; decode_error for bad length.
 */
export function decodeKeyUpdate(body: Uint8Array): boolean {
  const v = parseAll(body, 'KeyUpdate', (r) => r.u8());
  // RFC 8446 §4.6.3: "If an implementation receives any other value, it MUST terminate the connection with an "illegal_parameter" alert."
  if (v > 1) throw new TlsError('KeyUpdateBadValue', `request_update = ${v}`);
  return v === 1;
}

// ---- extensions the server sends ---------------------------------------------------------------

const ext = (type: number, body: (w: Writer) => void): Ext => {
  const w = new Writer(64);
  body(w);
  return { type, data: w.finish() };
};

/** ServerHello key_share: `KeyShareEntry server_share` (RFC 8446 §4.2.8). */
export function extKeyShareServer(group: NamedGroup, share: Uint8Array): Ext {
  return ext(Ext.key_share, (w) => w.u16(groupCode(group)).vec16((w) => w.bytes(share)));
}
/** HelloRetryRequest key_share: `NamedGroup selected_group`. */
export function extKeyShareHrr(group: NamedGroup): Ext {
  return ext(Ext.key_share, (w) => w.u16(groupCode(group)));
}
/** ServerHello supported_versions: `ProtocolVersion selected_version` (RFC 8446 §4.2.1). */
export function extSupportedVersionsServer(version: number): Ext {
  return ext(Ext.supported_versions, (w) => w.u16(version));
}
/** `struct { opaque cookie<1..2^16-1>; } Cookie;` (RFC 8446 §4.2.2). */
export function extCookie(cookie: Uint8Array): Ext {
  return ext(Ext.cookie, (w) => w.vec16((w) => w.bytes(cookie)));
}
/** `NamedGroup named_group_list<2..2^16-1>` (RFC 8446 §4.2.7). */
export function extSupportedGroups(codes: readonly number[]): Ext {
  return ext(Ext.supported_groups, (w) => w.vec16((w) => codes.forEach((c) => w.u16(c))));
}
/** `uint16 RecordSizeLimit` (RFC 8449 §4). */
export function extRecordSizeLimit(limit: number): Ext {
  return ext(Ext.record_size_limit, (w) => w.u16(limit));
}
/** An empty server_name: "the server … SHALL include an extension of type "server_name" … the "extension_data" field … SHALL be empty" (RFC 6066 §3). */
export function extServerNameAck(): Ext {
  return { type: Ext.server_name, data: new Uint8Array(0) };
}
/** ALPN with the one selected protocol (RFC 7301 §3.1). */
export function extAlpn(protocol: string): Ext {
  return ext(Ext.alpn, (w) =>
    w.vec16((w) =>
      w.vec8((w) => {
        for (let i = 0; i < protocol.length; i++) w.u8(protocol.charCodeAt(i));
      }),
    ),
  );
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
