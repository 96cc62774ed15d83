/**
 * AEADs of the node provider: AES-GCM and ChaCha20-Poly1305 through OpenSSL's
 * `createCipheriv` / `createDecipheriv`; each record makes one cipher context (OpenSSL contexts
 * are single-use per nonce). The key is kept as a private copy of its bytes, not a `KeyObject`:
 * `createSecretKey` costs about a third of a small record's whole seal, a connection makes four
 * AEAD keys per handshake and holds two for its life, and the copy can be wiped by `clean()` (a
 * KeyObject cannot). Per record, OpenSSL gets the same bytes either way.
 */
import type { CipherGCMTypes } from 'node:crypto';
import { AEAD_TAG_LENGTH, type AeadAlgorithm, type AeadKey } from '../provider';
import { checkAeadKey, checkNonce, cleanedKeyError, outputView } from '../noble/aead';
import type { NodeCrypto } from './crypto';

/**
 * OpenSSL cipher names. Typed as GCM names: @types/node overloads `createCipheriv` per name,
 * and the GCM and ChaCha20-Poly1305 overloads have the same shape (`authTagLength`, `setAAD`
 * with `plaintextLength`, `getAuthTag` / `setAuthTag`).
 */
const CIPHER_NAME: Readonly<Record<AeadAlgorithm, CipherGCMTypes>> = {
  'aes-128-gcm': 'aes-128-gcm',
  'aes-256-gcm': 'aes-256-gcm',
  'chacha20-poly1305': 'chacha20-poly1305' as CipherGCMTypes,
};

/** A `createAead` for the node provider. @throws RangeError for a bad key length. */
export function createNodeAead(c: NodeCrypto, algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  checkAeadKey(algorithm, key);
  return new NodeAeadKey(c, algorithm, new Uint8Array(key)); // a copy (`Buffer#slice` would be a view)
}

class NodeAeadKey implements AeadKey {
  private readonly cipher: CipherGCMTypes;

  constructor(
    private readonly c: NodeCrypto,
    readonly algorithm: AeadAlgorithm,
    private key: Uint8Array | null,
  ) {
    this.cipher = CIPHER_NAME[algorithm];
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array {
    const n = plaintext.length;
    const out = outputView(output, n + AEAD_TAG_LENGTH, 'seal');
    // The pieces are fresh buffers, so `output` aliasing `plaintext` is safe.
    const { ciphertext, tag } = this.sealDetached(nonce, aad, plaintext);
    out.set(ciphertext, 0);
    out.set(tag, n);
    return out;
  }

  sealDetached(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array } {
    checkNonce(nonce);
    const key = this.useKey();
    const cipher = this.c.createCipheriv(this.cipher, key, nonce, { authTagLength: AEAD_TAG_LENGTH });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final(); // empty for GCM and ChaCha20-Poly1305 (stream modes)
    const ciphertext = tail.length === 0 ? body : Buffer.concat([body, tail]);
    return { ciphertext, tag: cipher.getAuthTag() };
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, output?: Uint8Array): Uint8Array | null {
    checkNonce(nonce);
    const key = this.useKey();
    const n = ciphertextAndTag.length - AEAD_TAG_LENGTH;
    if (n < 0) return null;
    const out = outputView(output, n, 'open');
    const decipher = this.c.createDecipheriv(this.cipher, key, nonce, { authTagLength: AEAD_TAG_LENGTH });
    decipher.setAuthTag(ciphertextAndTag.subarray(n));
    decipher.setAAD(aad);
    const body = decipher.update(ciphertextAndTag.subarray(0, n));
    let tail: Uint8Array;
    try {
      tail = decipher.final(); // throws "Unsupported state or unable to authenticate data"
    } catch {
      body.fill(0); // unauthenticated plaintext never reaches the caller's buffer
      return null;
    }
    out.set(body, 0);
    if (tail.length > 0) out.set(tail, body.length);
    return out;
  }

  clean(): void {
    this.key?.fill(0);
    this.key = null;
  }

  private useKey(): Uint8Array {
    if (this.key === null) throw cleanedKeyError(this.algorithm);
    return this.key;
  }
}
