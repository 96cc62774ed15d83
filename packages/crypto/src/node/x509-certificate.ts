/**
 * Node's `crypto.X509Certificate` for a DER certificate (what `tlsSocket.getPeerX509Certificate()`
 * returns), reached through `process.getBuiltinModule` like the rest of `node:crypto`.
 */
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { loadNodeCrypto } from './crypto';

export type { NodeX509Certificate };

/**
 * `new crypto.X509Certificate(der)`.
 * @throws CryptoError('Unsupported') where the runtime has no `node:crypto`; Node's own error for
 *   bytes that are not a certificate.
 */
export function toNodeX509Certificate(der: Uint8Array): NodeX509Certificate {
  return new (loadNodeCrypto().X509Certificate)(der);
}
