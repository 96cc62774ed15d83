/**
 * DER encodings of parsed keys: PKCS#8 (RFC 5208 / RFC 5958) for private keys and
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for public keys. Used to build `node:crypto`
 * KeyObjects, to write certificates and to export a generated key as PEM.
 */
import { derBitString, derNull, derOctetString, derOid, derSequence, derTlv, derUint } from '../asn1/der';
import { Oid } from '../asn1/oids';
import { encodePem } from '../pem';
import type { EcCurve, PrivateKey, PublicKey } from './types';

export const CURVE_OID: Readonly<Record<EcCurve, string>> = { secp256r1: Oid.prime256v1, secp384r1: Oid.secp384r1 };

/** `AlgorithmIdentifier` of a key (RFC 3279 §2.3.1 NULL params for RSA, RFC 5480 namedCurve, RFC 8410 absent). */
function algorithmIdentifier(key: PrivateKey | PublicKey): Uint8Array {
  switch (key.kind) {
    case 'rsa':
      return derSequence(derOid(Oid.rsaEncryption), derNull());
    case 'ec':
      return derSequence(derOid(Oid.ecPublicKey), derOid(CURVE_OID[key.curve]));
    case 'ed25519':
      return derSequence(derOid(Oid.ed25519));
  }
}

/** DER `SubjectPublicKeyInfo` of a public (or the public half of a private) key. */
export function encodeSpki(key: PrivateKey | PublicKey): Uint8Array {
  let bits: Uint8Array;
  switch (key.kind) {
    case 'rsa':
      // RFC 8017 §A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
      bits = derSequence(derUint(key.n), derUint(key.e));
      break;
    case 'ec':
    case 'ed25519':
      bits = key.publicKey;
      break;
  }
  return derSequence(algorithmIdentifier(key), derBitString(bits));
}

/** DER `PrivateKeyInfo` (PKCS#8 v1, RFC 5208 §5) of a private key. */
export function encodePkcs8(key: PrivateKey): Uint8Array {
  let inner: Uint8Array;
  switch (key.kind) {
    case 'rsa':
      // RFC 8017 §A.1.2 RSAPrivateKey, version 0 (two-prime)
      inner = derSequence(
        derUint(0n),
        derUint(key.n),
        derUint(key.e),
        derUint(key.d),
        derUint(key.p),
        derUint(key.q),
        derUint(key.dp),
        derUint(key.dq),
        derUint(key.qInv),
      );
      break;
    case 'ec':
      // RFC 5915 §3 ECPrivateKey { version 1, privateKey, [1] publicKey } (parameters are outside)
      inner = derSequence(derUint(1n), derOctetString(key.d), derTlv(0xa1, derBitString(key.publicKey)));
      break;
    case 'ed25519':
      // RFC 8410 §7 CurvePrivateKey ::= OCTET STRING
      inner = derOctetString(key.seed);
      break;
  }
  return derSequence(derUint(0n), algorithmIdentifier(key), derOctetString(inner));
}

/** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted. Treat the text as a secret. */
export function privateKeyToPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', encodePkcs8(key));
}

/** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
export function publicKeyToPem(key: PrivateKey | PublicKey): string {
  return encodePem('PUBLIC KEY', encodeSpki(key));
}
