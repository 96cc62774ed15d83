/**
 * The synthetic `message_hash` handshake message (RFC 8446 §4.4.1).
 */
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

/**
 * RFC 8446 §4.4.1: after a HelloRetryRequest "the transcript hash of ClientHello1 is replaced by a
 * special synthetic handshake message of handshake type "message_hash" containing
 * Hash(ClientHello1)":
 *
 *     Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
 *         Hash(message_hash ||        (handshake type 254)
 *              00 00 Hash.length  ||  (handshake message length)
 *              Hash(ClientHello1) ||
 *              HelloRetryRequest  || ... || Mn)
 *
 * Returns those first `4 + Hash.length` bytes, to feed the transcript before HelloRetryRequest.
 *
 * @throws TypeError when `clientHello1Hash` is empty (API misuse).
 */
export function writeMessageHash(clientHello1Hash: Uint8Array): Uint8Array {
  if (clientHello1Hash.length === 0) throw new TypeError('writeMessageHash: empty hash');
  return writeHandshake(HandshakeType.message_hash, (w) => w.bytes(clientHello1Hash));
}
