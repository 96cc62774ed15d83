/**
 * TLS 1.3 negotiation steps (Go's `processClientHello` split into small pure functions): version,
 * cipher suite, group, certificate + signature scheme (ALPN: `common/alpn.ts`). Each throws the `TlsError` the RFC
 * names when nothing fits; none has side effects.
 */
import { NAMED_GROUP_CODEPOINT, type NamedGroup } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import { chooseCertificate, type CertifiedKey, type HandshakeConfig } from '../config';
import { suiteByCode, type SuiteInfo } from '../suites';
import type { KeyShareEntry } from '../msgs/key-share';

const GROUP_BY_CODE = new Map<number, NamedGroup>(Object.entries(NAMED_GROUP_CODEPOINT).map(([name, code]) => [code, name as NamedGroup]));

/** The group name for a codepoint we implement, else `undefined`. */
export function groupByCode(code: number): NamedGroup | undefined {
  return GROUP_BY_CODE.get(code);
}

/**
 * RFC 8446 §4.1.1: the suite, by server preference (or client preference when
 * `honorCipherOrder` is off), among the enabled TLS 1.3 suites.
 * @throws TlsError NoCommonCipherSuite (handshake_failure)
 */
export function chooseSuite13(config: HandshakeConfig, offered: readonly number[]): SuiteInfo {
  const ours = config.cipherSuites.filter((c) => suiteByCode(c)?.version === 0x0304);
  const mutual = config.honorCipherOrder ? ours.filter((c) => offered.includes(c)) : offered.filter((c) => ours.includes(c));
  if (mutual.length === 0) throw new TlsError('NoCommonCipherSuite', `client offered ${fmt(offered)}, we enable ${fmt(ours)}`);
  // OpenSSL (ssl3_choose_cipher, `prefer_sha256`): a server with external PSKs and no certificate
  // can only succeed with a PSK, and its PSKs are SHA-256 ones: the first mutual SHA-256 suite wins.
  if (config.externalPsk !== undefined && config.certificates.length === 0) {
    const sha256 = mutual.find((c) => suiteByCode(c)!.hash === 'sha256');
    if (sha256 !== undefined) return suiteByCode(sha256)!;
  }
  return suiteByCode(mutual[0]!)!;
}

export type GroupChoice =
  | { readonly kind: 'share'; readonly group: NamedGroup; readonly clientShare: Uint8Array }
  | { readonly kind: 'retry'; readonly group: NamedGroup };

/**
 * RFC 8446 §4.2.7/§4.2.8: pick the key exchange group. With `'avoid-hrr'`, the first group in
 * the server's order for which the client sent a share; otherwise (or when there is none) the
 * server's most preferred mutually supported group, answered with a HelloRetryRequest when the
 * client has no share for it.
 * @throws TlsError NoCommonGroup (handshake_failure)
 */
export function chooseGroup(config: HandshakeConfig, supportedGroups: readonly number[], keyShares: readonly KeyShareEntry[]): GroupChoice {
  const mutual = config.groups.filter((g) => supportedGroups.includes(NAMED_GROUP_CODEPOINT[g]));
  const shareFor = (g: NamedGroup) => keyShares.find((k) => k.group === NAMED_GROUP_CODEPOINT[g]);
  if (config.groupSelection === 'avoid-hrr') {
    for (const g of mutual) {
      const s = shareFor(g);
      if (s) return { kind: 'share', group: g, clientShare: s.keyExchange };
    }
  }
  const best = mutual[0];
  if (best === undefined) throw new TlsError('NoCommonGroup', `client supports groups ${fmt(supportedGroups)}, we enable ${config.groups.join(', ')}`);
  const s = shareFor(best);
  return s ? { kind: 'share', group: best, clientShare: s.keyExchange } : { kind: 'retry', group: best };
}

/**
 * RFC 8446 §4.4.2.2: a certificate whose key can sign with one of the client's
 * signature_algorithms, preferring those that match the SNI host.
 * @throws TlsError NoCommonSignatureScheme (handshake_failure)
 */
export function chooseCertAndScheme(config: HandshakeConfig, serverName: string | undefined, clientSchemes: readonly number[]): { cert: CertifiedKey; scheme: number; index: number } {
  const choice = chooseCertificate(config.certificates, serverName, clientSchemes, 0x0304);
  if (!choice) throw new TlsError('NoCommonSignatureScheme', `client signature_algorithms ${fmt(clientSchemes)} fit none of our keys`);
  return { ...choice, index: config.certificates.indexOf(choice.cert) };
}

function fmt(codes: readonly number[]): string {
  return codes.map((c) => '0x' + c.toString(16).padStart(4, '0')).join(',');
}
