/**
 * Typed errors of the crypto package. The crypto layer knows nothing of TLS alerts: the handshake
 * maps a `CryptoError` reason to its alert (e.g. `InvalidPeerKey` → illegal_parameter).
 * Key and certificate loading problems are `KeyError`s that say what is wrong with the input.
 */
const BRAND = Symbol.for('puretls.cryptoError');

/** Why a crypto operation failed (the `reason` of a {@link CryptoError}). */
export type CryptoErrorReason =
  | 'InvalidPeerKey' // a peer's key share / public key is malformed or invalid
  | 'SchemeKeyMismatch' // a signature scheme that the key cannot produce
  | 'MessageTooLong' // an RSA operation on an input that does not fit the modulus
  | 'RandomSourceExhausted' // a scripted randomness source ran out or did not match, or a source produced no usable value
  | 'FaultDetected' // a private-key result failed its consistency check (a fault, or a corrupted key): never released
  | 'Unsupported'; // a primitive the provider does not implement

/** A failed crypto operation; `reason` says which, `code` is `ERR_PURETLS_CRYPTO_<REASON>`. */
export class CryptoError extends Error {
  readonly [BRAND] = true;
  readonly code: `ERR_PURETLS_CRYPTO_${string}`;
  constructor(
    readonly reason: CryptoErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CryptoError';
    this.code = `ERR_PURETLS_CRYPTO_${reason.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c).toUpperCase()}`;
  }
}
/** Whether `e` is a {@link CryptoError} (by brand, so across copies of the package too). */
export function isCryptoError(e: unknown): e is CryptoError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Why a key, certificate or PKCS#12 input was refused (the `reason` of a {@link KeyError}). */
export type KeyErrorReason =
  | 'NotPem' // no PEM block where PEM was expected
  | 'UnknownPemLabel' // a PEM label that is not a supported key or certificate
  | 'PassphraseRequired' // an encrypted key (or PKCS#12 file) without a passphrase
  | 'BadDecrypt' // a wrong passphrase ("bad decrypt", OpenSSL's and Node's words)
  | 'UnsupportedEncryption' // a key encryption or PKCS#12 algorithm we do not implement (named)
  | 'MacVerifyFailure' // a PKCS#12 MAC that does not verify: wrong passphrase or corrupted file
  | 'UnsupportedPkcs12' // a PKCS#12 structure we do not read (public-key integrity, enveloped data, …)
  | 'IncompletePkcs12' // a PKCS#12 file without a private key, or without a certificate for it
  | 'MalformedDer' // truncated, trailing, or otherwise invalid DER
  | 'UnsupportedAlgorithm' // a key algorithm we do not serve (DSA, X448, …)
  | 'UnsupportedCurve' // an EC key on a curve other than P-256/P-384
  | 'InvalidKey' // components that do not form a valid key (d·e ≢ 1, point off curve, …)
  | 'WeakKey' // e.g. RSA below 2048 bits without `allowWeakRsa`
  | 'NoCertificate' // an empty certificate chain
  | 'KeyCertificateMismatch'; // the private key does not match the leaf's public key

const KEY_BRAND = Symbol.for('puretls.keyError');
/** A key, certificate or PKCS#12 input that was refused; `reason` says why, `code` is `ERR_PURETLS_KEY_<REASON>`. */
export class KeyError extends Error {
  readonly [KEY_BRAND] = true;
  readonly code: `ERR_PURETLS_KEY_${string}`;
  constructor(
    readonly reason: KeyErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KeyError';
    this.code = `ERR_PURETLS_KEY_${reason.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c).toUpperCase()}`;
  }
}
/** Whether `e` is a {@link KeyError} (by brand, so across copies of the package too). */
export function isKeyError(e: unknown): e is KeyError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[KEY_BRAND] === true;
}
