/**
 * Key generation for the CLI's default certificate. Randomness comes from the provider, so a
 * scripted source makes it reproducible.
 */
import { p256 } from '@noble/curves/nist.js';
import type { CryptoProvider } from '../provider';
import type { EcPrivateKey } from './types';
import { CryptoError } from '../errors';

/** Attempts before giving up on drawing a scalar in [1, n-1] (each fails with probability < 2^-32). */
const MAX_SCALAR_DRAWS = 64;

/**
 * A fresh ECDSA P-256 key: 32 bytes from `provider.random(32, 'ecdsa_key')`, redrawn while not in
 * [1, n-1] (FIPS 186-5 A.2.2 rejection sampling). The result is frozen.
 * @throws Error when the source keeps producing invalid scalars (a broken source).
 */
export function generateEcdsaP256Key(provider: CryptoProvider): EcPrivateKey {
  for (let i = 0; i < MAX_SCALAR_DRAWS; i++) {
    const d = provider.random(32, 'ecdsa_key');
    if (p256.utils.isValidSecretKey(d)) {
      return Object.freeze({ kind: 'ec', curve: 'secp256r1', d, publicKey: p256.getPublicKey(d, false) });
    }
  }
  throw new CryptoError('RandomSourceExhausted', 'generateEcdsaP256Key: the randomness source produced no valid P-256 scalar');
}
