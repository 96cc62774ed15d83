export * from './provider';
export { systemRandom, type RandomSource } from './random';
export * from './errors';
export type * from './keys/types';
export * from './keys';
export * from './x509';
export * from './pkcs12';
export {
  signatureSchemesFor,
  keyCanUseScheme,
  isTls13SignatureScheme,
  signatureSchemeInfo,
  X509_HASH_BYTES,
  x509AlgorithmFitsKey,
  type SchemeInfo,
  type SignatureHash,
  type X509SignatureAlgorithm,
  type X509SignatureHash,
} from './signatures';
export { isPromiseLike } from './maybe-async';
export { equalConstantTime, bytesToHex, hexToBytes, concatBytes, latin1ToBytes, bytesToLatin1 } from './bytes';
export * from './tls-kdf';
export { createNobleProvider, type ProviderOptions } from './noble/provider';
export { createNodeProvider } from './node/provider';
export { toNodeX509Certificate, type NodeX509Certificate } from './node/x509-certificate';
