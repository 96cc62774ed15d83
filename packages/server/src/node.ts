/**
 * `@puretls/server/node`: puretls on `node:net`, shaped like Node's `tls` module —
 * {@link createServer} (a `tls.Server`-like {@link PureTlsServer} whose sockets are
 * {@link PureTlsSocket}s, `tls.TLSSocket`-like Duplexes), {@link createSecureContext}, Node's
 * option names, cipher strings and ticket keys. Node only (it imports `node:net`, `node:stream`,
 * `node:events`); the runtime-neutral core is `@puretls/server`.
 */
export {
  createServer,
  PureTlsServer,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_BUFFERED_BYTES,
  type PureTlsCloseOptions,
  type PureTlsServerOptions,
  type PureTlsAdapterOptions,
  type PureTlsServerEvents,
  type PureTlsServerStats,
} from './node/node-adapter';
export { PureTlsSocket, type EphemeralKeyInfo } from './node/tls-socket';
export { handTo } from './node/hand-to';
export {
  NODE_TICKET_KEYS_LENGTH,
  ticketKeyRingFromNodeKeys,
  type NodeSecureContextOptions,
  type NodePemInput,
  type NodePfxInput,
} from './node/node-compat';
export { DEFAULT_SNI_TIMEOUT, type AlpnCallback, type NodeCompatOptions, type NodeStyleContextOptions, type SniAnswer, type SniCallback } from './node/server-contexts';
export { createSecureContext, PureTlsSecureContext } from './node/secure-context';
export { KNOWN_OPTIONS, type OptionOrigin, type OptionRow, type OptionScope } from './node/node-options';
export { parseNodeCiphers, OPENSSL_DEFAULT_CIPHERSUITES, type CipherSelection } from './node/openssl-ciphers';
