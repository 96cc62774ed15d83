export * from './handshake-message';
export * from './suites';
export * from './config';
export * from './io';
export * from './client-hello-info';
export { KeySchedule13, trafficKeys, nextTrafficSecret, resumptionPsk } from './tls13/key-schedule';
export { Transcript } from './tls13/transcript';
export {
  ExpectClientHello,
  ExpectClientHello2,
  ExpectFinished,
  Traffic13,
  offersTls13,
  keysFor,
  type Tls13ServerState,
  type StateContext,
} from './tls13/server-states';
export * as messages13 from './tls13/messages';
export { groupByCode } from './tls13/negotiate';
