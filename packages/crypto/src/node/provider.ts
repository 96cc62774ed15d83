/**
 * The node provider: `node:crypto` (OpenSSL) for hashes, HMAC, HKDF, AEAD and ECDH; noble's
 * ML-KEM-768 for the X25519MLKEM768 hybrid (Node 20 has no ML-KEM). `node:crypto` is reached
 * through `process.getBuiltinModule` when the provider is created, never imported statically, so
 * the package still loads where Node is absent.
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
import type { RandomSource } from '../random';
import type { PrivateKey, PublicKey } from '../keys/types';
import { nodeSign, nodeVerify, nodeVerifyX509 } from './signatures';
import type { X509SignatureAlgorithm } from '../signatures/x509-algorithm';
import type { ProviderOptions } from '../noble/provider';
import {
  checkEcdhGroup,
  checkNistPeerEncoding,
  checkX25519Peer,
  ecdhKeyShare,
  x25519MlKem768KeyShare,
  type EcdhGroup,
} from '../noble/key-exchange';
import { loadNodeCrypto, type NodeCrypto } from './crypto';
import { NodeHashes } from './hash';
import { createNodeAead } from './aead';
import { nodeGenerateKeyPair } from './key-exchange';
import { pooledNodeRandom } from './random';

/**
 * A {@link CryptoProvider} on `node:crypto`. Without `options.random`, randomness comes from
 * OpenSSL's CSPRNG through a small pool (see `pooledNodeRandom`).
 * @throws CryptoError('Unsupported') outside Node ≥ 20.16 (no `process.getBuiltinModule`).
 */
export function createNodeProvider(options: ProviderOptions = {}): CryptoProvider {
  const c = loadNodeCrypto();
  return new NodeProvider(c, options.random ?? pooledNodeRandom(c));
}

class NodeProvider implements CryptoProvider {
  readonly name = 'node';
  private readonly hashes: NodeHashes;
  /** Bound once so the key-exchange helpers can call it detached. */
  private readonly randomFn: (n: number, purpose?: string) => Uint8Array;

  constructor(
    private readonly c: NodeCrypto,
    readonly randomSource: RandomSource,
  ) {
    this.hashes = new NodeHashes(c);
    this.randomFn = (n, purpose) => randomSource.random(n, purpose);
  }

  random(n: number, purpose?: string): Uint8Array {
    return this.randomSource.random(n, purpose);
  }

  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return this.hashes.hash(algorithm, data);
  }
  createHash(algorithm: HashAlgorithm): HashContext {
    return this.hashes.createHash(algorithm);
  }
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return this.hashes.hmac(algorithm, key, data);
  }
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
    return this.hashes.hkdfExtract(algorithm, salt, ikm);
  }
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    return this.hashes.hkdfExpand(algorithm, prk, info, length);
  }

  createAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
    return createNodeAead(this.c, algorithm, key);
  }

  generateKeyPair(group: EcdhGroup): KeyExchangeKeyPair {
    return nodeGenerateKeyPair(this.c, group, this.randomFn);
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
    return nodeSign(key, scheme, message, this.randomFn, this.c);
  }
  verify(key: PublicKey, scheme: SignatureScheme, message: Uint8Array, signature: Uint8Array): boolean {
    return nodeVerify(key, scheme, message, signature, this.c);
  }
  verifyX509Signature(key: PublicKey, algorithm: X509SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
    return nodeVerifyX509(key, algorithm, message, signature, this.c);
  }
}
