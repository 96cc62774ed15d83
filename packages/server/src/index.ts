export { NO_SESSIONS, type SessionGlue } from './core/session-glue';
export { CacheSessionGlue, type TicketMode, type CacheSessionGlueOptions } from './core/sessions';
export { ServerContext, DEFAULT_MAX_KEY_UPDATES, type ServerContextOptions, type CertificateOption, type TlsVersionName } from './core/context';
export { type CaOption, type ClientAuthOptions, type ClientAuthPolicy } from './core/client-auth';
export {
  ServerConnection,
  cipherName,
  MAX_EARLY_WRITE_BUFFER,
  MAX_BUFFERED_WHILE_WAITING,
  type ServerConnectionEvents,
  type ServerConnectionOptions,
  type ConnectionPhase,
  MIN_SEND_FRAGMENT,
  MAX_SEND_FRAGMENT,
} from './core/connection';
export { ConnectionStateError, isConnectionStateError, type ConnectionStateErrorCode } from './core/connection-state-error';
export {
  ADAPTER_REASONS,
  DISCONNECTED_MESSAGE,
  TlsAdapterError,
  isPuretlsError,
  isTlsAdapterError,
  type AdapterErrorCode,
  type AdapterReason,
} from './lifecycle/adapter-error';
export { ConnectionStats, serverCloseReason, type ClosePhase, type ConnectionStatsSnapshot, type ServerClose } from './lifecycle/close-stats';
export { CLOSE_GRACE_MS } from './lifecycle/lifecycle';
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
export { serveWww, WwwServer, WWW_ALPN, describeConnection, signatureSchemeName, type ConnectionSummary, type WwwOptions, type WwwRequestLog } from './cli/www';
export { accept, PLAINTEXT_HIGH_WATER_MARK, type AcceptOptions, type TlsStreams } from './web-streams';
