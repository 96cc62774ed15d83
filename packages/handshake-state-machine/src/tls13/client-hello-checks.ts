/**
 * TLS 1.3 ClientHello checks (RFC 8446 §4.1.2, §9.2): what every ClientHello must satisfy, and
 * what the second ClientHello after a HelloRetryRequest may change.
 */
import { NAMED_GROUP_CODEPOINT, equalConstantTime, type NamedGroup } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import type { ClientHello } from '../msgs/client-hello';
import type { Hello } from '../common/hello';

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
  // §4.1.2: legacy_session_id is at most 32 bytes (the codec enforces); legacy_version MUST be 0x0303.
  if (ch.legacyVersion !== 0x0303) throw new TlsError('InvalidLegacyVersion', `TLS 1.3 ClientHello with legacy_version 0x${ch.legacyVersion.toString(16)}`);
}

/** Whether the client offers TLS 1.3 (RFC 8446 §4.2.1: only supported_versions counts). */
export function offersTls13(ch: ClientHello): boolean {
  return ch.ext.supportedVersions?.includes(TLS13) ?? false;
}

/**
 * RFC 8446 §4.1.2: the second ClientHello is the first "without modification, except": key_share
 * (one share, for the group the HRR named: §4.2.8), early_data removed, cookie added,
 * pre_shared_key updated, padding changed.
 * @throws TlsError SecondClientHelloChanged / HrrKeyShareNotFixed / BadCookie (illegal_parameter)
 */
export function checkSecondClientHello(firstHello: Hello, secondHello: Hello, group: NamedGroup, cookie: Uint8Array): void {
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
  if (!equalNumbers(second.ext.supportedVersions ?? [], first.ext.supportedVersions ?? [])) changed('supported_versions');
  if (!equalNumbers(second.ext.supportedGroups ?? [], first.ext.supportedGroups ?? [])) changed('supported_groups');
  if (!equalNumbers(second.ext.signatureAlgorithms ?? [], first.ext.signatureAlgorithms ?? [])) changed('signature_algorithms');
  if (second.ext.serverName !== first.ext.serverName) changed('server_name');
  if (JSON.stringify(secondHello.alpn) !== JSON.stringify(firstHello.alpn)) changed('application_layer_protocol_negotiation');
  const code = NAMED_GROUP_CODEPOINT[group];
  const shares = second.ext.keyShare ?? [];
  if (shares.length !== 1 || shares[0]!.group !== code) {
    throw new TlsError('HrrKeyShareNotFixed', `the second ClientHello must carry exactly one key share, for group 0x${code.toString(16)}`);
  }
  if (!second.ext.cookie || !equalConstantTime(second.ext.cookie, cookie)) throw new TlsError('BadCookie', 'the second ClientHello does not echo our cookie');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function equalNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
