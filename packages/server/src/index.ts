export { NO_SESSIONS, type SessionGlue } from './session-glue';
export { CacheSessionGlue, type TicketMode, type CacheSessionGlueOptions } from './sessions';
export { ServerContext, DEFAULT_MAX_KEY_UPDATES, type ServerContextOptions, type CertificateOption, type TlsVersionName } from './context';
export {
  ServerConnection,
  cipherName,
  MAX_EARLY_WRITE_BUFFER,
  MAX_BUFFERED_WHILE_WAITING,
  type ServerConnectionEvents,
  type ServerConnectionOptions,
  type ConnectionPhase,
} from './connection';
export {
  createServer,
  PureTlsServer,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_BUFFERED_BYTES,
  type PureTlsServerOptions,
  type PureTlsAdapterOptions,
  type PureTlsServerEvents,
} from './node-adapter';
export { PureTlsSocket, TlsSocketError, type EphemeralKeyInfo } from './tls-socket';
export {
  DEFAULT_SNI_TIMEOUT,
  NODE_TICKET_KEYS_LENGTH,
  ticketKeyRingFromNodeKeys,
  type NodeCompatOptions,
  type NodeStyleContextOptions,
  type NodePemInput,
  type SniAnswer,
  type SniCallback,
} from './node-compat';
export { serveWww, describeConnection, signatureSchemeName, type ConnectionSummary } from './www';
export { accept, TlsStreamError, PLAINTEXT_HIGH_WATER_MARK, type AcceptOptions, type TlsStreams } from './web-streams';
