/**
 * The node provider's default randomness: the platform CSPRNG (OpenSSL's DRBG through
 * `crypto.randomFillSync`), drawn into a small pool so that the many short draws of a handshake
 * (server random, key share scalar, session ids, ticket nonces) cost one call into OpenSSL per
 * pool instead of one each. Each byte is handed out once and wiped from the pool as it goes.
 */
import { systemRandom, type RandomSource } from '../random';
import type { NodeCrypto } from './crypto';

/** Pool size: about 40 TLS 1.3 handshakes' worth of small draws. */
const POOL_BYTES = 4096;
/** Draws above this size bypass the pool (filled directly). */
const POOLED_MAX = 256;

/** The pooled CSPRNG source (see the file comment). Invalid lengths throw as `systemRandom` does. */
export function pooledNodeRandom(c: NodeCrypto): RandomSource {
  const direct = systemRandom();
  const pool = new Uint8Array(POOL_BYTES);
  let pos = POOL_BYTES;
  return {
    random(n: number, purpose?: string): Uint8Array {
      if (!Number.isSafeInteger(n) || n < 0 || n > POOLED_MAX) return direct.random(n, purpose);
      if (pos + n > POOL_BYTES) {
        c.randomFillSync(pool);
        pos = 0;
      }
      const out = pool.slice(pos, pos + n);
      pool.fill(0, pos, pos + n);
      pos += n;
      return out;
    },
  };
}
