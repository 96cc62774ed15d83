export {
  parsePrivateKey,
  parseSpki,
  publicKeyOf,
  publicKeysEqual,
  rsaPrivateKeyFromComponents,
  rsaPublicKeyFromComponents,
  ecPublicKeyFromPoint,
  ed25519PublicKeyFromBytes,
  MIN_RSA_BITS,
  MIN_RSA_BITS_WEAK,
  MAX_RSA_BITS,
  type ParsePrivateKeyOptions,
  type RsaPrivateComponents,
} from './parse';
export { encodePkcs8, encodeSpki, privateKeyToPem, publicKeyToPem } from './encode';
export { generateEcdsaP256Key } from './generate';
export { MAX_KDF_ITERATIONS } from './pbes2';
export type { Passphrase } from './encrypted';
