/**
 * TLS 1.2 negotiation steps (RFC 5246 §7.4.1, RFC 8422 §5.1, RFC 7507): version, group, and the
 * suite together with the certificate and signature scheme that can serve it. Pure functions:
 * each throws the `TlsError` the RFC names when nothing fits.
 */
import { NAMED_GROUP_CODEPOINT, type NamedGroup, type PrivateKey } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import { nameMatches, type CertifiedKey, type HandshakeConfig } from '../config';
import { checkLegacyVersion } from '../common/hello';
import { suiteByCode, type SuiteInfo } from '../suites';
import type { ClientHello } from '../msgs/client-hello';
import { CipherSuite, ECPointFormat, isGrease, ProtocolVersion, SignatureScheme } from '../msgs/enums';

const TLS12 = ProtocolVersion.TLSv1_2;
const TLS13 = ProtocolVersion.TLSv1_3;

/** The TLS 1.2 ECDHE groups (RFC 8422 §5.1.1; the hybrid ML-KEM groups are TLS 1.3 only). */
export type Group12 = Exclude<NamedGroup, 'X25519MLKEM768'>;

/**
 * The highest version the client supports: the largest non-GREASE entry of supported_versions when
 * present (RFC 8446 §4.2.1: then legacy_version "MUST NOT" be used), else `client_version` (RFC
 * 5246 §7.4.1.2) — but at most TLS 1.2: RFC 8446 §4.2.1 "If this extension is not present, servers
 * which are compliant with this specification and which also support TLS 1.2 MUST negotiate TLS
 * 1.2 or prior …, even if ClientHello.legacy_version is 0x0304 or later." Such a client is a TLS
 * 1.2 client, whatever its legacy_version says (so RFC 7507 fallback detection sees 0x0303).
 */
export function clientMaxVersion(ch: ClientHello): number {
  const sv = ch.ext.supportedVersions;
  if (sv === undefined) return Math.min(ch.legacyVersion, TLS12);
  return sv.filter((v) => !isGrease(v)).reduce((a, b) => Math.max(a, b), 0);
}

/** Whether the client can speak TLS 1.2 (listed in supported_versions, or client_version ≥ 0x0303). */
export function clientOffersTls12(ch: ClientHello): boolean {
  const sv = ch.ext.supportedVersions;
  return sv === undefined ? ch.legacyVersion >= TLS12 : sv.includes(TLS12);
}

/**
 * RFC 5246 §E.1 / RFC 8446 §4.2.1: TLS 1.2 is served when the context allows it and the client
 * offers it; then RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the
 * highest protocol version supported by the server is higher than the version indicated in
 * ClientHello.client_version, the server MUST respond with a fatal inappropriate_fallback alert"
 * (the client's version as {@link clientMaxVersion} reads it).
 * @throws TlsError InvalidLegacyVersion, NoCommonVersion (protocol_version); InappropriateFallback
 *   (inappropriate_fallback).
 */
export function checkVersion12(config: HandshakeConfig, ch: ClientHello): void {
  checkLegacyVersion(ch);
  if (config.minVersion > TLS12 || config.maxVersion < TLS12 || !clientOffersTls12(ch)) {
    const what = ch.ext.supportedVersions ? `supported_versions ${fmt(ch.ext.supportedVersions)}` : `client_version 0x${ch.legacyVersion.toString(16)}`;
    throw new TlsError('NoCommonVersion', `client offers ${what}; we serve 0x${config.minVersion.toString(16)}..0x${config.maxVersion.toString(16)}`);
  }
  const clientMax = clientMaxVersion(ch);
  if (ch.cipherSuites.includes(CipherSuite.TLS_FALLBACK_SCSV) && clientMax < config.maxVersion) {
    throw new TlsError('InappropriateFallback', `TLS_FALLBACK_SCSV from a client at 0x${clientMax.toString(16)}, we support 0x${config.maxVersion.toString(16)}`);
  }
}

/**
 * RFC 8422 §5.1.2: "If the client sends the extension and the extension does not contain the
 * uncompressed point format … the server MUST abort the handshake and return an
 * illegal_parameter alert."
 * @throws TlsError NoPointFormat (illegal_parameter).
 */
export function checkPointFormats(ch: ClientHello): void {
  const f = ch.ext.ecPointFormats;
  if (f !== undefined && !f.includes(ECPointFormat.uncompressed)) throw new TlsError('NoPointFormat', `ec_point_formats ${JSON.stringify(f)} lacks uncompressed(0)`);
}

/**
 * RFC 8422 §5.1.1 / §4: the group for ECDHE, by server preference, among the client's
 * supported_groups — or, when the extension is absent, secp256r1 ("servers SHOULD assume
 * support for … secp256r1"). The hybrid ML-KEM groups are not defined for TLS 1.2.
 * @throws TlsError NoCommonGroup (handshake_failure).
 */
export function chooseGroup12(config: HandshakeConfig, supportedGroups: readonly number[] | undefined): Group12 {
  const offered = supportedGroups ?? [NAMED_GROUP_CODEPOINT.secp256r1];
  const g = config.groups.find((x): x is Group12 => x !== 'X25519MLKEM768' && offered.includes(NAMED_GROUP_CODEPOINT[x]));
  if (g === undefined) throw new TlsError('NoCommonGroup', `client supports groups ${fmt(offered)}, we serve ${config.groups.filter((x) => x !== 'X25519MLKEM768').join(', ')} in TLS 1.2`);
  return g;
}

/** Which ECDHE suites a key authenticates: RSA keys ECDHE_RSA; ECDSA and Ed25519 keys ECDHE_ECDSA (RFC 8422 §5.1.1, RFC 8446 §4.2.3). */
export function authOf(key: PrivateKey): 'rsa' | 'ecdsa' {
  return key.kind === 'rsa' ? 'rsa' : 'ecdsa';
}

/**
 * The schemes to assume when the client sent no signature_algorithms, by the suite's
 * authentication (RFC 5246 §7.4.1.4.1): "If the negotiated key exchange algorithm is one of (RSA,
 * DHE_RSA, DH_RSA, RSA_PSK, ECDH_RSA, ECDHE_RSA), behave as if client had sent the value
 * {sha1,rsa}. … If the negotiated key exchange algorithm is one of (ECDH_ECDSA, ECDHE_ECDSA),
 * behave as if the client had sent value {sha1,ecdsa}." We never sign with SHA-1 (it is in no
 * key's `schemes12`), so such a client gets handshake_failure, as from OpenSSL 3.
 */
export function defaultSchemes12(auth: 'rsa' | 'ecdsa'): readonly number[] {
  return auth === 'rsa' ? [SignatureScheme.rsa_pkcs1_sha1] : [SignatureScheme.ecdsa_sha1];
}

/**
 * RFC 8422 §5.3: the server's ECDSA "public key MUST use a curve and point format supported by the
 * client, as described in Section 5.1" — its curve must be in supported_groups when that is sent
 * (OpenSSL clients enforce it: "wrong curve"). RSA and Ed25519 keys have no such constraint.
 */
export function curveSupported(key: PrivateKey, clientGroups: readonly number[] | undefined): boolean {
  return key.kind !== 'ec' || clientGroups === undefined || clientGroups.includes(NAMED_GROUP_CODEPOINT[key.curve]);
}

/** What the full handshake signs with: a certificate, or (an ECDHE_PSK suite) nothing. */
export type CertChoice12 =
  | {
      readonly suite: SuiteInfo;
      readonly cert: CertifiedKey;
      readonly scheme: number;
      /** Index into `config.certificates`. */
      readonly index: number;
    }
  | { readonly suite: SuiteInfo; readonly cert: undefined; readonly scheme: undefined; readonly index: undefined };

/** The TLS 1.2 suites both sides enable, in the order that wins (server's, or the client's when `honorCipherOrder` is off). */
export function mutualSuites12(config: HandshakeConfig, offered: readonly number[]): SuiteInfo[] {
  const ours = config.cipherSuites.filter((c) => suiteByCode(c)?.version === TLS12);
  const codes = config.honorCipherOrder ? ours.filter((c) => offered.includes(c)) : offered.filter((c) => ours.includes(c));
  return codes.map((c) => suiteByCode(c)!);
}

/**
 * RFC 5246 §7.4.1.3 / §7.4.2: the suite, certificate and signature scheme. Certificates whose
 * names match the SNI host are tried first (then the rest, default first); within that tier the
 * first suite in preference order that one of its certificates can authenticate wins, with the
 * first of the client's signature_algorithms (or {@link defaultSchemes12}, SHA-1 only, which no key
 * makes) the key can make. An
 * ECDSA certificate also needs its curve in the client's supported_groups ({@link curveSupported}).
 * An ECDHE_PSK suite needs no certificate, only `config.externalPsk` (OpenSSL: "with PSK there must
 * be server callback set"); it is chosen in its place in the preference order.
 * @throws TlsError NoCommonCipherSuite (handshake_failure) when no enabled TLS 1.2 suite is offered,
 *   or none fits a certificate we have; NoCommonSignatureScheme (handshake_failure) when a suite
 *   fits a certificate but the client accepts none of its signature schemes.
 */
export function chooseSuiteAndCert12(
  config: HandshakeConfig,
  serverName: string | undefined,
  offered: readonly number[],
  clientSchemes: readonly number[] | undefined,
  clientGroups: readonly number[] | undefined,
): CertChoice12 {
  const suites = mutualSuites12(config, offered);
  if (suites.length === 0) throw new TlsError('NoCommonCipherSuite', `client offered ${fmt(offered)}, we enable ${fmt(config.cipherSuites.filter((c) => suiteByCode(c)?.version === TLS12))} for TLS 1.2`);
  const certs = config.certificates;
  const matches = (c: CertifiedKey) => serverName !== undefined && c.dnsNames.some((n) => nameMatches(n, serverName));
  const tiers = serverName === undefined ? [certs] : [certs.filter(matches), certs.filter((c) => !matches(c))];
  let authFits = false;
  // The scheme a certificate would sign with: the first of the client's list (or the implied one)
  // its key can make — once per certificate and authentication, so that a long client list costs
  // linear time, not that times the number of suites.
  const schemes = new Map<CertifiedKey, number | undefined>();
  const schemeFor = (cert: CertifiedKey, auth: 'rsa' | 'ecdsa'): number | undefined => {
    if (!schemes.has(cert)) schemes.set(cert, (clientSchemes ?? defaultSchemes12(auth)).find((s) => cert.schemes12.includes(s)));
    return schemes.get(cert);
  };
  for (const tier of tiers) {
    for (const suite of suites) {
      if (suite.auth === 'psk') {
        if (config.externalPsk === undefined) continue;
        return { suite, cert: undefined, scheme: undefined, index: undefined };
      }
      for (const cert of tier) {
        if (authOf(cert.key) !== suite.auth || !curveSupported(cert.key, clientGroups)) continue;
        authFits = true;
        // The server never signs with a scheme the client did not offer (RFC 5246 §7.4.1.4.1).
        const scheme = schemeFor(cert, authOf(cert.key));
        if (scheme !== undefined) return { suite, cert, scheme, index: certs.indexOf(cert) };
      }
    }
  }
  if (!authFits) throw new TlsError('NoCommonCipherSuite', `no certificate for the offered suites ${fmt(suites.map((s) => s.code))}`);
  throw new TlsError('NoCommonSignatureScheme', `client signature_algorithms ${clientSchemes ? fmt(clientSchemes) : '(absent)'} fit none of our keys`);
}

/** TLS 1.3 is the highest version we serve (RFC 8446 §4.1.3: downgrade sentinel needed when serving 1.2). */
export function tls13Enabled(config: HandshakeConfig): boolean {
  return config.maxVersion >= TLS13;
}

function fmt(codes: readonly number[]): string {
  return codes.map((c) => '0x' + c.toString(16).padStart(4, '0')).join(',');
}
