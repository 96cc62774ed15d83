/**
 * The narrow interface between a handshake state and the connection that owns the record layer.
 * The state machine never touches bytes on the wire, sockets, timers or the session cache: it
 * calls these methods, and the connection turns them into records and events.
 */
import type { NamedGroup } from '@puretls/crypto';

/** Keys for one direction of record protection: the record layer's type (it owns them once handed over). */
export type { TrafficKeys } from '@puretls/record-layer';
import type { TrafficKeys } from '@puretls/record-layer';

/** What a completed handshake negotiated (what `getProtocol()`, `getCipher()` and the `--www` page show). */
export interface NegotiatedInfo {
  readonly version: 0x0303 | 0x0304;
  readonly cipherSuite: number;
  /** The key exchange group, or `undefined` for TLS 1.3 psk_ke. */
  readonly group: NamedGroup | undefined;
  /** The signature scheme of the server's CertificateVerify/ServerKeyExchange, or `undefined` when resumed. */
  readonly signatureScheme: number | undefined;
  readonly serverName: string | undefined;
  readonly alpnProtocol: string | undefined;
  /** Whether a HelloRetryRequest was sent. */
  readonly helloRetry: boolean;
  readonly resumed: boolean;
  /** Index into the configured certificates, or `undefined` when resumed. */
  readonly certificateIndex: number | undefined;
}

export type HandshakeEvent =
  | { readonly type: 'handshakeComplete'; readonly info: NegotiatedInfo }
  /** A KeyUpdate was received (RFC 8446 §4.6.3); `requested` = the peer asked us to update too. */
  | { readonly type: 'keyUpdate'; readonly requested: boolean }
  /** A secret for key logging (NSS SSLKEYLOGFILE labels). Only delivered when the connection enables it. */
  | { readonly type: 'secret'; readonly label: string; readonly clientRandom: Uint8Array; readonly secret: Uint8Array };

export interface HandshakeIo {
  /** The version is chosen: the record layer applies its rules (TLS 1.3: compatibility CCS dropped). */
  setVersion(version: 'tls12' | 'tls13'): void;
  /**
   * record_size_limit was negotiated (RFC 8449 §4): `peer` is what the client advertised (our
   * outgoing protected records fit it), `own` what we advertised (incoming records must fit it).
   */
  setRecordSizeLimits(peer: number, own: number): void;
  /** Queue a handshake message (with its 4-byte header) in the current write epoch. */
  sendHandshake(raw: Uint8Array): void;
  /** Queue the middlebox-compatibility change_cipher_spec record (RFC 8446 §D.4). */
  sendChangeCipherSpec(): void;
  /** Switch the write direction to new keys; everything queued before goes out under the old ones. */
  setWriteKeys(keys: TrafficKeys): void;
  /** Switch the read direction to new keys. A handshake message split across the change is an error. */
  setReadKeys(keys: TrafficKeys): void;
  /** From now on application data may flow (both directions). */
  handshakeDone(): void;
  emit(event: HandshakeEvent): void;
}
