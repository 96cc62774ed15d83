export { parseCertificateChain, parseCertificate, checkKeyMatchesCertificate, type Certificate } from './certificate';
export { createSelfSignedCertificate, type SelfSignedCertificateOptions } from './self-signed';
export {
  KeyUsage,
  NsCertType,
  type AccessDescription,
  type AuthorityKeyIdentifier,
  type BasicConstraints,
  type CertificateExtension,
  type GeneralSubtree,
  type NameConstraints,
  type ParsedExtensions,
  type PolicyConstraints,
} from './extensions';
export { formatGeneralNameNode, type GeneralName, type GeneralNameKind } from './general-name';
export { attributeKey, attributeText, formatNameRfc2253, nameToNodeObject, namesEqual, type NameAttribute, type X509Name } from './name';
export type { CertificateSignatureInfo, SignatureKeyKind } from './signature-algorithm';
export type { CertificatePurpose } from './path/purpose';
export { DEFAULT_MAX_DEPTH, MAX_VERIFY_DEPTH, verifyCertificateChain, type ChainVerification, type VerifyChainOptions } from './verify-chain';
export {
  NO_PEER_CERTIFICATE_CODE,
  verifyError,
  type CertificateAlert,
  type CertificateVerifyError,
  type NodeVerifyCode,
  type X509VerifyErrorName,
} from './verify-errors';
export { formatTimeOpenssl, nodePeerCertificate, toNodeCertificate, type NodeCertificateObject, type NodePeerCertificateOptions } from './node-certificate';
