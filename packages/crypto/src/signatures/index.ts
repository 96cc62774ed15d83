export {
  signatureSchemesFor,
  keyCanUseScheme,
  isTls13SignatureScheme,
  signatureSchemeInfo,
  type SchemeInfo,
  type SignatureHash,
} from './schemes';
export { recoverPssSalt } from './pss-salt';
export { X509_HASH_BYTES, x509AlgorithmFitsKey, type X509SignatureAlgorithm, type X509SignatureHash } from './x509-algorithm';
