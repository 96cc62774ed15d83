/**
 * Access to `node:crypto` without a static import, so that `@puretls/crypto` still loads in
 * browsers and Deno (only `createNodeProvider()` needs Node).
 */
import type * as NodeCryptoModule from 'node:crypto';
import { CryptoError } from '../errors';

export type NodeCrypto = typeof NodeCryptoModule;

/**
 * `node:crypto` through `process.getBuiltinModule` (Node ≥ 20.16, also Deno and Bun).
 * @throws CryptoError('Unsupported') when the runtime has no `process.getBuiltinModule` or no
 *   `node:crypto`.
 */
export function loadNodeCrypto(): NodeCrypto {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') : undefined;
  if (mod === undefined || mod === null) {
    throw new CryptoError('Unsupported', 'createNodeProvider() needs node:crypto via process.getBuiltinModule (Node >= 20.16); use createNobleProvider() elsewhere');
  }
  return mod as NodeCrypto;
}

/** A `Uint8Array` view of a Node `Buffer` (no copy): core code sees `Uint8Array` only (STYLE §6). */
export function u8(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
