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
} from './core/connection';
export {
  ADAPTER_REASONS,
  DISCONNECTED_MESSAGE,
  TlsAdapterError,
  isPuretlsError,
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
  DEFAULT_SNI_TIMEOUT,
  NODE_TICKET_KEYS_LENGTH,
  ticketKeyRingFromNodeKeys,
  type NodeCompatOptions,
  type NodeStyleContextOptions,
  type NodePemInput,
  type SniAnswer,
  type SniCallback,
} from './node/node-compat';
export { serveWww, WwwServer, WWW_ALPN, describeConnection, signatureSchemeName, type ConnectionSummary, type WwwOptions, type WwwRequestLog } from './cli/www';
export { accept, PLAINTEXT_HIGH_WATER_MARK, type AcceptOptions, type TlsStreams } from './web-streams';
