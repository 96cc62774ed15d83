/**
 * `@puretls/server`: the runtime-neutral API — runs on Node, Deno, Bun, in a worker or a browser
 * bundle. Nothing reachable from this entry imports `node:*` (a test bundles it with esbuild
 * `--platform=browser`).
 *
 * - {@link ServerContext}: one configuration (certificates, versions, suites, groups, ALPN, crypto
 *   provider, randomness, session cache, ticket keys), like OpenSSL's `SSL_CTX`.
 * - {@link ServerConnection}: one connection, sans-IO: `receive(bytes)`, `takeOutput()`,
 *   `write(data)`, `close()`, events. No sockets, no timers.
 * - {@link accept}: a `ServerConnection` on a pair of Web Streams (`Deno.listen`, `Bun.listen`,
 *   `cloudflare:sockets`, …), with the handshake and idle timers.
 *
 * The `tls.createServer`-like adapter on `node:net` is `@puretls/server/node`.
 */
export { ServerContext, DEFAULT_MAX_KEY_UPDATES, type ServerContextOptions, type CertificateOption, type TlsVersionName, type ExternalPskCallback, type ExternalPskInfo } from './core/context';
export { type CaOption, type ClientAuthOptions, type ClientAuthPolicy } from './core/client-auth';
export {
  ServerConnection,
  cipherName,
  MAX_EARLY_WRITE_BUFFER,
  MAX_BUFFERED_WHILE_WAITING,
  MIN_SEND_FRAGMENT,
  MAX_SEND_FRAGMENT,
  type ServerConnectionEvents,
  type ServerConnectionOptions,
  type ConnectionPhase,
} from './core/connection';
export { ConnectionStateError, isConnectionStateError, type ConnectionStateErrorCode } from './core/connection-state-error';
export { type ConnectionContext } from './core/connection-context';
export { NO_SESSIONS, type SessionGlue } from './core/session-glue';
export { CacheSessionGlue, type TicketMode, type CacheSessionGlueOptions } from './core/sessions';
export { accept, PLAINTEXT_HIGH_WATER_MARK, type AcceptOptions, type TlsStreams } from './web-streams';
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
