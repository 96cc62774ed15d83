export { ServerContext, type ServerContextOptions, type CertificateOption, type TlsVersionName } from './context';
export {
  ServerConnection,
  cipherName,
  MAX_EARLY_WRITE_BUFFER,
  type ServerConnectionEvents,
  type ServerConnectionOptions,
  type ConnectionPhase,
} from './connection';
