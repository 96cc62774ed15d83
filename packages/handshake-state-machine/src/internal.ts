/**
 * `@puretls/handshake-state-machine/internal`: every codec, state and rule helper, for the workspace's
 * own tests, test clients, benchmarks and fuzz targets. Not published (the tarball exports only
 * `.`, `src/index.ts`); no package's `src/` imports it.
 */
export * from './msgs/enums';
export * from './msgs/handshake-message';
export * from './msgs/message-limits';
export * from './msgs/extensions';
export * from './msgs/server-name';
export * from './msgs/key-share';
export * from './msgs/pre-shared-key';
export * from './msgs/client-hello';
export * from './msgs/server-hello';
export * from './msgs/encrypted-extensions';
export * from './msgs/certificate';
export * from './msgs/certificate-request';
export * from './msgs/certificate-verify';
export * from './msgs/certificate-status';
export * from './msgs/finished';
export * from './msgs/new-session-ticket';
export * from './msgs/key-update';
export * from './msgs/end-of-early-data';
export * from './msgs/message-hash';
export * from './msgs/decode-handshake';
export * from './msgs/server-key-exchange';
export * from './msgs/server-hello-done';
export * from './msgs/client-key-exchange';
// ---- the server state machine ----
export * from './suites';
export * from './config';
export * from './client-auth-config';
export * from './io';
export { KeySchedule13, trafficKeys, nextTrafficSecret, resumptionPsk } from './tls13/key-schedule';
export { Transcript } from './common/transcript';
export { AwaitSession, type StateContext } from './common/state';
export { readHello, type Hello } from './common/hello';
export { chooseAlpn } from './common/alpn';
export { ExpectClientHello, certificateIndexFor } from './hs';
export { ocspStapleFor, requestsOcsp, CERTIFICATE_STATUS_OCSP } from './common/ocsp-stapling';
export { offersTls13, negotiatesTls13 } from './tls13/client-hello-checks';
export {
  ExpectClientHello2,
  ExpectEndOfEarlyData,
  ExpectFinished,
  Traffic13,
  startTls13,
  keysFor,
  PskKeyExchangeMode,
  MAX_PSK_IDENTITIES,
  type Tls13ServerState,
} from './tls13/server-states';
export { computeBinder, clientTicketAge, ticketAgeIsFresh, MAX_TICKET_LIFETIME_S, EARLY_DATA_AGE_WINDOW_MS } from './tls13/psk';
export { encodeSessionState, decodeSessionState, SESSION_STATE_FORMAT, type SessionState } from './common/session-state';
export { openStoredSession, sameServerName, type Resumable } from './common/resumption';
export { groupByCode } from './tls13/negotiate';
export { assertNever, type ServerState, type ServerStateKind } from './server-state';
export { ExpectCertificate, ExpectCertificateVerify, certificateRequest13 } from './tls13/client-auth13';
export { ExpectCertificate12, ExpectCertificateVerify12, certificateRequest12 } from './tls12/client-auth12';
export { CLIENT_SIGNATURE_SCHEMES12, CLIENT_SIGNATURE_SCHEMES13, type ClientCertificate } from './common/client-certificate';
export {
  ExpectClientKeyExchange,
  ExpectChangeCipherSpec12,
  ExpectFinished12,
  Traffic12,
  startTls12,
  checkClientHello12,
  serverHelloExtensions12,
  buildServerKeyExchange,
  ownRecordSizeLimit12,
  MAX_REFUSED_RENEGOTIATIONS,
  type Tls12ServerState,
  type ServerHelloExtensions12,
  type Traffic12Secrets,
} from './tls12/server-states';
export {
  exportKeyingMaterial13,
  exportKeyingMaterial12,
  isReservedExporterLabel12,
  maxExportLength13,
  RESERVED_EXPORTER_LABELS12,
  MAX_EXPORTER_LABEL13,
  MAX_EXPORTER_CONTEXT12,
  type ExporterInput12,
} from './common/keying-material-exporter';
export { masterSecret12, keyBlock12, trafficKeys12, verifyData12, ecdhePskPremaster, MASTER_SECRET_LENGTH, TLS12_IV_LENGTH, type Tls12Keys } from './tls12/key-schedule';
export {
  checkVersion12,
  checkPointFormats,
  chooseGroup12,
  chooseSuiteAndCert12,
  curveSupported,
  mutualSuites12,
  defaultSchemes12,
  clientMaxVersion,
  clientOffersTls12,
  authOf,
  type Group12,
  type CertChoice12,
} from './tls12/negotiate';
