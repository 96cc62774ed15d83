/**
 * Node `Buffer`s are `Uint8Array`s whose `slice()` is a view, not a copy. Inputs from sockets are
 * Buffers at odd offsets: every AEAD must work on them and keep its own key copy.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createNodeProvider, type AeadAlgorithm } from '../src/index';

const providers = [
  ['noble', createNobleProvider()],
  ['node', createNodeProvider()],
] as const;
const algs: AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];

describe.each(providers)('AEAD on unaligned Buffer views (%s)', (_name, p) => {
  it.each(algs)('%s seals and opens Buffer inputs at odd offsets', (alg) => {
    const keyLen = alg === 'aes-128-gcm' ? 16 : 32;
    const keyBuf = Buffer.alloc(keyLen + 1);
    keyBuf.set(p.random(keyLen), 1);
    const key = keyBuf.subarray(1);
    const aead = p.createAead(alg, key);
    const ref = createNobleProvider().createAead(alg, new Uint8Array(key));
    keyBuf.fill(0); // the caller wipes its copy: the AEAD must have its own
    const nonce = new Uint8Array(12).fill(3);
    const aad = new Uint8Array(13).fill(5);
    const ptBuf = Buffer.alloc(1001);
    ptBuf.set(p.random(1000), 1);
    const pt = ptBuf.subarray(1);
    const sealed = aead.seal(nonce, aad, pt);
    expect(Buffer.from(sealed).equals(Buffer.from(ref.seal(nonce, aad, new Uint8Array(pt))))).toBe(true);
    const ctBuf = Buffer.alloc(sealed.length + 3);
    ctBuf.set(sealed, 3);
    const opened = aead.open(nonce, aad, ctBuf.subarray(3));
    expect(opened && Buffer.from(opened).equals(Buffer.from(pt))).toBe(true);
    // In place, unaligned.
    const inPlace = ctBuf.subarray(3);
    const back = aead.open(nonce, aad, inPlace, inPlace);
    expect(back && Buffer.from(back).equals(Buffer.from(pt))).toBe(true);
  });
});
