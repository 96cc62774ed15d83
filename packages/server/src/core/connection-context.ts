/**
 * What a `ServerConnection` reads from the context it was made from. `ServerContext` implements
 * it; the connection depends on this interface only, so the two files do not import each other.
 */
import type { CryptoProvider } from '@puretls/crypto';
import type { HandshakeConfig } from '@puretls/handshake-state-machine';
import type { SessionGlue } from './session-glue';

/**
 * What a {@link ServerConnection} needs of its context: the handshake configuration, the session
 * glue and the connection-level settings. `ServerContext` implements it; the interface keeps the
 * connection free of the context's construction code.
 */
export interface ConnectionContext {
  readonly provider: CryptoProvider;
  readonly handshake: HandshakeConfig;
  /** Largest handshake message accepted from a client (record layer default when `undefined`). */
  readonly maxHandshakeMessageLength: number | undefined;
  /** Consecutive records without content tolerated (record layer). */
  readonly maxEmptyRecords: number;
  /** Consecutive warning alerts tolerated (record layer). */
  readonly maxWarningAlerts: number;
  /** KeyUpdates received in a row without application data in between. */
  readonly maxKeyUpdates: number;
  /** The clock (ms). */
  readonly now: () => number;
  /** The session subsystem's glue. */
  readonly sessions: SessionGlue;
  /**
   * External PSKs, asked with the connection itself (`ServerContextOptions.externalPsk`); absent:
   * the connection uses `handshake.externalPsk` as it is.
   */
  externalPsk?(identity: Uint8Array, info: { readonly version: 'TLSv1.2' | 'TLSv1.3'; readonly serverName: string | undefined; readonly connection: object | undefined }): Uint8Array | undefined;
}
