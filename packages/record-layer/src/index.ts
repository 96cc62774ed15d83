export * from './alerts';
export * from './errors';
export * from './codec';
export * from './record';
export { RecordReader } from './deframer';
export {
  AEAD_CONFIDENTIALITY_LIMIT,
  AEAD_KEY_UPDATE_THRESHOLD,
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  GCM_EXPLICIT_NONCE_LENGTH,
  GCM_SALT_LENGTH,
  NullDecrypter,
  NullEncrypter,
  Tls12Decrypter,
  Tls12Encrypter,
  Tls13Decrypter,
  Tls13Encrypter,
  createDecrypter,
  createEncrypter,
  type KeyUsage,
  type OpenedRecord,
  type RecordDecrypter,
  type RecordEncrypter,
  type TrafficKeys,
} from './protection';
export { RecordWriter, padToMultipleOf, type PaddingPolicy } from './fragmenter';
export { HandshakeJoiner, type HandshakeMessage, type HandshakeMessageLimit } from './handshake-joiner';
export { decodeAlert, encodeAlert, isChangeCipherSpec, type Alert } from './alert';
export {
  RecordLayer,
  type AlertEvent,
  type ApplicationDataEvent,
  type ChangeCipherSpecEvent,
  type RecordEvent,
  type RecordLayerOptions,
} from './record-layer';
