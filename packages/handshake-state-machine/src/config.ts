/**
 * What the handshake needs to know about the server's configuration. Built (and validated) once
 * by the server's `ServerContext`; the state machine only reads it.
 */
import type { CryptoProvider, NamedGroup, PrivateKey } from '@puretls/crypto';
import { MAX_CLIENT_HELLO_LENGTH } from './msgs/message-limits';
import type { ClientAuthConfig } from './client-auth-config';

/** A certificate chain with its private key, and what it can sign. */
export interface CertifiedKey {
  /** DER certificates, leaf first. */
  readonly chain: readonly Uint8Array[];
  readonly key: PrivateKey;
  /** DNS names of the leaf (SAN dNSName entries, else the subject CN), lower-case, may include `*.` wildcards. */
  readonly dnsNames: readonly string[];
  /** TLS 1.3 signature schemes the key can make, in the server's preference order. */
  readonly schemes13: readonly number[];
  /** TLS 1.2 signature schemes (adds PKCS#1 for RSA). */
  readonly schemes12: readonly number[];
}

/** What the handshake tells an {@link ExternalPskLookup} about the ClientHello. */
export interface ExternalPskQuery {
  /** The version being negotiated: TLS 1.3 (a pre_shared_key identity) or TLS 1.2 (a PSK suite's ClientKeyExchange). */
  readonly version: 0x0303 | 0x0304;
  /** The SNI host name the client sent, if any. */
  readonly serverName: string | undefined;
}

/**
 * The application's external PSKs (RFC 8446 §4.2.11 "externally established"; RFC 4279 §5):
 * the key for `identity` (1 to {@link MAX_EXTERNAL_PSK_LENGTH} bytes), or `undefined` (also an
 * empty key) when the identity is unknown. Synchronous. The key is copied at once; a throw, or an
 * answer that is no key, fails the handshake (`ExternalPskCallbackFailed`, internal_error).
 */
export type ExternalPskLookup = (identity: Uint8Array, query: ExternalPskQuery) => Uint8Array | undefined;

/** Longest PSK identity looked up, bytes: OpenSSL's PSK_MAX_IDENTITY_LEN (also the longest identity hint). */
export const MAX_PSK_IDENTITY_LENGTH = 256;
/** Longest external PSK, bytes: OpenSSL's PSK_MAX_PSK_LEN (Node's `maxPskLen`). */
export const MAX_EXTERNAL_PSK_LENGTH = 512;

/** An OCSP response (DER `OCSPResponse`, RFC 6960 §4.2.1, opaque here) for one of the certificates. */
export interface OcspStaple {
  readonly certificateIndex: number;
  /** Non-empty (RFC 6066 §8 `opaque OCSPResponse<1..2^24-1>`). */
  readonly response: Uint8Array;
}

/**
 * Everything the handshake needs to know of its server, fixed for one connection: certificates,
 * versions, suites, groups, ALPN, limits, session and ticket settings, client authentication, the
 * crypto provider and clock. Built by `@puretls/server`'s `ServerContext`.
 */
export interface HandshakeConfig {
  readonly provider: CryptoProvider;
  /** At least one. The first is the default when SNI matches none. */
  readonly certificates: readonly CertifiedKey[];
  /** Enabled suites (both versions) in the server's preference order. */
  readonly cipherSuites: readonly number[];
  /** `true` (default): the server's suite order wins; `false`: the client's. */
  readonly honorCipherOrder: boolean;
  /** Enabled groups in the server's preference order. */
  readonly groups: readonly NamedGroup[];
  /**
   * `'avoid-hrr'` (default): among the mutually supported groups prefer one the client already sent
   * a key share for (no HelloRetryRequest round trip), by server preference; `'server'`: always the
   * server's most preferred mutual group, with a HelloRetryRequest when the client has no share for it.
   */
  readonly groupSelection: 'avoid-hrr' | 'server';
  /** ALPN protocols in the server's preference order (empty: ALPN not negotiated). */
  readonly alpnProtocols: readonly string[];
  /**
   * This connection's OCSP response to staple (RFC 6066 §8, RFC 8446 §4.4.2.1) and the certificate
   * it is for (an index into `certificates`): sent only when the client asked (status_request of
   * type ocsp), in a full handshake, with that certificate. Absent: no stapling.
   */
  readonly ocspStaple?: OcspStaple;
  readonly minVersion: 0x0303 | 0x0304;
  readonly maxVersion: 0x0303 | 0x0304;
  /**
   * Groups listed in EncryptedExtensions' supported_groups (RFC 8446 §4.2.7: "servers MAY send"):
   * `undefined` sends none; an array of codepoints sends exactly those (RFC 8448 replays).
   */
  readonly advertisedGroups?: readonly number[];
  /**
   * Sends a `cookie` in HelloRetryRequest (RFC 8446 §4.2.2: the server "MAY provide" one) made by
   * this function; the second ClientHello must echo it exactly. `undefined` (the default, as
   * OpenSSL, rustls, Go and Node): no cookie, and a second ClientHello carrying one is refused.
   * The server is stateful across HelloRetryRequest either way: the cookie is only echoed and compared.
   */
  readonly hrrCookie?: () => Uint8Array;
  /**
   * Our record_size_limit (RFC 8449 §4) as sent in TLS 1.3, content type included: 64..2^14 + 1
   * (2^14 + 1, the protocol's, by default). Sent and enforced only when the client offers the
   * extension; TLS 1.2 sends and enforces one less, at most 2^14 and at least 64
   * (`ownRecordSizeLimit12`).
   */
  readonly recordSizeLimit: number;
  /** Ticket lifetime in seconds, at most 604800 (RFC 8446 §4.6.1). */
  readonly ticketLifetime: number;
  /**
   * max_early_data_size advertised in tickets and accepted on single-use tickets (RFC 8446
   * §4.2.10); 0 disables 0-RTT.
   */
  readonly maxEarlyData: number;
  /**
   * The fingerprint of the security-relevant configuration (certificates, ALPN set, versions,
   * suites, plus the application's session id context): written into every session this handshake
   * makes, and a session made under another one is not resumed (session spec §6; OpenSSL's
   * `sid_ctx` check). Empty: every session of this handshake code matches.
   */
  readonly sessionContext: Uint8Array;
  /** Whether resumption with `psk_ke` (no (EC)DHE, no forward secrecy) is allowed. Default true. */
  readonly allowPskKe: boolean;
  /**
   * TLS 1.2: refuse clients that do not offer extended_master_secret (RFC 7627 §5.2) with
   * handshake_failure (`ExtendedMasterSecretRequired`). Default `false` (OpenSSL's default too).
   */
  readonly requireExtendedMasterSecret?: boolean;
  /**
   * CPU and memory bounds on what one ClientHello may make the server do (see
   * {@link ClientHelloLimits}); omitted fields take the `DEFAULT_*` values below.
   */
  readonly clientHelloLimits?: Partial<ClientHelloLimits>;
  /**
   * Client certificate authentication (see {@link ClientAuthConfig}): a CertificateRequest in
   * every full handshake. Absent (the default): no certificate is requested.
   */
  readonly clientAuth?: ClientAuthConfig;
  /**
   * External PSKs (see {@link ExternalPskLookup}). TLS 1.3: each pre_shared_key identity is first
   * looked up here, then as a ticket (OpenSSL's order); the PSK's hash is SHA-256 (as OpenSSL's
   * `psk_server_callback` PSKs), its binder uses the "ext binder" label (RFC 8446 §7.1), and the
   * key exchange is psk_dhe_ke (psk_ke only under `allowPskKe`). TLS 1.2: the ECDHE_PSK suite
   * becomes negotiable. Absent: no external PSK.
   */
  readonly externalPsk?: ExternalPskLookup;
  /** TLS 1.2 ECDHE_PSK: the psk_identity_hint of ServerKeyExchange (RFC 4279 §5.2), at most 256 bytes; absent: empty. */
  readonly pskIdentityHint?: Uint8Array;
}

/**
 * Bounds on one ClientHello, so that the work a handshake costs does not grow with what the client
 * sends. The size bound defaults to the largest ClientHello the wire format allows (OpenSSL's
 * bound too): any ClientHello a client can send is read, in time and memory linear in its size.
 */
export interface ClientHelloLimits {
  /**
   * Largest ClientHello body in bytes ({@link MAX_CLIENT_HELLO_LENGTH}, the syntax's, by default;
   * at least 512); larger → `MessageTooLarge` (decode_error) from the message header, before any
   * of it is buffered (`clientMessageLimit`).
   */
  readonly maxLength: number;
  /**
   * Key shares considered ({@link DEFAULT_MAX_KEY_SHARES}): later ones are ignored as if not sent
   * (the client may get a HelloRetryRequest instead). Not an error: RFC 8446 §4.2.8 lets a client
   * send any number, the server only uses one.
   */
  readonly maxKeyShares: number;
  /**
   * PSK identities looked up (ticket decryption or a store lookup each), in order
   * ({@link DEFAULT_MAX_PSK_IDENTITIES}); later ones are never tried. Only the selected identity's
   * binder is ever computed (RFC 8446 §4.2.11: "servers SHOULD NOT attempt to validate multiple binders").
   */
  readonly maxPskIdentities: number;
}

/** Default key shares considered: 8. */
export const DEFAULT_MAX_KEY_SHARES = 8;
/** Default PSK identities looked up: 8. */
export const DEFAULT_MAX_PSK_IDENTITIES = 8;

/** The limits in force: `config.clientHelloLimits` over the defaults. */
export function clientHelloLimits(config: Pick<HandshakeConfig, 'clientHelloLimits'>): ClientHelloLimits {
  const l = config.clientHelloLimits ?? {};
  return {
    maxLength: l.maxLength ?? MAX_CLIENT_HELLO_LENGTH,
    maxKeyShares: l.maxKeyShares ?? DEFAULT_MAX_KEY_SHARES,
    maxPskIdentities: l.maxPskIdentities ?? DEFAULT_MAX_PSK_IDENTITIES,
  };
}

/** RFC 6066 §3 names compare case-insensitively; `*.example.com` matches one extra label. */
export function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (p.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return false;
}

/**
 * Chooses the certificate and signature scheme (RFC 8446 §4.4.2.2, §4.2.3): certificates whose
 * names match the SNI host first (then the others, default first), and for each the first scheme of
 * the client's signature_algorithms list that its key can make. `undefined` when none fits.
 */
export function chooseCertificate(
  certificates: readonly CertifiedKey[],
  serverName: string | undefined,
  clientSchemes: readonly number[],
  version: 0x0303 | 0x0304,
): { cert: CertifiedKey; scheme: number } | undefined {
  const ordered = serverName
    ? [...certificates.filter((c) => c.dnsNames.some((n) => nameMatches(n, serverName))), ...certificates.filter((c) => !c.dnsNames.some((n) => nameMatches(n, serverName)))]
    : certificates;
  for (const cert of ordered) {
    const ours = version === 0x0304 ? cert.schemes13 : cert.schemes12;
    const scheme = clientSchemes.find((s) => ours.includes(s));
    if (scheme !== undefined) return { cert, scheme };
  }
  return undefined;
}
