/**
 * A debugging helper: the salt inside an RSA-PSS signature. With it a published trace (RFC 8448
 * §3's CertificateVerify) can be re-signed byte for byte by scripting the salt as the
 * `'pss_salt'` random draw.
 */
import type { PublicKey } from '../keys/types';
import { emsaPssDecodeSalt } from '../rsa/emsa';
import { rsaPublicOp } from '../rsa/rsa';
import { NOBLE_DIGESTS } from './noble';
import { signatureSchemeInfo } from './schemes';

/**
 * The salt of a valid `rsa_pss_rsae_*` signature of `message` under `key` (RSA public operation,
 * then EMSA-PSS decoding, RFC 8017 §9.1.2), or `null` when the signature is not valid for any
 * salt length or the scheme is not RSA-PSS.
 */
export function recoverPssSalt(key: PublicKey, scheme: number, message: Uint8Array, signature: Uint8Array): Uint8Array | null {
  const info = signatureSchemeInfo(scheme);
  if (key.kind !== 'rsa' || info?.kind !== 'rsa-pss') return null;
  const m = rsaPublicOp(key, signature);
  if (!m) return null;
  const emBits = key.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (m.length > emLen && m[0] !== 0) return null;
  const digest = NOBLE_DIGESTS[info.hash];
  return emsaPssDecodeSalt(digest, digest.hash(message), m.subarray(m.length - emLen), emBits);
}
