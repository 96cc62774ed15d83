/**
 * ServerHelloDone (RFC 5246 §7.4.5): the end of the server's hello flight, an empty message.
 */
import { TlsError } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 5246 §7.4.5  struct { } ServerHelloDone;
/** Writes ServerHelloDone (header included): `0e 00 00 00`. */
export function writeServerHelloDone(): Uint8Array {
  return writeHandshake(HandshakeType.server_hello_done, () => {});
}

/**
 * Reads a ServerHelloDone body, which must be empty.
 *
 * @throws TlsError `TrailingData` (decode_error) when it is not.
 */
export function readServerHelloDone(body: Uint8Array): Record<string, never> {
  if (body.length !== 0) throw new TlsError('TrailingData', `ServerHelloDone: ${body.length} bytes, expected none`);
  return {};
}
