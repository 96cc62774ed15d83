/**
 * The cipher suites puretls serves, and what each one means for the key schedule and the record
 * layer. ECDHE + AEAD only (RFC 8446 §B.4; RFC 5289, RFC 7905 for TLS 1.2) — with an external PSK
 * in TLS 1.2 only ECDHE_PSK with ChaCha20-Poly1305 (RFC 7905 §2, RFC 5489 §2), never plain PSK,
 * DHE_PSK or RSA_PSK.
 */
import type { AeadAlgorithm, HashAlgorithm } from '@puretls/crypto';

/** A cipher suite puretls serves: its code, IANA and OpenSSL names, version, AEAD and hash. */
export interface SuiteInfo {
  readonly code: number;
  /** IANA name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly name: string;
  /** OpenSSL's name (what `getCipher()` reports and `--ciphers` accepts too). */
  readonly opensslName: string;
  readonly version: 0x0303 | 0x0304;
  readonly hash: HashAlgorithm;
  readonly aead: AeadAlgorithm;
  /**
   * TLS 1.2 only: what the suite authenticates with — the certificate key type, or `'psk'` (an
   * external PSK, `HandshakeConfig.externalPsk`: no certificate, RFC 5489 §2).
   */
  readonly auth?: 'ecdsa' | 'rsa' | 'psk';
}

const S = (code: number, name: string, opensslName: string, version: 0x0303 | 0x0304, hash: HashAlgorithm, aead: AeadAlgorithm, auth?: 'ecdsa' | 'rsa' | 'psk'): SuiteInfo =>
  Object.freeze({ code, name, opensslName, version, hash, aead, ...(auth ? { auth } : {}) });

/** Every suite puretls implements, in the default server preference order per version. */
export const SUITES: readonly SuiteInfo[] = Object.freeze([
  // RFC 8446 §B.4
  S(0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 0x0304, 'sha256', 'aes-128-gcm'),
  S(0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', 0x0304, 'sha384', 'aes-256-gcm'),
  S(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 0x0304, 'sha256', 'chacha20-poly1305'),
  // RFC 5289, RFC 7905
  S(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 0x0303, 'sha256', 'aes-128-gcm', 'ecdsa'),
  S(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 0x0303, 'sha384', 'aes-256-gcm', 'ecdsa'),
  S(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 0x0303, 'sha256', 'chacha20-poly1305', 'ecdsa'),
  S(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 0x0303, 'sha256', 'aes-128-gcm', 'rsa'),
  S(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 0x0303, 'sha384', 'aes-256-gcm', 'rsa'),
  S(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 0x0303, 'sha256', 'chacha20-poly1305', 'rsa'),
  // RFC 7905 §2 (ECDHE_PSK, RFC 5489 §2): negotiated only with `HandshakeConfig.externalPsk`.
  S(0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-PSK-CHACHA20-POLY1305', 0x0303, 'sha256', 'chacha20-poly1305', 'psk'),
]);

const BY_CODE = new Map(SUITES.map((s) => [s.code, s]));

/** The suite with this codepoint, or `undefined` when puretls does not implement it. */
export function suiteByCode(code: number): SuiteInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * Looks a suite up by IANA or OpenSSL name (case-insensitive).
 * @throws RangeError naming the unknown suite (configuration error).
 */
export function suiteByName(name: string): SuiteInfo {
  const n = name.trim().toUpperCase();
  const s = SUITES.find((x) => x.name === n || x.opensslName === n);
  if (!s) throw new RangeError(`unknown or unsupported cipher suite ${JSON.stringify(name)}; supported: ${SUITES.map((x) => x.name).join(', ')}`);
  return s;
}
