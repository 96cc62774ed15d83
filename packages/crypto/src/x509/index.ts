export { parseCertificateChain, parseCertificate, checkKeyMatchesCertificate, type Certificate } from './certificate';
export { createSelfSignedCertificate, type SelfSignedCertificateOptions } from './self-signed';
