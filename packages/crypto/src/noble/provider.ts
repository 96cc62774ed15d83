/**
 * The noble provider: pure TypeScript on `@noble/hashes`, `@noble/ciphers`, `@noble/curves` and
 * `@noble/post-quantum`. Runs in any JS runtime; the default provider of puretls.
 */
import type {
  AeadAlgorithm,
  AeadKey,
  CryptoProvider,
  HashAlgorithm,
  HashContext,
  KeyExchangeKeyPair,
  KeyShareResult,
  NamedGroup,
  SignatureScheme,
} from '../provider';
import { systemRandom, type RandomSource } from '../random';
import type { PrivateKey, PublicKey } from '../keys/types';
import { nobleSign, nobleVerify, nobleVerifyX509 } from '../signatures/noble';
import type { X509SignatureAlgorithm } from '../signatures/x509-algorithm';
import { createNobleAead } from './aead';
import { nobleCreateHash, nobleHash, nobleHkdfExpand, nobleHkdfExtract, nobleHmac } from './hash';
import {
  checkEcdhGroup,
  checkNistPeerEncoding,
  checkX25519Peer,
  ecdhKeyShare,
  nobleGenerateKeyPair,
  x25519MlKem768KeyShare,
  type EcdhGroup,
} from './key-exchange';

/** Options of {@link createNobleProvider} and `createNodeProvider`. */
export interface ProviderOptions {
  /** Where every random byte comes from. Default: {@link systemRandom} (the platform CSPRNG). */
  readonly random?: RandomSource;
}

/**
 * A {@link CryptoProvider} built on the noble libraries.
 * @throws CryptoError('Unsupported') when no `random` is given and the runtime has no
 *   `crypto.getRandomValues`.
 */
export function createNobleProvider(options: ProviderOptions = {}): CryptoProvider {
  return new NobleProvider(options.random ?? systemRandom());
}

class NobleProvider implements CryptoProvider {
  readonly name = 'noble';
  /** Bound once so the key-exchange helpers can call it detached. */
  private readonly randomFn: (n: number, purpose?: string) => Uint8Array;

  constructor(readonly randomSource: RandomSource) {
    this.randomFn = (n, purpose) => randomSource.random(n, purpose);
  }

  random(n: number, purpose?: string): Uint8Array {
    return this.randomSource.random(n, purpose);
  }

  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return nobleHash(algorithm, data);
  }
  createHash(algorithm: HashAlgorithm): HashContext {
    return nobleCreateHash(algorithm);
  }
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return nobleHmac(algorithm, key, data);
  }
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return nobleHkdfExtract(algorithm, salt, ikm);
  }
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return nobleHkdfExpand(algorithm, prk, info, length);
  }

  createAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    return createNobleAead(algorithm, key);
  }

  generateKeyPair(group: EcdhGroup): KeyExchangeKeyPair {
    return nobleGenerateKeyPair(group, this.randomFn);
  }

  keyShare(group: NamedGroup, clientShare: Uint8Array): KeyShareResult {
    if (group === 'X25519MLKEM768') {
      return x25519MlKem768KeyShare(clientShare, this.randomFn, (peer) => this.keyShare('x25519', peer));
    }
    checkEcdhGroup(group);
    // Malformed encodings are refused before any randomness is drawn.
    if (group === 'x25519') checkX25519Peer(clientShare);
    else checkNistPeerEncoding(group, clientShare);
    return ecdhKeyShare(() => this.generateKeyPair(group), clientShare);
  }

  sign(key: PrivateKey, scheme: SignatureScheme, message: Uint8Array): Uint8Array {
    return nobleSign(key, scheme, message, this.randomFn);
  }
  verify(key: PublicKey, scheme: SignatureScheme, message: Uint8Array, signature: Uint8Array): boolean {
    return nobleVerify(key, scheme, message, signature);
  }
  verifyX509Signature(key: PublicKey, algorithm: X509SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
    return nobleVerifyX509(key, algorithm, message, signature);
  }
}
