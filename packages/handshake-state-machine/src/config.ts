/**
 * What the handshake needs to know about the server's configuration. Built (and validated) once
 * by the server's `ServerContext`; the state machine only reads it.
 */
import type { CryptoProvider, NamedGroup, PrivateKey } from '@puretls/crypto';

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
  readonly minVersion: 0x0303 | 0x0304;
  readonly maxVersion: 0x0303 | 0x0304;
  /**
   * Groups listed in EncryptedExtensions' supported_groups (RFC 8446 §4.2.7: "servers MAY send"):
   * `undefined` sends none; an array of codepoints sends exactly those (RFC 8448 replays).
   */
  readonly advertisedGroups?: readonly number[];
  /**
   * Makes the HelloRetryRequest cookie (RFC 8446 §4.2.2). The second ClientHello must echo it
   * exactly. Default: 32 bytes from the randomness source.
   */
  readonly makeHrrCookie?: () => Uint8Array;
  /** Our record_size_limit (RFC 8449 §4), sent when the client offers the extension. 2^14 + 1 by default. */
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
}

/**
 * Bounds on one ClientHello, so that the work a handshake costs does not grow with what the
 * client sends. Real clients stay far below every default (Chrome, Firefox, curl: about 2 KiB,
 * 15–20 extensions GREASE included, 1–3 key shares, 1–2 PSK identities).
 */
export interface ClientHelloLimits {
  /**
   * Largest ClientHello body in bytes ({@link DEFAULT_MAX_CLIENT_HELLO_LENGTH}); larger →
   * `ClientHelloTooLarge` (decode_error) before it is parsed.
   */
  readonly maxLength: number;
  /**
   * Most extensions in one ClientHello ({@link DEFAULT_MAX_CLIENT_HELLO_EXTENSIONS}); more →
   * `TooManyExtensions` (decode_error).
   */
  readonly maxExtensions: number;
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

/**
 * Default largest ClientHello body: 32 KiB. A ClientHello with several post-quantum shares
 * (ML-KEM-1024 alone is 1568 bytes) and a few large tickets stays under 8 KiB; OpenSSL allows
 * 128 KiB, which only matters for odd clients.
 */
export const DEFAULT_MAX_CLIENT_HELLO_LENGTH = 32 * 1024;
/** Default most ClientHello extensions: 64 (there are about 60 registered types of any use). */
export const DEFAULT_MAX_CLIENT_HELLO_EXTENSIONS = 64;
/** Default key shares considered: 8. */
export const DEFAULT_MAX_KEY_SHARES = 8;
/** Default PSK identities looked up: 8. */
export const DEFAULT_MAX_PSK_IDENTITIES = 8;

/** The limits in force: `config.clientHelloLimits` over the defaults. */
export function clientHelloLimits(config: Pick<HandshakeConfig, 'clientHelloLimits'>): ClientHelloLimits {
  const l = config.clientHelloLimits ?? {};
  return {
    maxLength: l.maxLength ?? DEFAULT_MAX_CLIENT_HELLO_LENGTH,
    maxExtensions: l.maxExtensions ?? DEFAULT_MAX_CLIENT_HELLO_EXTENSIONS,
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
