export {
  signatureSchemesFor,
  keyCanUseScheme,
  isTls13SignatureScheme,
  signatureSchemeInfo,
  type SchemeInfo,
  type SignatureHash,
} from './schemes';
export { recoverPssSalt } from './pss-salt';
