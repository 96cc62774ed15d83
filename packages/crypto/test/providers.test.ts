/**
 * The two providers side by side: identity, cross-provider equality on random inputs (fast-check),
 * the node provider's loading rules (its static imports: scripts/import-rules.mjs), and the sign/verify wiring.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isCryptoError } from '../src/errors';
import type { Ed25519PrivateKey, Ed25519PublicKey } from '../src/keys/types';
import { createNobleProvider } from '../src/noble/provider';
import { createNodeProvider } from '../src/node/provider';
import { AEAD_KEY_LENGTH, SignatureScheme, type AeadAlgorithm, type HashAlgorithm } from '../src/provider';
import { seededRandom } from '../src/random';
import { PROVIDERS, hex, toHex } from './vectors';

const noble = createNobleProvider({ random: seededRandom(1) });
const node = createNodeProvider({ random: seededRandom(1) });
const FC = { numRuns: 200, interruptAfterTimeLimit: 4000 } as const;
const hashAlg = fc.constantFrom<HashAlgorithm>('sha256', 'sha384');
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

describe('provider identity', () => {
  it.each(PROVIDERS)('$name: name and randomSource', ({ name, create }) => {
    const src = seededRandom(2);
    const p = create(src);
    expect(p.name).toBe(name);
    expect(p.randomSource).toBe(src);
    expect(create().random(16).length).toBe(16); // default: systemRandom
  });
});

describe('noble and node agree on random inputs', () => {
  it('hash, incremental hash with clone, HMAC, HKDF', () => {
    fc.assert(
      fc.property(hashAlg, bytes(300), bytes(200), bytes(100), fc.integer({ min: 0, max: 600 }), (alg, a, b, info, len) => {
        expect(toHex(node.hash(alg, a))).toBe(toHex(noble.hash(alg, a)));
        const hn = noble.createHash(alg).update(a), hd = node.createHash(alg).update(a);
        expect(toHex(hd.clone().digest())).toBe(toHex(hn.clone().digest()));
        expect(toHex(hd.update(b).digest())).toBe(toHex(hn.update(b).digest()));
        expect(toHex(node.hmac(alg, a, b))).toBe(toHex(noble.hmac(alg, a, b)));
        const prk = noble.hkdfExtract(alg, b, a);
        expect(toHex(node.hkdfExtract(alg, b, a))).toBe(toHex(prk));
        const l = Math.min(len, alg === 'sha256' ? 255 * 32 : 255 * 48);
        expect(toHex(node.hkdfExpand(alg, prk, info, l))).toBe(toHex(noble.hkdfExpand(alg, prk, info, l)));
      }),
      FC,
    );
  });

  it('AEAD seal/open, both directions', () => {
    const alg = fc.constantFrom<AeadAlgorithm>('aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305');
    fc.assert(
      fc.property(alg, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), bytes(40), bytes(2000), (a, k, nonce, aad, pt) => {
        const key = k.subarray(0, AEAD_KEY_LENGTH[a]);
        const kn = noble.createAead(a, key), kd = node.createAead(a, key);
        const sn = kn.seal(nonce, aad, pt);
        expect(toHex(kd.seal(nonce, aad, pt))).toBe(toHex(sn));
        expect(toHex(kd.open(nonce, aad, sn)!)).toBe(toHex(pt));
        expect(toHex(kn.open(nonce, aad, sn)!)).toBe(toHex(pt));
      }),
      FC,
    );
  });
});

describe('node provider loading', () => {
  it('throws CryptoError(Unsupported) when process.getBuiltinModule is missing', () => {
    const proc = process as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      createNodeProvider();
      throw new Error('createNodeProvider() did not throw');
    } catch (e) {
      expect(isCryptoError(e) && e.reason).toBe('Unsupported');
    } finally {
      proc.getBuiltinModule = saved;
    }
  });
});

describe.each(PROVIDERS)('sign/verify wiring ($name)', ({ create }) => {
  it('Ed25519 signs deterministically and verifies (RFC 8032 §7.1 test 1)', () => {
    const seed = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const publicKey = ed25519.getPublicKey(seed);
    const priv: Ed25519PrivateKey = { kind: 'ed25519', seed, publicKey };
    const pub: Ed25519PublicKey = { kind: 'ed25519', publicKey };
    const p = create();
    const sig = p.sign(priv, SignatureScheme.ed25519, new Uint8Array(0));
    expect(toHex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(p.verify(pub, SignatureScheme.ed25519, new Uint8Array(0), sig)).toBe(true);
    expect(p.verify(pub, SignatureScheme.ed25519, Uint8Array.of(1), sig)).toBe(false);
  });
});
