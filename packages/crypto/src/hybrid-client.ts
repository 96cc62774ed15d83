/**
 * The CLIENT side of X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem), for tests, benchmarks and
 * fuzzing harnesses that must play a client: a server never needs it. Randomness comes from the
 * provider (`random(64, 'mlkem_keygen')` for the ML-KEM key seed, then the x25519 scalar).
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { CryptoProvider } from './provider';

/** A client key pair of X25519MLKEM768: the share to send and how to finish from the server's. */
export interface HybridClientKeyPair {
  /** The client key_share: ML-KEM-768 encapsulation key (1184 B) ‖ X25519 public key (32 B). */
  readonly share: Uint8Array;
  /** The shared secret from the server's share (ciphertext ‖ x25519): ss_mlkem ‖ ss_x25519. */
  decapsulate(serverShare: Uint8Array): Uint8Array;
}

const EK = 1184;
const CT = 1088;

/**
 * A fresh X25519MLKEM768 client key pair (draft-ietf-tls-ecdhe-mlkem), randomness from `provider`.
 * @throws RangeError from `decapsulate` when the server share is not 1120 bytes.
 */
export function x25519MlKem768ClientKeyPair(provider: CryptoProvider): HybridClientKeyPair {
  const { publicKey, secretKey } = ml_kem768.keygen(provider.random(64, 'mlkem_keygen'));
  const x = provider.generateKeyPair('x25519');
  const share = new Uint8Array(EK + 32);
  share.set(publicKey, 0);
  share.set(x.publicKey, EK);
  return {
    share,
    decapsulate(serverShare: Uint8Array): Uint8Array {
      if (serverShare.length !== CT + 32) throw new RangeError(`X25519MLKEM768 server share must be ${CT + 32} bytes`);
      const ss = ml_kem768.decapsulate(serverShare.subarray(0, CT), secretKey);
      const out = new Uint8Array(64);
      out.set(ss, 0);
      out.set(x.agree(serverShare.subarray(CT)), 32);
      return out;
    },
  };
}
