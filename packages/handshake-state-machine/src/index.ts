/**
 * `@puretls/handshake-state-machine`: the sans-IO TLS 1.2/1.3 server handshake. A connection starts
 * in {@link ExpectClientHello} with a {@link HandshakeConfig}; each state's `handle` returns the
 * next {@link ServerState}, and everything the handshake wants done (records to send, keys to
 * install, sessions to store or look up) arrives through the {@link HandshakeIo} it is given. It
 * owns every TLS rule, resumption included ({@link encodeSessionState} is what a session carries).
 * `@puretls/server`'s `ServerConnection` drives it; the wire codecs stay internal.
 */
export {
  DEFAULT_MAX_KEY_SHARES,
  DEFAULT_MAX_PSK_IDENTITIES,
  clientHelloLimits,
  type CertifiedKey,
  type ClientHelloLimits,
  type HandshakeConfig,
  type OcspStaple,
  MAX_PSK_IDENTITY_LENGTH,
  MAX_EXTERNAL_PSK_LENGTH,
  type ExternalPskLookup,
  type ExternalPskQuery,
} from './config';
export { MAX_CA_NAMES_LENGTH, type ClientAuthConfig, type ClientChainVerdict } from './client-auth-config';
export type {
  ClientAuthentication,
  FinishedPair,
  HandshakeEvent,
  HandshakeIo,
  IssuedTicket,
  NegotiatedInfo,
  NewSession12,
  SessionRefusal,
  StoredSession,
  TicketToIssue,
  TrafficKeys,
} from './io';
export { SUITES, suiteByCode, suiteByName, type SuiteInfo } from './suites';
export { HandshakeType } from './msgs/enums';
export { MAX_CLIENT_HELLO_LENGTH, clientMessageLimit } from './msgs/message-limits';
export { readHello, type Hello } from './common/hello';
export { ExpectClientHello, certificateIndexFor } from './hs';
export { requestsOcsp } from './common/ocsp-stapling';
export { isReservedExporterLabel12 } from './common/keying-material-exporter';
export { AwaitSession, type StateContext } from './common/state';
export { assertNever, type ServerState, type ServerStateKind } from './server-state';
export { encodeSessionState, decodeSessionState, SESSION_STATE_FORMAT, type SessionState } from './common/session-state';
export { MAX_TICKET_LIFETIME_S } from './tls13/psk';
export { type ClientCertificate } from './common/client-certificate';
