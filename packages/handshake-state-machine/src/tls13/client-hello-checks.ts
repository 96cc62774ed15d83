/**
 * TLS 1.3 ClientHello checks (RFC 8446 §4.1.2, §9.2): what every ClientHello must satisfy, and
 * what the second ClientHello after a HelloRetryRequest may change.
 */
import { NAMED_GROUP_CODEPOINT, bytesToLatin1, equalConstantTime, type NamedGroup } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import type { ClientHello } from '../msgs/client-hello';
import type { HandshakeConfig } from '../config';
import { ExtensionType } from '../msgs/enums';
import type { Extension } from '../msgs/extensions';
import { checkLegacyVersion, type Hello } from '../common/hello';

const TLS13 = 0x0304;

/**
 * Checks that apply to every TLS 1.3 ClientHello (RFC 8446 §4.1.2, §9.2) before negotiation.
 * @throws TlsError with the alert the RFC names.
 */
export function checkClientHello13(hello: Hello): void {
  const { ch } = hello;
  const x = ch.ext;
  // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set to zero".
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
    throw new TlsError('InvalidCompressionMethods', 'TLS 1.3 requires legacy_compression_methods = [null]');
  }
  // RFC 8446 §9.2: "If containing a "supported_groups" extension, it MUST also contain a
  // "key_share" extension, and vice versa."
  if ((x.supportedGroups !== undefined) !== (x.keyShare !== undefined)) {
    throw new TlsError('MissingExtension', 'supported_groups and key_share must come together');
  }
  if (x.preSharedKey === undefined) {
    // §9.2: without a PSK, signature_algorithms and supported_groups are mandatory.
    if (x.signatureAlgorithms === undefined) throw new TlsError('MissingExtension', 'no signature_algorithms (RFC 8446 §9.2)');
    if (x.supportedGroups === undefined) throw new TlsError('MissingKeyShareOrPsk', 'neither supported_groups/key_share nor pre_shared_key (RFC 8446 §9.2)');
  } else if (x.pskKeyExchangeModes === undefined) {
    // §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes" extension, servers MUST abort".
    throw new TlsError('PskWithoutKeyExchangeModes', 'pre_shared_key without psk_key_exchange_modes');
  }
  // §4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in the
  // client's "supported_groups" extension. Servers MAY check for violations of these rules and
  // abort the handshake with an "illegal_parameter" alert".
  if (x.supportedGroups) {
    for (const k of x.keyShare ?? []) {
      if (!x.supportedGroups.includes(k.group)) throw new TlsError('KeyShareGroupNotOffered', `key share for group 0x${k.group.toString(16)} not in supported_groups`);
    }
  }
  // §4.1.2: legacy_session_id is at most 32 bytes (the codec enforces). A client sets
  // legacy_version to 0x0303, but §4.2.1: "servers MUST NOT use the ClientHello.legacy_version value
  // for version negotiation" — any other value is accepted (as OpenSSL does) except what Appendix
  // D.5 names.
  checkLegacyVersion(ch);
}

/** Whether the client offers TLS 1.3 (RFC 8446 §4.2.1: only supported_versions counts). */
export function offersTls13(ch: ClientHello): boolean {
  return ch.ext.supportedVersions?.includes(TLS13) ?? false;
}

/**
 * Whether a ClientHello goes to TLS 1.3 under `config`: offered (RFC 8446 §4.2.1) and enabled;
 * everything else is TLS 1.2's to serve or to refuse (`hs.ts`).
 */
export function negotiatesTls13(config: Pick<HandshakeConfig, 'maxVersion'>, ch: ClientHello): boolean {
  return offersTls13(ch) && config.maxVersion >= TLS13;
}

/**
 * Extensions the second ClientHello may change (RFC 8446 §4.1.2: it is the first "without
 * modification, except as follows"): key_share (checked separately), early_data (removed),
 * cookie (checked separately), pre_shared_key (updated), padding (RFC 7685: any content). Also
 * encrypted_client_hello, which draft-ietf-tls-esni regenerates in a second ClientHelloOuter.
 */
const MAY_CHANGE: ReadonlySet<number> = new Set([
  ExtensionType.key_share,
  ExtensionType.early_data,
  ExtensionType.cookie,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
  ExtensionType.encrypted_client_hello,
]);

/**
 * RFC 8446 §4.1.2: the second ClientHello is the first "without modification, except": the one
 * key share the HelloRetryRequest asked for (§4.2.8), early_data removed (§4.2.10), our cookie
 * added (§4.2.2: "the client MUST copy the contents of the extension received in the
 * HelloRetryRequest"; with none sent, an unchanged one or none), pre_shared_key updated (its
 * identities a subset of the first's), padding changed. Every other extension must be byte for
 * byte what it was, in the same order (one rule for all: record_size_limit, ALPN, server_name, …).
 * Linear in the size of both hellos.
 * @param cookie the cookie our HelloRetryRequest carried, or `undefined` when it carried none.
 * @throws TlsError SecondClientHelloChanged / HrrKeyShareNotFixed / BadCookie (illegal_parameter)
 */
export function checkSecondClientHello(firstHello: Hello, secondHello: Hello, group: NamedGroup, cookie: Uint8Array | undefined): void {
  const first = firstHello.ch;
  const second = secondHello.ch;
  const changed = (what: string): never => {
    throw new TlsError('SecondClientHelloChanged', `second ClientHello changed ${what}`);
  };
  if (second.legacyVersion !== first.legacyVersion) changed('legacy_version');
  if (!equalBytes(second.random, first.random)) changed('random');
  if (!equalBytes(second.legacySessionId, first.legacySessionId)) changed('legacy_session_id');
  if (!equalNumbers(second.cipherSuites, first.cipherSuites)) changed('cipher_suites');
  if (!equalBytes(second.legacyCompressionMethods, first.legacyCompressionMethods)) changed('legacy_compression_methods');
  if (second.ext.earlyData) throw new TlsError('SecondClientHelloChanged', 'early_data in the second ClientHello (RFC 8446 §4.2.10)');
  const a = fixed(first.extensions);
  const b = fixed(second.extensions);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.type !== y.type) changed(`its extensions (${x ? `${x.type} became ${y?.type ?? 'nothing'}` : `${y!.type} added`})`);
    if (!equalBytes(x!.data, y!.data)) changed(`extension ${x!.type}`);
  }
  const psk2 = second.ext.preSharedKey;
  if (psk2 !== undefined) {
    const offered = new Set(first.ext.preSharedKey?.identities.map((p) => bytesToLatin1(p.identity)) ?? []);
    for (const p of psk2.identities) if (!offered.has(bytesToLatin1(p.identity))) changed('pre_shared_key (a PSK identity not in the first)');
  }
  const code = NAMED_GROUP_CODEPOINT[group];
  const shares = second.ext.keyShare ?? [];
  if (shares.length !== 1 || shares[0]!.group !== code) {
    throw new TlsError('HrrKeyShareNotFixed', `the second ClientHello must carry exactly one key share, for group 0x${code.toString(16)}`);
  }
  const expected = cookie ?? first.ext.cookie;
  const got = second.ext.cookie;
  const why = cookie ? 'the second ClientHello does not echo our cookie' : 'a cookie the HelloRetryRequest did not send';
  if (expected === undefined ? got !== undefined : got === undefined || !equalConstantTime(got, expected)) throw new TlsError('BadCookie', why);
}

/** The extensions the second ClientHello must keep as they were, in order. */
function fixed(extensions: readonly Extension[]): Extension[] {
  return extensions.filter((e) => !MAY_CHANGE.has(e.type));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function equalNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
