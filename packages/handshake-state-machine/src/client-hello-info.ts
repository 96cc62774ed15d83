/**
 * What the server's negotiation reads from a ClientHello, extracted once from the decoded message
 * (the codec in `msgs/client-hello.ts` does the strict decoding; this is the server's view of it).
 */

import type { KeyShareEntry } from './msgs/key-share';

export interface PskOffer {
  readonly identities: readonly { readonly identity: Uint8Array; readonly obfuscatedTicketAge: number }[];
  readonly binders: readonly Uint8Array[];
  /** Length of the ClientHello message (header included) up to the binders list: the truncated ClientHello of RFC 8446 §4.2.11.2. */
  readonly truncatedLength: number;
}

export interface ClientHelloInfo {
  /** The whole handshake message, header included (for the transcript). */
  readonly raw: Uint8Array;
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: Uint8Array;
  /** Extension types in the order sent (GREASE included). */
  readonly extensionTypes: readonly number[];
  /** supported_versions, or `undefined` when absent. */
  readonly supportedVersions: readonly number[] | undefined;
  /** The host_name of server_name, or `undefined`. */
  readonly serverName: string | undefined;
  readonly supportedGroups: readonly number[] | undefined;
  /** key_share entries; empty when the extension is absent or empty. */
  readonly keyShares: readonly KeyShareEntry[];
  readonly hasKeyShareExtension: boolean;
  readonly signatureAlgorithms: readonly number[] | undefined;
  readonly signatureAlgorithmsCert: readonly number[] | undefined;
  readonly alpn: readonly string[] | undefined;
  readonly pskKeyExchangeModes: readonly number[] | undefined;
  readonly preSharedKey: PskOffer | undefined;
  readonly earlyData: boolean;
  readonly cookie: Uint8Array | undefined;
  readonly recordSizeLimit: number | undefined;
  readonly extendedMasterSecret: boolean;
  readonly renegotiationInfo: Uint8Array | undefined;
  readonly ecPointFormats: Uint8Array | undefined;
  /** session_ticket (RFC 5077): `undefined` when absent, possibly empty. */
  readonly sessionTicket: Uint8Array | undefined;
  /** The raw `(type, data)` list, in order. */
  readonly extensions: readonly { readonly type: number; readonly data: Uint8Array }[];
}
