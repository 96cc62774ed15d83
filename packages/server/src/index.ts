export { NO_SESSIONS, type SessionGlue } from './session-glue';
export { CacheSessionGlue, type TicketMode, type CacheSessionGlueOptions } from './sessions';
export { ServerContext, type ServerContextOptions, type CertificateOption, type TlsVersionName } from './context';
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
  type PureTlsServerOptions,
  type PureTlsAdapterOptions,
  type PureTlsServerEvents,
} from './node-adapter';
export { PureTlsSocket, TlsSocketError, type EphemeralKeyInfo } from './tls-socket';
export { serveWww, describeConnection, signatureSchemeName, type ConnectionSummary } from './www';
